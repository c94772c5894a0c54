package cloud.krake.runtime;

/**
 * One of the loops a {@link cloud.krake.Krake} instance runs: the scheduler, the garbage collector,
 * the Kubernetes application and cluster controllers, or the host's own. Each lists and watches
 * what it needs, feeds a work queue, and processes it either on its own worker threads ({@link
 * #start()}) or on the caller's thread ({@link #drain()}).
 *
 * <p>Implementations are thread-safe; {@link #drain()} may run concurrently with the workers.
 */
public interface Component extends AutoCloseable {

  /** Returns a short name for logs and thread names, unique within a {@code Krake} instance. */
  String name();

  /**
   * Starts listing and watching, so that the work queue fills, without starting workers: for
   * driving the component step by step with {@link #drain()}. Idempotent.
   */
  void watch();

  /** Starts watching (if not yet) and the worker threads. Idempotent. */
  void start();

  /**
   * Processes the work that is ready now on the calling thread, until none is ready. Work delayed
   * into the future (a requeue after, a back-off) is not waited for.
   *
   * @return how many items were processed
   * @throws IllegalStateException if {@link #start()} was called (the workers own the queue)
   */
  int drain();

  /** Returns how many items are ready in the work queue (not those delayed into the future). */
  int queued();

  /**
   * Returns the state of the component's worker threads and watches, for {@code Krake.health()}.
   * Cheap: reads flags, never calls the store. Default: {@link ComponentHealth#untracked}.
   */
  default ComponentHealth health() {
    return ComponentHealth.untracked(name());
  }

  /** Stops watching and the workers; waits a bounded time for work in progress. Idempotent. */
  @Override
  void close();
}
