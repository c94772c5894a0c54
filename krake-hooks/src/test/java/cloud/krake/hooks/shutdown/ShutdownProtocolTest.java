package cloud.krake.hooks.shutdown;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import cloud.krake.InvalidConfigurationException;
import cloud.krake.hooks.FailureStrategy;
import cloud.krake.hooks.ShutdownHookConfig;
import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.ApplicationStatus;
import cloud.krake.model.KrakeJson;
import cloud.krake.model.Reason;
import cloud.krake.model.ReasonCode;
import cloud.krake.model.ResourceRef;
import cloud.krake.runtime.KrakeMetricsRecorder;
import cloud.krake.runtime.KrakeMetricsRecorder.ShutdownAttemptOutcome;
import cloud.krake.store.Applications;
import cloud.krake.store.memory.MemoryStore;
import cloud.krake.testing.ManualClock;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The shutdown protocol against a real HTTP shutdown service ({@code mockwebserver3}) answering,
 * hanging and refusing, on a {@link MemoryStore}, with time driven by a manual clock.
 */
class ShutdownProtocolTest {

  private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");
  private static final Duration BOUND = Duration.ofSeconds(5);
  private static final String NS = "ns";

  private final ManualClock clock = new ManualClock(T0);
  private final MemoryStore store = MemoryStore.create();
  private final Applications apps = new Applications(store, clock);
  private final MockWebServer service = new MockWebServer();
  private final List<RecordedRequest> received = new CopyOnWriteArrayList<>();
  private final List<ShutdownProtocol> protocols = new ArrayList<>();

  /** What the protocols report to their metrics recorder, in order. */
  private final List<ShutdownAttemptOutcome> reported = new CopyOnWriteArrayList<>();

  private final KrakeMetricsRecorder recorder =
      new KrakeMetricsRecorder() {
        @Override
        public void shutdownAttempt(ShutdownAttemptOutcome outcome) {
          reported.add(outcome);
        }
      };

  /** What the service does with the next request; answers 200 by default. */
  private final AtomicReference<java.util.function.Function<RecordedRequest, MockResponse>>
      behaviour = new AtomicReference<>(request -> ok());

