package cloud.krake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.krake.model.Application;
import cloud.krake.model.KrakeJson;
import cloud.krake.runtime.Component;
import cloud.krake.store.memory.MemoryStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The entry point's lifecycle: components, start/close, step-by-step driving, await helpers. */
class KrakeLifecycleTest {

  private final MemoryStore store = MemoryStore.create();

  @AfterEach
  void closeStore() {
    store.close();
  }

  private void cluster(Krake krake, String name) {
    TestClusters.online(
        krake, TestClusters.read("{name: %s, namespace: tenant}".formatted(name), ""));
  }

  private void app(Krake krake, String name) {
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

  @Test
  void startedInstanceSchedulesAnApplicationAndAwaitSeesIt() {
    try (Krake krake = Krake.builder().store(store).build()) {
      krake.start();
      cluster(krake, "one");
      app(krake, "echo");

      Application bound =
          krake.awaitApplication(
              "tenant", "echo", a -> a.status().scheduledTo().isPresent(), Duration.ofSeconds(10));

      assertThat(bound.status().scheduledTo().orElseThrow().name()).isEqualTo("one");
    }
  }

  @Test
  void steppedInstanceDoesNothingUntilDrivenThenSettles() {
    try (Krake krake = Krake.builder().store(store).build()) {
      krake.watch();
      cluster(krake, "one");
      app(krake, "echo");

      int processed = krake.settle(Duration.ofSeconds(10));

      assertThat(processed).isPositive();
      assertThat(krake.applications().require("tenant", "echo").status().scheduledTo()).isPresent();
      assertThat(krake.queued()).isZero();
    }
  }

  @Test
  void awaitNamesTheApplicationAndItsLastStateOnTimeout() {
    try (Krake krake = Krake.builder().store(store).build()) {
      app(krake, "idle");

      assertThatThrownBy(
              () -> krake.awaitApplication("tenant", "idle", a -> false, Duration.ofMillis(50)))
          .isInstanceOf(KrakeException.class)
          .hasMessageContaining("tenant/idle")
          .hasMessageContaining("state PENDING");
    }
  }

  @Test
  void awaitGoneReturnsOnceTheApplicationIsRemoved() {
    try (Krake krake = Krake.builder().store(store).build()) {
      app(krake, "short");
      Thread remover = new Thread(() -> krake.applications().forceDelete("tenant", "short"));
      remover.start();

      krake.awaitApplicationGone("tenant", "short", Duration.ofSeconds(10));

      assertThat(krake.applications().get("tenant", "short")).isEmpty();
    }
  }

  @Test
  void componentsStartInOrderAndCloseInReverseOnce() {
    List<String> calls = new ArrayList<>();
    Krake krake =
        Krake.builder()
            .store(store)
            .builtInControllers(false)
            .extension(
                b ->
                    b.component(k -> new Recording("a", calls))
                        .component(k -> new Recording("b", calls)))
            .build();
    assertThat(krake.components()).extracting(Component::name).containsExactly("a", "b");
    krake.start();
    krake.start();
    krake.close();
    krake.close();
    assertThat(calls).containsExactly("start a", "start b", "close b", "close a");
  }

  @Test
  void closedInstanceRefusesToStart() {
    Krake krake = Krake.builder().store(store).build();
    krake.close();

    assertThatThrownBy(krake::start).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void twoComponentsWithOneNameAreRejected() {
    List<String> calls = new ArrayList<>();
    assertThatThrownBy(
            () ->
                Krake.builder()
                    .store(store)
                    .component(k -> new Recording("scheduler", calls))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("scheduler");
    assertThat(calls).containsExactly("close scheduler");
  }

  @Test
  void drainRunsPassesUntilNoComponentHasWork() {
    AtomicInteger work = new AtomicInteger(3);
    Component countdown =
        new Recording("countdown", new ArrayList<>()) {
          @Override
          public int drain() {
            return work.getAndUpdate(w -> Math.max(0, w - 1)) > 0 ? 1 : 0;
          }
        };
    try (Krake krake =
        Krake.builder().store(store).builtInControllers(false).component(k -> countdown).build()) {
      assertThat(krake.drain()).isEqualTo(3);
    }
  }

  private static class Recording implements Component {
    private final String name;
    private final List<String> calls;

    Recording(String name, List<String> calls) {
      this.name = name;
      this.calls = calls;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public void watch() {
      calls.add("watch " + name);
    }

    @Override
    public void start() {
      calls.add("start " + name);
    }

    @Override
    public int drain() {
      return 0;
    }

    @Override
    public int queued() {
      return 0;
    }

    @Override
    public void close() {
      calls.add("close " + name);
    }
  }
}
