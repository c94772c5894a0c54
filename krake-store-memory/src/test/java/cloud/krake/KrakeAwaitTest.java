package cloud.krake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.Cluster;
import cloud.krake.model.ClusterState;
import cloud.krake.model.KrakeJson;
import cloud.krake.model.Reason;
import cloud.krake.model.ReasonCode;
import cloud.krake.store.memory.MemoryStore;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The await helpers of {@link Krake} stop at a terminal state the condition cannot meet any more,
 * naming state and reason, instead of waiting out their timeout. The waits that must fail fast use
 * a timeout of an hour, and the test only allows them {@link #FAST}: without the fail-fast they
 * would not finish in time.
 */
class KrakeAwaitTest {

  private static final Duration HOUR = Duration.ofHours(1);

  /** How long a fail-fast wait is given; far below {@link #HOUR}. */
  private static final Duration FAST = Duration.ofSeconds(30);

  private final MemoryStore store = MemoryStore.create();
  private final Krake krake = Krake.builder().store(store).build();
  private final ExecutorService waiter = Executors.newSingleThreadExecutor();

  @AfterEach
  void close() {
    waiter.shutdownNow();
    krake.close();
    store.close();
  }

  private void app(String name) {
    krake
        .applications()
        .create(
            KrakeJson.read(
                """
                metadata: {name: %s, namespace: tenant}
                spec:
                  manifest: [{apiVersion: v1, kind: Pod, metadata: {name: %s}}]
                  constraints: {cluster: {labels: []}}
                """
                    .formatted(name, name),
                Application.class));
  }

  private void appState(String name, ApplicationState state, Optional<Reason> reason) {
    krake
        .applications()
        .modifyStatus("tenant", name, a -> a.status().withState(state).withReason(reason));
  }

  private void cluster(String name) {
    krake.clusters().create(TestClusters.read("{name: %s, namespace: tenant}".formatted(name), ""));
  }

  private <T> CompletableFuture<T> waiting(Supplier<T> await) {
    return CompletableFuture.supplyAsync(await, waiter);
  }

  /** The exception the wait ended with, which must come within {@link #FAST}. */
  private static Throwable failure(CompletableFuture<?> wait) {
    try {
      Object result = wait.get(FAST.toMillis(), TimeUnit.MILLISECONDS);
      throw new AssertionError("the wait did not fail but returned " + result);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (TimeoutException e) {
      throw new AssertionError("the wait (timeout " + HOUR + ") was still waiting after " + FAST);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private CompletableFuture<Application> awaitRunning(String name) {
    return waiting(
        () ->
            krake.awaitApplication(
                "tenant", name, a -> a.status().state() == ApplicationState.RUNNING, HOUR));
  }

  @Test
  void awaitApplicationFailsFastWhenTheApplicationFailsWithAReasonThatIsNotRetried() {
    app("echo");
    CompletableFuture<Application> wait = awaitRunning("echo");

    appState(
        "echo",
        ApplicationState.FAILED,
        Optional.of(Reason.of(ReasonCode.INVALID_RESOURCE, "spec.manifest[0]: no such kind")));

    assertThat(failure(wait))
        .isInstanceOf(KrakeException.class)
        .hasMessageContaining("tenant/echo")
        .hasMessageContaining("state FAILED")
        .hasMessageContaining("INVALID_RESOURCE")
        .hasMessageContaining("spec.manifest[0]: no such kind");
  }

  @Test
  void awaitApplicationFailsFastOnAnApplicationAlreadyFailedWithoutReason() {
    app("echo");
    appState("echo", ApplicationState.FAILED, Optional.empty());

    assertThat(failure(awaitRunning("echo")))
        .isInstanceOf(KrakeException.class)
        .hasMessageContaining("terminal state FAILED");
  }

  @Test
  void awaitApplicationFailsFastWhenTheApplicationIsRemoved() throws InterruptedException {
    app("echo");
    // the wait must have seen the application before it is removed (one not created yet is waited
    // for): its condition is evaluated once it has
    CountDownLatch seen = new CountDownLatch(1);
    CompletableFuture<Application> wait =
        waiting(
            () ->
                krake.awaitApplication(
                    "tenant",
                    "echo",
                    a -> {
                      seen.countDown();
                      return a.status().state() == ApplicationState.RUNNING;
                    },
                    HOUR));
    assertThat(seen.await(FAST.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

    krake.applications().forceDelete("tenant", "echo");

    assertThat(failure(wait))
        .isInstanceOf(KrakeException.class)
        .hasMessageContaining("tenant/echo")
        .hasMessageContaining("removed");
  }

  @Test
  void awaitApplicationWaitsForAnApplicationNotCreatedYet() {
    CompletableFuture<Application> wait = awaitRunning("later");

    app("later");
    appState("later", ApplicationState.RUNNING, Optional.empty());

    assertThat(wait)
        .succeedsWithin(FAST)
        .satisfies(a -> assertThat(a.status().state()).isEqualTo(ApplicationState.RUNNING));
  }

  @Test
  void aKubernetesErrorIsRetriedSoTheWaitGoesOnAndItsTimeoutNamesTheReason() {
    app("echo");
    appState(
        "echo",
        ApplicationState.FAILED,
        Optional.of(Reason.of(ReasonCode.KUBERNETES_ERROR, "503 from the API server")));

    assertThatThrownBy(
            () ->
                krake.awaitApplication(
                    "tenant",
                    "echo",
                    a -> a.status().state() == ApplicationState.RUNNING,
                    Duration.ofMillis(200)))
        .isInstanceOf(KrakeException.class)
        .hasMessageContaining("did not meet the condition within PT0.2S")
        .hasMessageContaining("state FAILED, reason KUBERNETES_ERROR: 503 from the API server");
  }

  @Test
  void aFailedDeletionIsNotTerminal() {
    app("echo");
    krake.applications().delete("tenant", "echo");
    appState(
        "echo",
        ApplicationState.FAILED,
        Optional.of(Reason.of(ReasonCode.DELETE_FAILED, "the cluster said no")));

    assertThatThrownBy(() -> krake.awaitApplicationGone("tenant", "echo", Duration.ofMillis(200)))
        .isInstanceOf(KrakeException.class)
        .hasMessageContaining("did not meet the condition")
        .hasMessageContaining("state FAILED, reason DELETE_FAILED: the cluster said no, deleted");
  }

  @Test
  void awaitApplicationGoneFailsFastOnAFailedApplicationNobodyDeletes() {
    app("echo");
    CompletableFuture<Void> wait =
        waiting(
            () -> {
              krake.awaitApplicationGone("tenant", "echo", HOUR);
              return null;
            });

    appState(
        "echo",
        ApplicationState.FAILED,
        Optional.of(Reason.of(ReasonCode.NO_SUITABLE_RESOURCE, "no cluster matches")));

    assertThat(failure(wait))
        .hasMessageContaining("state FAILED, reason NO_SUITABLE_RESOURCE: no cluster matches");
  }

  @Test
  void awaitClusterFailsFastWhenTheClusterFailsAndNamesTheReason() {
    cluster("de");
    CompletableFuture<Cluster> wait =
        waiting(
            () ->
                krake.awaitCluster(
                    "tenant", "de", c -> c.status().state() == ClusterState.ONLINE, HOUR));

    krake
        .clusters()
        .modifyStatus(
            "tenant",
            "de",
            c ->
                c.status()
                    .withState(ClusterState.FAILED)
                    .withReason(
                        Optional.of(
                            Reason.of(ReasonCode.CLUSTER_NOT_REACHABLE, "connection refused"))));

    assertThat(failure(wait))
        .isInstanceOf(KrakeException.class)
        .hasMessageContaining("tenant/de")
        .hasMessageContaining("state FAILED, reason CLUSTER_NOT_REACHABLE: connection refused");
  }

  @Test
  void anOfflineClusterIsNotTerminal() {
    cluster("de");
    krake
        .clusters()
        .modifyStatus(
            "tenant",
            "de",
            c ->
                c.status()
                    .withState(ClusterState.OFFLINE)
                    .withReason(
                        Optional.of(
                            Reason.of(ReasonCode.CLUSTER_NOT_REACHABLE, "connection refused"))));

    assertThat(Krake.terminal(krake.clusters().require("tenant", "de"))).isEmpty();
    assertThatThrownBy(
            () ->
                krake.awaitCluster(
                    "tenant",
                    "de",
                    c -> c.status().state() == ClusterState.ONLINE,
                    Duration.ofMillis(200)))
        .hasMessageContaining("did not meet the condition")
        .hasMessageContaining("state OFFLINE, reason CLUSTER_NOT_REACHABLE: connection refused");
  }
}