  @BeforeEach
  void startService() throws IOException {
    service.setDispatcher(
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            received.add(request);
            return behaviour.get().apply(request);
          }
        });
    service.start();
  }

  @AfterEach
  void stopEverything() {
    protocols.forEach(ShutdownProtocol::close);
    service.close();
    store.close();
  }

  // ---- acknowledgement ----

  @Test
  void proceedsWithoutWaitingForAnApplicationWithoutTheShutdownHook() {
    deployed("echo", "hooks: []", serviceEndpoint());
    apps.delete(NS, "echo");

    ShutdownDecision decision = protocol(config()).step(NS, "echo", ShutdownPurpose.DELETION);

    assertThat(decision).isEqualTo(ShutdownDecision.proceed(false));
    assertThat(service.getRequestCount()).isZero();
  }

  @Test
  void proceedsAsAcknowledgedWhenTheApplicationAcknowledgesInTime() {
    deletedWithHook("echo", "");
    behaviour.set(
        request -> {
          apps.acknowledgeShutdown(NS, "echo"); // as the hook endpoint would
          return ok();
        });
    ShutdownProtocol protocol = protocol(config());

    ShutdownDecision first = protocol.step(NS, "echo", ShutdownPurpose.DELETION);
    await().atMost(BOUND).until(() -> state("echo") == ApplicationState.READY_FOR_ACTION);
    ShutdownDecision second = protocol.step(NS, "echo", ShutdownPurpose.DELETION);

    assertThat(first).isEqualTo(ShutdownDecision.waitUntil(T0.plusSeconds(30)));
    assertThat(second).isEqualTo(ShutdownDecision.proceed(true));
    assertThat(second.acknowledged()).isTrue();
    assertThat(received).hasSize(1);
    RecordedRequest call = received.get(0);
    assertThat(call.getMethod()).isEqualTo("PUT");
    assertThat(call.getUrl().encodedPath()).isEqualTo("/shutdown");
    assertThat(call.getHeaders().get(ShutdownProtocol.ATTEMPT_HEADER))
        .isEqualTo("ns/echo/1/" + T0.plusSeconds(30).toEpochMilli());
    assertThat(status("echo").shutdownAttempts()).isZero();
    assertThat(status("echo").shutdownGracePeriod()).isEmpty();
  }

  @Test
  void persistsTheAttemptAndItsDeadlineBeforeCallingTheService() {
    deletedWithHook("echo", "");
    AtomicReference<ApplicationStatus> seenByService = new AtomicReference<>();
    behaviour.set(
        request -> {
          seenByService.set(status("echo"));
          return ok();
        });

    protocol(config()).step(NS, "echo", ShutdownPurpose.DELETION);
    await().atMost(BOUND).until(() -> seenByService.get() != null);

    assertThat(seenByService.get().state()).isEqualTo(ApplicationState.WAITING_FOR_CLEANING);
    assertThat(seenByService.get().shutdownAttempts()).isEqualTo(1);
    assertThat(seenByService.get().shutdownGracePeriod()).contains(T0.plusSeconds(30));
  }

  @Test
  void aLateAcknowledgementAfterGivingUpStillProceeds() {
    deletedWithHook("echo", "");
    ShutdownProtocol protocol = protocol(config().withFailureStrategy(FailureStrategy.GIVE_UP));
    protocol.step(NS, "echo", ShutdownPurpose.DELETION);
    clock.set(T0.plusSeconds(30));
    assertThat(protocol.step(NS, "echo", ShutdownPurpose.DELETION))
        .isEqualTo(ShutdownDecision.gaveUp());

    apps.acknowledgeShutdown(NS, "echo");

    assertThat(protocol.step(NS, "echo", ShutdownPurpose.DELETION))
        .isEqualTo(ShutdownDecision.proceed(true));
  }

  // ---- retries and failure strategies ----

  @Test
  void retriesUntilTheRetryCountIsUsedThenProceedsWithoutAcknowledgementWithDelete() {
    deletedWithHook("echo", "");
    ShutdownProtocol protocol = protocol(config().withFailureRetryCount(3));

    ShutdownDecision last = runOutOfAttempts(protocol, "echo", ShutdownPurpose.DELETION, 4, 30);

    assertThat(last).isEqualTo(ShutdownDecision.proceedWithoutAcknowledgement());
    assertThat(last.isProceed()).isTrue();
    assertThat(last.acknowledged()).isFalse();
    assertThat(attemptHeaders())
        .containsExactly("ns/echo/1", "ns/echo/2", "ns/echo/3", "ns/echo/4");
    long revision = store.revision();
    assertThat(protocol.step(NS, "echo", ShutdownPurpose.DELETION)).isEqualTo(last);
    assertThat(store.revision()).isEqualTo(revision);
    assertThat(service.getRequestCount()).isEqualTo(4);
  }

  @Test
  void reportsEachAnsweredCallAndTheGiveUpOnceToTheMetricsRecorder() {
    deletedWithHook("echo", "");
    ShutdownProtocol protocol =
        protocol(config().withFailureStrategy(FailureStrategy.GIVE_UP).withFailureRetryCount(1));

    runOutOfAttempts(protocol, "echo", ShutdownPurpose.DELETION, 2, 30);
    protocol.step(NS, "echo", ShutdownPurpose.DELETION); // DEGRADED: not applicable, not reported

    await()
        .atMost(BOUND)
        .untilAsserted(
            () ->
                assertThat(reported)
                    .containsExactlyInAnyOrder(
                        ShutdownAttemptOutcome.CALLED,
                        ShutdownAttemptOutcome.CALLED,
                        ShutdownAttemptOutcome.GAVE_UP));
  }

  @Test
  void reportsAMissingShutdownServiceAsAFailedCallAndTheRoundEndedWithoutAcknowledgement() {
    deletedWithHook("echo", "", Map.of());
    ShutdownProtocol protocol = protocol(config().withFailureRetryCount(0));

    protocol.step(NS, "echo", ShutdownPurpose.DELETION);
    ShutdownDecision last = protocol.step(NS, "echo", ShutdownPurpose.DELETION);

    assertThat(last).isEqualTo(ShutdownDecision.proceedWithoutAcknowledgement());
    assertThat(reported)
        .containsExactly(
            ShutdownAttemptOutcome.CALL_FAILED,
            ShutdownAttemptOutcome.PROCEEDED_WITHOUT_ACKNOWLEDGEMENT);
  }

  @Test
  void givesUpAfterTheLastAttemptLeavingTheDeletedApplicationDegradedWithItsResources() {
    deletedWithHook("echo", "");
    ShutdownProtocol protocol =
        protocol(config().withFailureStrategy(FailureStrategy.GIVE_UP).withFailureRetryCount(1));

    ShutdownDecision last = runOutOfAttempts(protocol, "echo", ShutdownPurpose.DELETION, 2, 30);

    assertThat(last).isEqualTo(ShutdownDecision.gaveUp());
    ApplicationStatus status = status("echo");
    assertThat(status.state()).isEqualTo(ApplicationState.DEGRADED);
    assertThat(status.shutdownGracePeriod()).isEmpty();
    assertThat(status.shutdownAttempts()).isEqualTo(2);
    assertThat(status.runningOn()).isPresent();
    long revision = store.revision();
    ShutdownDecision after = protocol.step(NS, "echo", ShutdownPurpose.DELETION);
    assertThat(after.kind()).isEqualTo(ShutdownDecision.Kind.NOT_APPLICABLE);
    assertThat(after.reason()).contains("DEGRADED");
    assertThat(store.revision()).isEqualTo(revision);
    assertThat(service.getRequestCount()).isEqualTo(2);
  }

  @Test
  void migrationMovesARunningApplicationToWaitingForCleaningAndProceedsOnAcknowledgement() {
    deployed("echo", "hooks: [shutdown]", serviceEndpoint());
    behaviour.set(
        request -> {
          apps.acknowledgeShutdown(NS, "echo");
          return ok();
        });
    ShutdownProtocol protocol = protocol(config());

    ShutdownDecision first = protocol.step(NS, "echo", ShutdownPurpose.MIGRATION);
    ApplicationState during = state("echo");
    await().atMost(BOUND).until(() -> state("echo") == ApplicationState.READY_FOR_ACTION);

    assertThat(first).isEqualTo(ShutdownDecision.waitUntil(T0.plusSeconds(30)));
    assertThat(during)
        .isIn(ApplicationState.WAITING_FOR_CLEANING, ApplicationState.READY_FOR_ACTION);
    assertThat(protocol.step(NS, "echo", ShutdownPurpose.MIGRATION))
        .isEqualTo(ShutdownDecision.proceed(true));
  }

  @Test
  void migrationWithDeleteMovesWithoutTheAcknowledgement() {
    deployed("echo", "hooks: [shutdown]", serviceEndpoint());
    ShutdownProtocol protocol = protocol(config());

    ShutdownDecision last = runOutOfAttempts(protocol, "echo", ShutdownPurpose.MIGRATION, 1, 30);

    assertThat(last).isEqualTo(ShutdownDecision.proceedWithoutAcknowledgement());
  }

  @Test
  void migrationWithGiveUpKeepsTheApplicationDegradedOnItsOldCluster() {
    deployed("echo", "hooks: [shutdown]", serviceEndpoint());
    ShutdownProtocol protocol = protocol(config().withFailureStrategy(FailureStrategy.GIVE_UP));

    ShutdownDecision last = runOutOfAttempts(protocol, "echo", ShutdownPurpose.MIGRATION, 1, 30);

    assertThat(last).isEqualTo(ShutdownDecision.gaveUp());
    assertThat(status("echo").state()).isEqualTo(ApplicationState.DEGRADED);
    assertThat(status("echo").runningOn()).contains(cluster("old"));
    assertThat(status("echo").scheduledTo()).contains(cluster("new"));
  }

  @Test
  void applicationOverridesWinOverTheConfiguration() {
    deletedWithHook(
        "echo",
        """
          shutdown_grace_time: 5
          shutdown_failure_strategy: give_up
          shutdown_retry_count: 2
        """);
    ShutdownProtocol protocol = protocol(config()); // 30 s, delete, no retry

    // each attempt is checked to wait 5 s, not 30 s
    ShutdownDecision last = runOutOfAttempts(protocol, "echo", ShutdownPurpose.DELETION, 3, 5);

    assertThat(clock.instant()).isEqualTo(T0.plusSeconds(15));
    assertThat(last).isEqualTo(ShutdownDecision.gaveUp());
    assertThat(service.getRequestCount()).isEqualTo(3);
  }

  @Test
  void retryAfterGivingUpStartsANewRoundAtAttemptOne() {
    deletedWithHook("echo", "");
    ShutdownProtocol protocol = protocol(config().withFailureStrategy(FailureStrategy.GIVE_UP));
    runOutOfAttempts(protocol, "echo", ShutdownPurpose.DELETION, 1, 30);
    Instant later = clock.instant().plusSeconds(100);
    clock.set(later);

    apps.retryShutdown(NS, "echo");
    ShutdownDecision decision = protocol.step(NS, "echo", ShutdownPurpose.DELETION);

    assertThat(decision).isEqualTo(ShutdownDecision.waitUntil(later.plusSeconds(30)));
    assertThat(status("echo").shutdownAttempts()).isEqualTo(1);
    await().atMost(BOUND).until(() -> received.size() == 2);
    assertThat(attemptHeaders()).containsExactly("ns/echo/1", "ns/echo/1");
    assertThat(attemptIds()).doesNotHaveDuplicates();
  }

  // ---- restart ----

  @Test
  void resumesTheWaitAfterARestartWithoutCallingAgain() {
    deletedWithHook("echo", "");
    ShutdownProtocol before = protocol(config().withFailureRetryCount(1));
    ShutdownDecision started = before.step(NS, "echo", ShutdownPurpose.DELETION);
    await().atMost(BOUND).until(() -> received.size() == 1);
    // the call's end is recorded: the next instance knows the service got attempt 1
    await().atMost(BOUND).until(() -> status("echo").shutdownCallCompleted().isPresent());
    before.close();

    clock.set(T0.plusSeconds(10));
    ShutdownProtocol after = protocol(config().withFailureRetryCount(1));
    ShutdownDecision resumed = after.step(NS, "echo", ShutdownPurpose.DELETION);
    clock.set(T0.plusSeconds(30));
    ShutdownDecision next = after.step(NS, "echo", ShutdownPurpose.DELETION);
    await().atMost(BOUND).until(() -> received.size() == 2);

    assertThat(resumed)
        .isEqualTo(started)
        .isEqualTo(ShutdownDecision.waitUntil(T0.plusSeconds(30)));
    assertThat(next).isEqualTo(ShutdownDecision.waitUntil(T0.plusSeconds(60)));
    assertThat(attemptHeaders()).containsExactly("ns/echo/1", "ns/echo/2");
    assertThat(status("echo").shutdownAttempts()).isEqualTo(2);
  }

  /**
   * Issue 17's handover gap: the owner wrote attempt 1 (durably, before calling, as the protocol
   * does) and stopped before its call left (killed, or deposed); the next owner finds the attempt
   * with no record of a call and must call the service, under a new attempt id, rather than wait
   * the attempt out and apply the failure strategy with the service never called.
   */
  @Test
  void anAttemptRecordedByAnOwnerThatStoppedBeforeCallingIsCalledByTheNextOwner() {
    deletedWithHook("echo", "");
    CountDownLatch callStarted = new CountDownLatch(1);
    OkHttpClient dying =
        new OkHttpClient.Builder()
            .addInterceptor(
                chain -> {
                  callStarted.countDown();
                  try {
                    new CountDownLatch(1).await(); // the process dies here: the call never leaves
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("the owner stopped");
                  }
                  return chain.proceed(chain.request());
                })
            .build();
    ShutdownProtocol before =
        ShutdownProtocol.builder().applications(apps).clock(clock).httpClient(dying).build();
    protocols.add(before);
    ShutdownDecision started = before.step(NS, "echo", ShutdownPurpose.DELETION);
    await().atMost(BOUND).until(() -> callStarted.getCount() == 0);
    before.close();
    assertThat(started).isEqualTo(ShutdownDecision.waitUntil(T0.plusSeconds(30)));
    assertThat(status("echo").shutdownAttempts()).isEqualTo(1);

    clock.set(T0.plusSeconds(5));
    ShutdownProtocol after = protocol(config());
    ShutdownDecision resumed = after.step(NS, "echo", ShutdownPurpose.DELETION);
    clock.set(T0.plusSeconds(30)); // the stopped owner's deadline
    ShutdownDecision atOldDeadline = after.step(NS, "echo", ShutdownPurpose.DELETION);

    assertThat(atOldDeadline)
        .as("the step at the stopped owner's deadline, with %d call(s) made", received.size())
        .isEqualTo(ShutdownDecision.waitUntil(T0.plusSeconds(35)));
    assertThat(resumed).isEqualTo(ShutdownDecision.waitUntil(T0.plusSeconds(35)));
    await().atMost(BOUND).until(() -> received.size() == 1);
    assertThat(attemptIds()).containsExactly("ns/echo/1/" + T0.plusSeconds(35).toEpochMilli());
    assertThat(status("echo").shutdownAttempts()).isEqualTo(1);
  }

  // ---- failing, hanging and missing services ----

  @Test
  void aRefusedCallEndsTheAttemptEarly() throws IOException {
    deletedWithHook("echo", "", Map.of("shutdown", "127.0.0.1:" + closedPort()));
    ShutdownProtocol protocol = protocol(config());

    ShutdownDecision first = protocol.step(NS, "echo", ShutdownPurpose.DELETION);
    clock.set(T0.plusSeconds(2));
    // The failure callback ends the attempt at its "now": T0 or T0+2s, depending on thread timing.
    await().atMost(BOUND).until(() -> endedEarly("echo", T0.plusSeconds(2)));

    assertThat(first).isEqualTo(ShutdownDecision.waitUntil(T0.plusSeconds(30)));
    assertThat(protocol.step(NS, "echo", ShutdownPurpose.DELETION))
        .isEqualTo(ShutdownDecision.proceedWithoutAcknowledgement());
  }

  @Test
  void aMissingShutdownServiceEndsTheAttemptAtOnce() {
    deletedWithHook("echo", "", Map.of());
    ShutdownProtocol protocol = protocol(config().withFailureRetryCount(1));

    ShutdownDecision first = protocol.step(NS, "echo", ShutdownPurpose.DELETION);
    ApplicationStatus afterFirst = status("echo");
    ShutdownDecision second = protocol.step(NS, "echo", ShutdownPurpose.DELETION);
    ShutdownDecision third = protocol.step(NS, "echo", ShutdownPurpose.DELETION);

    assertThat(first).isEqualTo(ShutdownDecision.waitUntil(T0));
    assertThat(afterFirst.shutdownAttempts()).isEqualTo(1);
    assertThat(afterFirst.shutdownGracePeriod()).contains(T0);
    assertThat(second).isEqualTo(ShutdownDecision.waitUntil(T0));
    assertThat(third).isEqualTo(ShutdownDecision.proceedWithoutAcknowledgement());
    assertThat(service.getRequestCount()).isZero();
  }

  @Test
  void anErrorAnswerCountsAsCalledAndTheAttemptRunsItsGraceTime() {
    deletedWithHook("echo", "");
    behaviour.set(request -> new MockResponse.Builder().code(500).build());

    protocol(config()).step(NS, "echo", ShutdownPurpose.DELETION);

    await().atMost(BOUND).until(() -> received.size() == 1);
    await()
        .during(Duration.ofMillis(300))
        .atMost(BOUND)
        .until(() -> status("echo").shutdownGracePeriod().equals(Optional.of(T0.plusSeconds(30))));
  }

  @Test
  void aHangingServiceDoesNotBlockStepsForOtherApplications() throws IOException {
    behaviour.set(request -> stall());
    deletedWithHook("hangs", "");
    try (MockWebServer answering = new MockWebServer()) {
      answering.setDispatcher(
          new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
              return ok();
            }
          });
      answering.start();
      deletedWithHook("answers", "", Map.of("shutdown", endpointOf(answering)));
      ShutdownProtocol protocol = protocol(config(), Duration.ofSeconds(30));

      ShutdownDecision hanging = protocol.step(NS, "hangs", ShutdownPurpose.DELETION);
      await().atMost(BOUND).until(() -> received.size() == 1);
      ShutdownDecision other = protocol.step(NS, "answers", ShutdownPurpose.DELETION);
      await().atMost(BOUND).until(() -> answering.getRequestCount() == 1);

      assertThat(hanging).isEqualTo(ShutdownDecision.waitUntil(T0.plusSeconds(30)));
      assertThat(other).isEqualTo(ShutdownDecision.waitUntil(T0.plusSeconds(30)));
      assertThat(status("hangs").shutdownGracePeriod()).contains(T0.plusSeconds(30));
    }
  }

  @Test
  void aHangingServiceEndsTheAttemptAtTheReadTimeout() {
    behaviour.set(request -> stall());
    deletedWithHook("echo", "");
    ShutdownProtocol protocol = protocol(config(), Duration.ofMillis(200));

    protocol.step(NS, "echo", ShutdownPurpose.DELETION);
    clock.set(T0.plusSeconds(1));
    await().atMost(BOUND).until(() -> endedEarly("echo", T0.plusSeconds(1)));

    assertThat(protocol.step(NS, "echo", ShutdownPurpose.DELETION))
        .isEqualTo(ShutdownDecision.proceedWithoutAcknowledgement());
  }

  @Test
  void aFailureOfAnOldAttemptDoesNotEndTheCurrentOne() {
    behaviour.set(request -> stall());
    deletedWithHook("echo", "");
    ShutdownProtocol protocol = protocol(config().withFailureRetryCount(1), Duration.ofMillis(500));
    protocol.step(NS, "echo", ShutdownPurpose.DELETION);
    await().atMost(BOUND).until(() -> received.size() == 1);
    behaviour.set(request -> ok());
    clock.set(T0.plusSeconds(30));

    protocol.step(NS, "echo", ShutdownPurpose.DELETION); // attempt 2 while attempt 1 still hangs

    await().atMost(BOUND).until(() -> received.size() == 2);
    await()
        .during(Duration.ofMillis(800))
        .atMost(BOUND)
        .until(() -> status("echo").shutdownGracePeriod().equals(Optional.of(T0.plusSeconds(60))));
  }

  // ---- states ----

  @Test
  void aFailedApplicationThatNeverRanGoesStraightToTheFailureStrategyWithoutACall() {
    deletedWithHook("deletes", "", Map.of());
    deletedWithHook("gives-up", "shutdown_failure_strategy: give_up", Map.of());
    apps.modifyStatus(NS, "deletes", a -> neverRan(a.status()));
    apps.modifyStatus(NS, "gives-up", a -> neverRan(a.status()));
    ShutdownProtocol protocol = protocol(config());

    assertThat(protocol.step(NS, "deletes", ShutdownPurpose.DELETION))
        .isEqualTo(ShutdownDecision.proceedWithoutAcknowledgement());
    assertThat(protocol.step(NS, "gives-up", ShutdownPurpose.DELETION))
        .isEqualTo(ShutdownDecision.gaveUp());
    assertThat(state("gives-up")).isEqualTo(ApplicationState.DEGRADED);
    assertThat(service.getRequestCount()).isZero();
  }

  @Test
  void aFailedApplicationWhoseWorkloadMayBeRunningIsShutDownBeforeTheStrategy() {
    deletedWithHook("transient", "");
    apps.modifyStatus(
        NS,
        "transient",
        a ->
            a.status()
                .withState(ApplicationState.FAILED)
                .withReason(Optional.of(Reason.of(ReasonCode.KUBERNETES_ERROR, "HTTP 503"))));
    ShutdownProtocol protocol = protocol(config());

    ShutdownDecision decision = protocol.step(NS, "transient", ShutdownPurpose.DELETION);

    assertThat(decision).isEqualTo(ShutdownDecision.waitUntil(T0.plus(config().timeout())));
    await().atMost(BOUND).until(() -> received.size() == 1);
    assertThat(state("transient")).isEqualTo(ApplicationState.WAITING_FOR_CLEANING);
  }

  private static ApplicationStatus neverRan(ApplicationStatus status) {
    return status.withState(ApplicationState.FAILED).withRunningOn(Optional.empty());
  }

  @Test
  void doesNothingInStatesWhereKrakeDoesNothingAndWritesNothing() {
    deletedWithHook("deleting", "");
    apps.modifyStatus(NS, "deleting", a -> a.status().withState(ApplicationState.DELETING));
    deployed("creating", "hooks: [shutdown]", serviceEndpoint());
    apps.modifyStatus(NS, "creating", a -> a.status().withState(ApplicationState.CREATING));
    deployed("running", "hooks: [shutdown]", serviceEndpoint());
    ShutdownProtocol protocol = protocol(config());
    long revision = store.revision();

    List<ShutdownDecision> decisions =
        List.of(
            protocol.step(NS, "deleting", ShutdownPurpose.DELETION),
            protocol.step(NS, "creating", ShutdownPurpose.MIGRATION),
            protocol.step(NS, "running", ShutdownPurpose.DELETION),
            protocol.step(NS, "deleting", ShutdownPurpose.MIGRATION),
            protocol.step(NS, "missing", ShutdownPurpose.DELETION));

    assertThat(decisions)
        .extracting(ShutdownDecision::kind)
        .containsOnly(ShutdownDecision.Kind.NOT_APPLICABLE);
    assertThat(decisions.get(0).reason()).contains("DELETING");
    assertThat(decisions.get(1).reason()).contains("CREATING");
    assertThat(decisions.get(2).reason()).contains("not marked deleted");
    assertThat(decisions.get(4).reason()).contains("does not exist");
    assertThat(store.revision()).isEqualTo(revision);
    assertThat(service.getRequestCount()).isZero();
  }

  @Test
  void movesADeletedApplicationThatIsRunningAgainBackToWaitingForCleaning() {
    deletedWithHook("echo", "");
    apps.modifyStatus(NS, "echo", a -> a.status().withState(ApplicationState.RUNNING));

    ShutdownDecision decision = protocol(config()).step(NS, "echo", ShutdownPurpose.DELETION);

    assertThat(decision).isEqualTo(ShutdownDecision.waitUntil(T0.plusSeconds(30)));
    assertThat(state("echo")).isEqualTo(ApplicationState.WAITING_FOR_CLEANING);
    await().atMost(BOUND).until(() -> received.size() == 1);
  }

  @Test
  void concurrentStepsStartAnAttemptAndCallTheServiceOnce() throws Exception {
    deletedWithHook("echo", "");
    ShutdownProtocol protocol = protocol(config());
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<ShutdownDecision>> results = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        results.add(
            pool.submit(
                () -> {
                  start.await();
                  return protocol.step(NS, "echo", ShutdownPurpose.DELETION);
                }));
      }
      start.countDown();
      for (Future<ShutdownDecision> result : results) {
        assertThat(result.get(BOUND.toSeconds(), TimeUnit.SECONDS))
            .isEqualTo(ShutdownDecision.waitUntil(T0.plusSeconds(30)));
      }
    } finally {
      pool.shutdownNow();
    }

    await().atMost(BOUND).until(() -> received.size() == 1);
    await().during(Duration.ofMillis(300)).atMost(BOUND).until(() -> received.size() == 1);
    assertThat(status("echo").shutdownAttempts()).isEqualTo(1);
  }

  // ---- builder and values ----

  @Test
  void rejectsABuilderWithoutApplicationsOrWithBadValuesNamingEach() {
    assertThatThrownBy(
            () ->
                ShutdownProtocol.builder()
                    .readTimeout(Duration.ZERO)
                    .maxConcurrentCalls(0)
                    .config(config().withFailureRetryCount(-1))
                    .build())
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("applications")
        .hasMessageContaining("readTimeout")
        .hasMessageContaining("maxConcurrentCalls")
        .hasMessageContaining("hooks.shutdown.failure_retry_count");
  }

  @Test
  void refusesStepsAfterCloseAndClosesTwiceQuietly() {
    ShutdownProtocol protocol = protocol(config());
    protocol.close();
    protocol.close();

    assertThatThrownBy(() -> protocol.step(NS, "echo", ShutdownPurpose.DELETION))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void callsComeFromNamedLibraryThreads() {
    deletedWithHook("echo", "");
    AtomicReference<String> thread = new AtomicReference<>();
    ShutdownProtocol protocol = protocol(config());
    protocol.step(NS, "echo", ShutdownPurpose.DELETION);
    await().atMost(BOUND).until(() -> received.size() == 1);

    await()
        .atMost(BOUND)
        .until(
            () -> {
              Thread.getAllStackTraces().keySet().stream()
                  .map(Thread::getName)
                  .filter(n -> n.startsWith("krake-shutdown-"))
                  .findFirst()
                  .ifPresent(thread::set);
              return thread.get() != null;
            });
    assertThat(thread.get()).matches("krake-shutdown-\\d+");
  }

  @Test
  void decisionsAreValuesWithInvariants() {
    assertThat(ShutdownDecision.waitUntil(T0).deadline()).contains(T0);
    assertThat(ShutdownDecision.proceed(true).deadline()).isEmpty();
    assertThat(ShutdownDecision.gaveUp().kind()).isEqualTo(ShutdownDecision.Kind.GAVE_UP);
    assertThat(ShutdownDecision.waitUntil(T0)).isEqualTo(ShutdownDecision.waitUntil(T0));
    assertThat(ShutdownDecision.waitUntil(T0).toString()).contains("WAIT");
    assertThatThrownBy(() -> ShutdownDecision.notApplicable(" "))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // ---- helpers ----

  /**
   * Steps through {@code attempts} attempts that nobody acknowledges, moving the clock to each
   * deadline, and returns the decision after the last one.
   */
  private ShutdownDecision runOutOfAttempts(
      ShutdownProtocol protocol, String name, ShutdownPurpose purpose, int attempts, int grace) {
    int before = received.size();
    for (int i = 1; i <= attempts; i++) {
      ShutdownDecision decision = protocol.step(NS, name, purpose);
      Instant deadline = clock.instant().plusSeconds(grace);
      assertThat(decision).isEqualTo(ShutdownDecision.waitUntil(deadline));
      int expected = before + i;
      await().atMost(BOUND).until(() -> received.size() == expected);
      assertThat(protocol.step(NS, name, purpose)).isEqualTo(decision); // no new call before
      clock.set(deadline);
    }
    return protocol.step(NS, name, purpose);
  }

  private ShutdownProtocol protocol(ShutdownHookConfig config) {
    return protocol(config, Duration.ofSeconds(5));
  }

  private ShutdownProtocol protocol(ShutdownHookConfig config, Duration readTimeout) {
    ShutdownProtocol protocol =
        ShutdownProtocol.builder()
            .applications(apps)
            .config(config)
            .clock(clock)
            .connectTimeout(Duration.ofSeconds(2))
            .readTimeout(readTimeout)
            .metricsRecorder(recorder)
            .build();
    protocols.add(protocol);
    return protocol;
  }

  private static ShutdownHookConfig config() {
    return ShutdownHookConfig.defaults();
  }

  private Application deployed(String name, String specLines, Map<String, String> services) {
    Application app =
        KrakeJson.read(
            """
            metadata: {name: %s, namespace: ns}
            spec:
              manifest: [{apiVersion: v1, kind: Pod, metadata: {name: %s}}]
              constraints: {cluster: {}}
              %s
            """
                .formatted(
                    name,
                    name,
                    String.join("\n  ", specLines.strip().lines().map(String::strip).toList())),
            Application.class);
    apps.create(app);
    return apps.modifyStatus(
        NS,
        name,
        a ->
            a.status()
                .withState(ApplicationState.RUNNING)
                .withRunningOn(Optional.of(cluster("old")))
                .withScheduledTo(Optional.of(cluster("new")))
                .withServices(services));
  }

  private void deletedWithHook(String name, String specLines) {
    deletedWithHook(name, specLines, serviceEndpoint());
  }

  private void deletedWithHook(String name, String specLines, Map<String, String> services) {
    deployed(name, "hooks: [shutdown]\n" + specLines, services);
    apps.delete(NS, name);
    assertThat(state(name)).isEqualTo(ApplicationState.WAITING_FOR_CLEANING);
  }

  private Map<String, String> serviceEndpoint() {
    return Map.of("shutdown", endpointOf(service));
  }

  private static String endpointOf(MockWebServer server) {
    return server.getHostName() + ":" + server.getPort();
  }

  private static ResourceRef cluster(String name) {
    return ResourceRef.of("kubernetes", NS, "Cluster", name);
  }

  private ApplicationStatus status(String name) {
    return apps.require(NS, name).status();
  }

  /** Whether the current attempt's deadline was moved from now + grace to at most {@code by}. */
  private boolean endedEarly(String name, Instant by) {
    return status(name).shutdownGracePeriod().map(deadline -> !deadline.isAfter(by)).orElse(false);
  }

  private ApplicationState state(String name) {
    return status(name).state();
  }

  /** The attempt ids without their deadline part: namespace/name/attempt. */
  private List<String> attemptHeaders() {
    return attemptIds().stream().map(id -> id.substring(0, id.lastIndexOf('/'))).toList();
  }

  private List<String> attemptIds() {
    return received.stream().map(r -> r.getHeaders().get(ShutdownProtocol.ATTEMPT_HEADER)).toList();
  }

  private static MockResponse ok() {
    return new MockResponse.Builder().code(200).build();
  }

  private static MockResponse stall() {
    return new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE).build();
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
