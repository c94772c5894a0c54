package cloud.krake.hooks.shutdown;

import cloud.krake.InvalidConfigurationException;
import cloud.krake.KrakeException;
import cloud.krake.hooks.SharedHttpClient;
import cloud.krake.hooks.ShutdownHookConfig;
import cloud.krake.model.Application;
import cloud.krake.model.FieldError;
import cloud.krake.runtime.KrakeExecutors;
import cloud.krake.runtime.KrakeMetricsRecorder;
import cloud.krake.runtime.KrakeMetricsRecorder.ShutdownAttemptOutcome;
import cloud.krake.store.Applications;
import cloud.krake.store.ConflictException;
import cloud.krake.store.NotFoundException;
import cloud.krake.store.Resources;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Krake's graceful shutdown of an application with the {@code shutdown} hook before it is deleted
 * or migrated (Krake's {@code krake/controller/kubernetes/hooks.py} and {@code
 * krake/controller/kubernetes/application/application.py}), as a level-based step that a controller
 * calls until it is told to go on.
 *
 * <p>Each {@link #step} re-reads the application from the store, decides from what it finds, writes
 * its progress with a compare-and-set status write (a lost race re-reads and decides again), and
 * returns a {@link ShutdownDecision}. The protocol, per application:
 *
 * <ol>
 *   <li>The application moves to WAITING_FOR_CLEANING ({@code Applications.delete} has already done
 *       so for a deletion; a migration does it here from RUNNING or RECONCILING).
 *   <li>Attempt 1: {@code shutdown_attempts = 1} and {@code shutdown_grace_period = now + grace}
 *       are written <em>before</em> the service is called, then {@code PUT
 *       http://<status.services["shutdown"]>/shutdown} (https when {@link Builder#https} is set) is
 *       sent in the background with the header {@value #ATTEMPT_HEADER}{@code :
 *       <namespace>/<name>/<attempt>/<deadline in epoch milliseconds>}, an id unique per attempt
 *       and round (a round started by a retry counts its attempts from 1 again), which the
 *       application can de-duplicate on. The step returns {@link ShutdownDecision#waitUntil} the
 *       deadline at once. Any HTTP answer counts as "called" (Krake's contract; a non-2xx one is
 *       logged at warn). When the call ends, {@code shutdown_call_completed = now} is written (by
 *       compare-and-set, after re-reading, only while that attempt is still the current one). A
 *       missing {@code services["shutdown"]} entry, a refused connection or a timeout is a failed
 *       attempt: its deadline is also moved to now, so the write's watch event lets the controller
 *       step again without waiting the grace time.
 *   <li>Until the deadline a step only returns {@code waitUntil(deadline)}, without calling again,
 *       if the attempt's call is known to be made: its end is recorded ({@code
 *       shutdown_call_completed}), or this protocol has it in flight.
 *   <li>Resuming (issue 17): an attempt recorded without an end that this protocol is not calling
 *       was recorded by a caller that stopped (killed, restarted, deposed from the application's
 *       shard) between the write and the call, or while the call was in flight: nobody knows
 *       whether the service got it. The step calls again at once, under a new id: the same attempt
 *       number (the retry count is not spent), a new deadline {@code now + grace} (which makes the
 *       id new). So no attempt id is ever called twice, and every application's service is called
 *       (at least once per round); an application may get one more call, under another id, when its
 *       caller stopped after the service got the call but before its end was recorded. This needs
 *       one caller per application at a time, the protocol's contract: in a group of instances, the
 *       owner of the application's shard (the others' writes are fenced); a standalone instance is
 *       the only one on its store. A deadline written by Krake (without {@code shutdown_attempts})
 *       counts as called.
 *   <li>When the application acknowledges (the hook endpoint moves it to READY_FOR_ACTION, also
 *       late, after the deadline or after giving up), the step returns {@link
 *       ShutdownDecision#proceed proceed(true)}.
 *   <li>Deadline passed without acknowledgement: the next attempt while fewer than {@code 1 + retry
 *       count} were made, else the failure strategy: {@code delete} returns {@link
 *       ShutdownDecision#proceedWithoutAcknowledgement()} (the caller deletes or migrates; nothing
 *       is written here, so repeating the step repeats the decision), {@code give_up} writes
 *       DEGRADED and returns {@link ShutdownDecision#gaveUp()}. A DEGRADED application is then left
 *       alone until {@code Applications.retryShutdown} takes it back to WAITING_FOR_CLEANING, which
 *       starts a new round at attempt 1, or until it acknowledges.
 * </ol>
 *
 * <p>Grace time, failure strategy and retry count come from the {@link ShutdownHookConfig} ({@code
 * hooks.shutdown.timeout}, {@code failure_strategy}, {@code failure_retry_count}); an application's
 * {@code spec.shutdown_grace_time} (seconds), {@code spec.shutdown_failure_strategy} and {@code
 * spec.shutdown_retry_count} win over them.
 *
 * <p>States, as Krake's gating table, for an application with the shutdown hook (without it, every
 * step returns {@code proceed(false)}: nothing to wait for): READY_FOR_ACTION proceeds;
 * WAITING_FOR_CLEANING runs the protocol; RUNNING and RECONCILING first move to
 * WAITING_FOR_CLEANING; FAILED is shut down like RUNNING when its workload may be running ({@code
 * running_on} set or a {@code services["shutdown"]} entry recorded) and otherwise goes straight to
 * the failure strategy without calling the service (Krake's #562 guard); a DEGRADED application and
 * every other state are {@link ShutdownDecision#notApplicable not applicable}, the reason naming
 * the state. A {@link ShutdownPurpose#DELETION} step needs the application marked deleted and a
 * {@link ShutdownPurpose#MIGRATION} step one that is not; otherwise the step is not applicable
 * either. A step for an application that no longer exists is not applicable.
 *
 * <p>Deliberately unlike Krake:
 *
 * <ul>
 *   <li>success is the acknowledgement (READY_FOR_ACTION), not "the object vanished", so a
 *       successful migration is not counted as a failure;
 *   <li>every decision re-reads the application and every write is a compare-and-set; nothing acts
 *       on a snapshot;
 *   <li>the attempt number is persisted next to the deadline ({@code shutdown_attempts}), and a
 *       passed deadline is acted upon, so a restart neither loses nor restarts the shutdown; the
 *       end of each call is persisted too ({@code shutdown_call_completed}), so a call that a
 *       restart or a hand-over interrupted is made again instead of lost;
 *   <li>the service call has connect, read and whole-call timeouts and runs on a bounded pool of
 *       its own, so a hanging application blocks neither the caller nor other applications; each
 *       call carries an attempt id;
 *   <li>{@code give_up} clears {@code shutdown_grace_period} (no attempt is in progress; Krake
 *       leaves it set) and keeps {@code shutdown_attempts} as the number of attempts made, until
 *       {@code retryShutdown} or a late acknowledgement resets it;
 *   <li>the #562 guard (FAILED: no call, failure strategy) applies to both purposes, and only to an
 *       application whose workload cannot be running (no {@code running_on}, no shutdown service
 *       recorded): Krake's guard skips the call for every FAILED application, also one that failed
 *       on a transient API error (a 503 during an update) with its workload running; in Krake it
 *       only fires for direct callers of the shutdown task. A DEGRADED application is not sent to
 *       the strategy again: it is DEGRADED because a shutdown gave up, or because of its health,
 *       and in both cases a retry is the caller's choice;
 *   <li>a deleted application that is RUNNING or RECONCILING again (a concurrent writer overwrote
 *       the WAITING_FOR_CLEANING set by the deletion) is moved back to WAITING_FOR_CLEANING instead
 *       of being left stuck;
 *   <li>an unknown {@code spec.shutdown_failure_strategy} (rejected by validation, but possible in
 *       a document written by Krake) counts as {@code give_up}, as in Krake, the safe choice.
 * </ul>
 *
 * <p>Thread-safe: {@code step} may be called concurrently for any applications, also for the same
 * one (the compare-and-set writes make sure each attempt is started, and its service called, once
 * per store; a step registers the call of the attempt it writes as in flight before the write, so a
 * concurrent step never takes it for a stopped caller's). {@code step} blocks only on the store;
 * service calls run on at most {@link Builder#maxConcurrentCalls} library-owned daemon threads
 * named {@code krake-shutdown-N}, further calls queue; with {@link Builder#executors} that pool is
 * the instance's ({@value #POOL}), shut down when the instance's executors close. Times come from
 * the injected {@link Clock}.
 *
 * <pre>{@code
 * try (ShutdownProtocol shutdown =
 *     ShutdownProtocol.builder().applications(apps).config(hooks.shutdown()).clock(clock).build()) {
 *   ShutdownDecision d = shutdown.step("default", "echo", ShutdownPurpose.DELETION);
 *   if (d.isProceed()) deleteResources(); else d.deadline().ifPresent(this::requeueAt);
 * }
 * }</pre>
 */
public final class ShutdownProtocol implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ShutdownProtocol.class);

  /**
   * The header naming the attempt of a call: {@code <namespace>/<name>/<attempt>/<deadline in epoch
   * milliseconds>}, unique per attempt and round.
   */
  public static final String ATTEMPT_HEADER = "Krake-Shutdown-Attempt";

  /** The {@code status.services} entry of the application's shutdown service, as Krake's. */
  public static final String SHUTDOWN_SERVICE = "shutdown";

  /** The default connect timeout of a service call. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

  /** The default read (and write) timeout of a service call. */
  public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(10);

  /** The default number of service calls in flight at once, and of threads making them. */
  public static final int DEFAULT_MAX_CONCURRENT_CALLS = 8;

  private static final long CLOSE_WAIT_SECONDS = 5;

  /** The name of the call pool in a {@link KrakeExecutors} ({@link Builder#executors}). */
  public static final String POOL = "shutdown";

  private final Applications applications;
  private final ShutdownPlanner planner;
  private final Clock clock;
  private final ThreadPoolExecutor executor;
  private final boolean ownsExecutor;
  private final OkHttpClient client;

  /** Set once by {@link #close()}; read by steps and by call callbacks. */
  private final AtomicBoolean closed = new AtomicBoolean();

  private final KrakeMetricsRecorder recorder;

  /**
   * The attempts (by id) whose call this protocol makes, with the number of steps and calls holding
   * each: entered by a step before it writes the attempt, left by the call once its end is recorded
   * (or by the step if it wrote or started nothing). Memory only: after a restart, or on another
   * instance, an attempt with no recorded end is not in here.
   */
  private final ConcurrentHashMap<String, Integer> calling = new ConcurrentHashMap<>();

  private ShutdownProtocol(Builder builder) {
    this.recorder = builder.recorder;
    this.applications = builder.applications;
    this.planner = new ShutdownPlanner(builder.config, builder.https);
    this.clock = builder.clock;
    int calls = builder.maxConcurrentCalls;
    Supplier<ThreadPoolExecutor> pool =
        () -> {
          ThreadPoolExecutor made =
              new ThreadPoolExecutor(
                  calls,
                  calls,
                  60,
                  TimeUnit.SECONDS,
                  new LinkedBlockingQueue<>(),
                  KrakeExecutors.daemonThreads("krake-shutdown-"));
          made.allowCoreThreadTimeOut(true);
          return made;
        };
    this.ownsExecutor = builder.executors == null;
    this.executor =
        ownsExecutor
            ? pool.get()
            : builder.executors.executor(POOL, ThreadPoolExecutor.class, pool);
    Dispatcher dispatcher = new Dispatcher(executor);
    dispatcher.setMaxRequests(builder.maxConcurrentCalls);
    // Services are NodePorts of the API host: many applications share one host.
    dispatcher.setMaxRequestsPerHost(builder.maxConcurrentCalls);
    OkHttpClient.Builder http =
        builder.httpClient != null
            ? builder.httpClient.newBuilder()
            : builder.executors != null
                ? SharedHttpClient.of(builder.executors).newBuilder()
                : new OkHttpClient.Builder();
    this.client =
        http.dispatcher(dispatcher)
            .connectionPool(new ConnectionPool())
            .connectTimeout(builder.connectTimeout)
            .readTimeout(builder.readTimeout)
            .writeTimeout(builder.readTimeout)
            .callTimeout(builder.connectTimeout.plus(builder.readTimeout).plus(builder.readTimeout))
            .build();
  }

  /** Returns a builder; {@link Builder#applications} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Re-reads the application, takes the next step of its shutdown and says what the caller does
   * next (see the class documentation). Never waits for the application's shutdown service: a call
   * is only started, in the background.
   *
   * @param namespace the application's namespace
   * @param name the application's name
   * @param purpose whether the application is being deleted or migrated
   * @return the decision
   * @throws IllegalStateException if this protocol was closed
   * @throws ConflictException if every compare-and-set lost (more than {@value
   *     Resources#MAX_CONFLICT_RETRIES} concurrent writers)
   * @throws KrakeException if the store fails (for example {@code StoreUnavailableException}); the
   *     step can be repeated
   */
  public ShutdownDecision step(String namespace, String name, ShutdownPurpose purpose) {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(purpose, "purpose");
    if (closed.get()) {
      throw new IllegalStateException("the shutdown protocol is closed");
    }
    for (int round = 0; ; round++) {
      Optional<Application> read = applications.get(namespace, name);
      if (read.isEmpty()) {
        return ShutdownDecision.notApplicable("the application does not exist");
      }
      Application app = read.get();
      ShutdownPlanner.Plan plan =
          planner.plan(app, purpose, clock.instant(), id -> calling.containsKey(id));
      // In flight from before the write: a step that reads the attempt once written finds its
      // call here, not an attempt without a call to make again.
      Optional<String> callId =
          plan.call().map(url -> attemptId(namespace, name, plan.attempt(), plan.deadline()));
      callId.ifPresent(id -> calling.merge(id, 1, Integer::sum));
      boolean callStarted = false;
      try {
        if (plan.status().isPresent()) {
          try {
            applications.updateStatus(app.withStatus(plan.status().get()));
          } catch (ConflictException e) {
            if (round >= Resources.MAX_CONFLICT_RETRIES) {
              throw e;
            }
            log.debug("Shutdown of {}/{}: lost a write race, reading again", namespace, name);
            continue;
          } catch (NotFoundException e) {
            return ShutdownDecision.notApplicable("the application does not exist");
          }
        }
        if (callId.isPresent()) {
          String id = callId.get();
          new ShutdownCall(client, clock, applications, closed, recorder, () -> leave(id))
              .start(namespace, name, plan.call().get(), plan.attempt(), plan.deadline());
          callStarted = true;
        }
      } finally {
        if (!callStarted) {
          callId.ifPresent(this::leave);
        }
      }
      if (plan.failure().isPresent()) {
        recorder.shutdownAttempt(ShutdownAttemptOutcome.CALL_FAILED);
        log.warn(
            "Shutdown of {}/{}: attempt {} failed at once: {}",
            namespace,
            name,
            plan.attempt(),
            plan.failure().get());
      }
      ShutdownDecision decision = plan.decision();
      if (decision.kind() == ShutdownDecision.Kind.GAVE_UP) {
        recorder.shutdownAttempt(ShutdownAttemptOutcome.GAVE_UP);
      } else if (decision.isProceed()
          && !decision.acknowledged()
          && decision.equals(ShutdownDecision.proceedWithoutAcknowledgement())) {
        recorder.shutdownAttempt(ShutdownAttemptOutcome.PROCEEDED_WITHOUT_ACKNOWLEDGEMENT);
      }
      log.debug("Shutdown of {}/{} for {}: {}", namespace, name, purpose, decision);
      return decision;
    }
  }

  /** One step or call fewer holds attempt {@code id}'s call in flight. */
  private void leave(String id) {
    calling.computeIfPresent(id, (key, holders) -> holders == 1 ? null : holders - 1);
  }

  /**
   * Stops the service calls in flight (no end is recorded for them, so whoever steps their
   * applications next, a new instance on the same store or this one's successor, calls again under
   * a new attempt id), and the pool if the protocol made it (not one taken from {@link
   * Builder#executors}, which its owner shuts down); waits up to {@value #CLOSE_WAIT_SECONDS} s for
   * the threads of its own pool. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    client.dispatcher().cancelAll();
    if (ownsExecutor) {
      executor.shutdownNow();
      try {
        if (!executor.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
          log.warn("Shutdown protocol: call threads still running after {} s", CLOSE_WAIT_SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    client.connectionPool().evictAll();
    log.info("Shutdown protocol closed");
  }

  /** The id of one attempt: unique across rounds because the deadline differs. */
  static String attemptId(String namespace, String name, int attempt, Instant deadline) {
    return ShutdownCall.attemptId(namespace, name, attempt, deadline);
  }

  /** Builds a {@link ShutdownProtocol}; not thread-safe. */
  public static final class Builder {
    private Applications applications;
    private ShutdownHookConfig config = ShutdownHookConfig.defaults();
    private Clock clock = Clock.systemUTC();
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private Duration readTimeout = DEFAULT_READ_TIMEOUT;
    private int maxConcurrentCalls = DEFAULT_MAX_CONCURRENT_CALLS;
    private boolean https;
    private OkHttpClient httpClient;
    private KrakeExecutors executors;
    private KrakeMetricsRecorder recorder = KrakeMetricsRecorder.NOOP;

    private Builder() {}

    /**
     * Sets where attempts and their outcomes are reported (default {@link
     * KrakeMetricsRecorder#NOOP}): each call answered ({@code CALLED}) or failed ({@code
     * CALL_FAILED}, also a missing {@code services["shutdown"]} entry), and each step that ends a
     * round without acknowledgement ({@code GAVE_UP}, once, as DEGRADED is written; {@code
     * PROCEEDED_WITHOUT_ACKNOWLEDGEMENT}, per step returning it: a step repeated after the caller
     * failed to delete counts again).
     *
     * @param recorder typically the context's {@code metricsRecorder()}
     * @return this builder
     */
    public Builder metricsRecorder(KrakeMetricsRecorder recorder) {
      this.recorder = Objects.requireNonNull(recorder, "recorder");
      return this;
    }

    /**
     * Sets the typed store layer the progress is read from and written to. Required.
     *
     * @param applications the applications
     * @return this builder
     */
    public Builder applications(Applications applications) {
      this.applications = Objects.requireNonNull(applications, "applications");
      return this;
    }

    /**
     * Sets {@code hooks.shutdown}: grace time per attempt, failure strategy, retry count.
     *
     * @param config the configuration; default {@link ShutdownHookConfig#defaults()} (30 s, {@code
     *     delete}, no retry)
     * @return this builder
     */
    public Builder config(ShutdownHookConfig config) {
      this.config = Objects.requireNonNull(config, "config");
      return this;
    }

    /**
     * Sets the source of the current time for deadlines.
     *
     * @param clock the clock; default {@link Clock#systemUTC()}
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Sets the connect timeout of a service call.
     *
     * @param timeout positive; default {@link #DEFAULT_CONNECT_TIMEOUT} (5 s)
     * @return this builder
     */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * Sets the read and write timeout of a service call; a whole call is bounded by the connect
     * timeout plus twice this.
     *
     * @param timeout positive; default {@link #DEFAULT_READ_TIMEOUT} (10 s)
     * @return this builder
     */
    public Builder readTimeout(Duration timeout) {
      this.readTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * Sets how many service calls run at once, which is also the number of call threads.
     *
     * @param maxConcurrentCalls at least 1; default {@value #DEFAULT_MAX_CONCURRENT_CALLS}
     * @return this builder
     */
    public Builder maxConcurrentCalls(int maxConcurrentCalls) {
      this.maxConcurrentCalls = maxConcurrentCalls;
      return this;
    }

    /**
     * Sets whether the service is called over https instead of Krake's plain http.
     *
     * @param https {@code true} for https; default {@code false}
     * @return this builder
     */
    public Builder https(boolean https) {
      this.https = https;
      return this;
    }

    /**
     * Sets a client whose settings (TLS trust, proxy, interceptors) service calls use. Its
     * dispatcher, connection pool and timeouts are replaced by the protocol's own, so closing the
     * protocol does not affect it.
     *
     * @param httpClient the base client; default a new one
     * @return this builder
     */
    public Builder httpClient(OkHttpClient httpClient) {
      this.httpClient = Objects.requireNonNull(httpClient, "httpClient");
      return this;
    }

    /**
     * Takes the call pool ({@value ShutdownProtocol#POOL}, threads {@code krake-shutdown-N}) from
     * the instance's executors, which shut it down when they close ({@code Krake.close()}), and,
     * unless {@link #httpClient} is set, derives the calls' client from the instance's {@link
     * SharedHttpClient}. {@link ShutdownProtocol#close()} then cancels the calls in flight but
     * leaves the pool to its owner.
     *
     * @param executors the owner, e.g. {@code KrakeContext.executors()}; default none: the protocol
     *     makes and shuts down its own pool
     * @return this builder
     */
    public Builder executors(KrakeExecutors executors) {
      this.executors = Objects.requireNonNull(executors, "executors");
      return this;
    }

    /**
     * Checks the settings and builds the protocol, which owns a call pool until {@link
     * ShutdownProtocol#close()}.
     *
     * @return the protocol
     * @throws InvalidConfigurationException listing every problem: {@code applications} missing, a
     *     timeout not positive, {@code maxConcurrentCalls < 1}, {@code hooks.shutdown.timeout} not
     *     positive or {@code hooks.shutdown.failure_retry_count} negative
     */
    public ShutdownProtocol build() {
      List<FieldError> errors = new ArrayList<>();
      if (applications == null) {
        errors.add(new FieldError("applications", "is required"));
      }
      if (!isPositive(connectTimeout)) {
        errors.add(new FieldError("connectTimeout", "must be positive"));
      }
      if (!isPositive(readTimeout)) {
        errors.add(new FieldError("readTimeout", "must be positive"));
      }
      if (maxConcurrentCalls < 1) {
        errors.add(new FieldError("maxConcurrentCalls", "must be at least 1"));
      }
      if (!isPositive(config.timeout())) {
        errors.add(new FieldError("hooks.shutdown.timeout", "must be positive"));
      }
      if (config.failureRetryCount() < 0) {
        errors.add(new FieldError("hooks.shutdown.failure_retry_count", "must not be negative"));
      }
      if (!errors.isEmpty()) {
        throw new InvalidConfigurationException(errors);
      }
      return new ShutdownProtocol(this);
    }

    private static boolean isPositive(Duration duration) {
      return !duration.isNegative() && !duration.isZero();
    }
  }
}
