package cloud.krake.runtime;

import java.util.Locale;

/**
 * Where the library reports what it does, for a metrics system to count and time: reconciles, calls
 * of the hook endpoint, shutdown attempts, execution and lifecycle hook runs, and store operations.
 * Every method has a no-op default, so an implementation overrides only what it records; {@link
 * #NOOP} records nothing and is the default of {@code Krake.builder()}. The Micrometer binding
 * ({@code cloud.krake.micrometer.MicrometerKrakeMetrics}, module {@code krake-micrometer})
 * implements it.
 *
 * <p>Contract for implementations: the library calls these methods on its own threads (worker
 * threads, the hook server's threads, the caller's thread of a store operation), often
 * concurrently, after the work they report and never while holding a lock of its own. They must be
 * thread-safe, return quickly, not block and not throw (an exception would surface in the caller's
 * work). The arguments are constants or names the library already holds (enum values, a component's
 * name, a status code), so a call builds no string; durations are in nanoseconds, from {@link
 * System#nanoTime()} differences (wall-clock independent, never negative).
 */
public interface KrakeMetricsRecorder {

  /** Records nothing; the default of {@code Krake.Builder.metricsRecorder}. */
  KrakeMetricsRecorder NOOP =
      new KrakeMetricsRecorder() {
        @Override
        public String toString() {
          return "KrakeMetricsRecorder.NOOP";
        }
      };

  /** How one reconcile of a key ended, as the {@code Controller} treats it. */
  enum ReconcileOutcome {
    /** The reconciler returned {@code done()}: nothing more to do for the key. */
    SUCCESS,
    /** The reconciler returned {@code requeueAfter(delay)}: the key comes back after the delay. */
    REQUEUE,
    /** A lost compare-and-set ({@code ConflictException}): the key is read again at once. */
    CONFLICT,
    /** The reconciler threw, or asked for back-off: the key comes back with back-off. */
    ERROR;

    private final String tag = name().toLowerCase(Locale.ROOT);

    /** Returns the lowercase name, the value of a metric tag (e.g. {@code "success"}). */
    public String tag() {
      return tag;
    }
  }

  /** How a run of an execution hook or a container lifecycle hook ended. */
  enum HookRunOutcome {
    /** The hook ran to completion successfully. */
    SUCCESS,
    /** The hook failed (its action failed, or returned a failure). */
    FAILURE,
    /** The hook did not finish within its timeout. */
    TIMEOUT;

    private final String tag = name().toLowerCase(Locale.ROOT);

    /** Returns the lowercase name, the value of a metric tag (e.g. {@code "failure"}). */
    public String tag() {
      return tag;
    }
  }

  /**
   * What happened to one attempt of Krake's shutdown protocol ({@code shutdown} hook: {@code PUT
   * /shutdown} to the application), and how a round of attempts ended.
   */
  enum ShutdownAttemptOutcome {
    /** The application's shutdown service answered (any HTTP status counts, as in Krake). */
    CALLED,
    /** No answer: no {@code services["shutdown"]} entry, a refused connection or a timeout. */
    CALL_FAILED,
    /**
     * All attempts ran out without acknowledgement and the failure strategy is {@code delete}: the
     * controller goes on without it.
     */
    PROCEEDED_WITHOUT_ACKNOWLEDGEMENT,
    /** All attempts ran out and the failure strategy is {@code give_up}: DEGRADED was written. */
    GAVE_UP;

    private final String tag = name().toLowerCase(Locale.ROOT);

    /** Returns the lowercase name, the value of a metric tag (e.g. {@code "call_failed"}). */
    public String tag() {
      return tag;
    }
  }

  /** A kind of operation on the {@code Store}. */
  enum StoreOperation {
    /** {@code get}. */
    GET,
    /** {@code list} and {@code listAll}, one per page. */
    LIST,
    /** {@code create}, with or without a lease or guard. */
    CREATE,
    /** {@code update}, with or without a guard. */
    UPDATE,
    /** {@code delete}, with or without a guard. */
    DELETE,
    /** {@code revision}. */
    REVISION,
    /** {@code watch} (opening the watch only; its events are not timed). */
    WATCH,
    /** {@code compact}. */
    COMPACT,
    /** {@code grantLease}, {@code keepAliveLease}, {@code revokeLease}, {@code leaseTimeToLive}. */
    LEASE;

    private final String tag = name().toLowerCase(Locale.ROOT);

    /** Returns the lowercase name, the value of a metric tag (e.g. {@code "update"}). */
    public String tag() {
      return tag;
    }
  }

  /**
   * One reconcile of a key by a controller finished.
   *
   * @param controller the controller's (component's) name, e.g. {@code scheduler}
   * @param outcome how it ended
   * @param durationNanos how long the reconciler ran, in nanoseconds
   */
  default void reconcileFinished(String controller, ReconcileOutcome outcome, long durationNanos) {}

  /**
   * The hook endpoint (Krake's {@code /complete} and {@code /shutdown}) answered a call.
   *
   * @param hook {@code "complete"} or {@code "shutdown"}; the path's last segment when the endpoint
   *     does not know it ({@code "unknown"})
   * @param status the HTTP status code of the answer, e.g. 200, 401, 404
   */
  default void hookEndpointCall(String hook, int status) {}

  /**
   * A shutdown attempt of Krake's shutdown protocol was made, or a round of attempts ended without
   * acknowledgement.
   *
   * @param outcome what happened
   */
  default void shutdownAttempt(ShutdownAttemptOutcome outcome) {}

  /**
   * An execution hook (Kanister-style blueprint action) ran.
   *
   * @param kind which of the action's hooks, as Kasten K10 names them: {@code "preHook"}, {@code
   *     "onSuccess"} or {@code "onFailure"}
   * @param outcome how it ended
   * @param durationNanos how long it ran, in nanoseconds
   */
  default void executionHookRun(String kind, HookRunOutcome outcome, long durationNanos) {}

  /**
   * A container lifecycle hook (Kubernetes' {@code postStart} / {@code preStop}) ran.
   *
   * @param kind the hook point as Krake's {@code spec.lifecycle} names it: {@code "post_start"} or
   *     {@code "pre_stop"}
   * @param outcome how it ended
   * @param durationNanos how long it ran, in nanoseconds
   */
  default void lifecycleHookRun(String kind, HookRunOutcome outcome, long durationNanos) {}

  /**
   * A store operation returned or threw.
   *
   * @param operation which
   * @param durationNanos how long it took, in nanoseconds
   * @param conflict whether it failed with a {@code ConflictException} (a lost compare-and-set or a
   *     key that already exists)
   */
  default void storeOperation(StoreOperation operation, long durationNanos, boolean conflict) {}
}
