package cloud.krake.runtime;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The common shape of a {@link Component} built on the runtime: a {@link Controller} whose work
 * queue is fed by {@link Reflector}s, with {@link #watch()} starting them, {@link #start()} adding
 * the workers, {@link #drain()} for step-by-step driving and {@link #close()} stopping everything.
 * Subclasses implement {@link #reconcile}, register their reflectors with {@link #reflect} in their
 * constructor, and release what else they hold in {@link #closeResources()}.
 *
 * <p>Thread-safe as {@link Component} requires.
 *
 * @param <K> the key of the work queue
 */
public abstract class ReconcilingComponent<K> implements Component {

  private final String name;
  private final Controller<K> controller;
  private final List<Reflector<?>> reflectors = new ArrayList<>();

  /** Guarded by this. */
  private boolean watching;

  /**
   * Creates the component and its controller (not started).
   *
   * @param name the component's name, also the controller's and its threads'
   * @param clock the clock of the work queue's delays
   * @param scheduler runs delayed re-queues and back-off
   * @param workers worker threads for {@link #start()}
   */
  protected ReconcilingComponent(String name, Clock clock, Timer scheduler, int workers) {
    this(name, clock, scheduler, workers, KrakeMetricsRecorder.NOOP);
  }

  /**
   * Creates the component and its controller (not started), reporting each reconcile.
   *
   * @param name the component's name, also the controller's and its threads'
   * @param clock the clock of the work queue's delays
   * @param scheduler runs delayed re-queues and back-off
   * @param workers worker threads for {@link #start()}
   * @param recorder where each reconcile is reported, e.g. the context's {@code metricsRecorder()}
   */
  protected ReconcilingComponent(
      String name, Clock clock, Timer scheduler, int workers, KrakeMetricsRecorder recorder) {
    this.name = Objects.requireNonNull(name, "name");
    this.controller =
        Controller.<K>builder(name, this::reconcile)
            .clock(clock)
            .timer(scheduler)
            .workerCount(workers)
            .metricsRecorder(recorder)
            .build();
  }

  /**
   * Reconciles one key; called by a worker or by {@link #drain()}, one call per key at a time.
   *
   * @param key the key
   * @return what the runtime does next with the key
   */
  protected abstract ReconcileResult reconcile(K key);

  /** Returns the work queue, to feed keys from reflectors and other sources. */
  protected final KeyedWorkQueue<K> queue() {
    return controller.queue();
  }

  /**
   * Registers a reflector that {@link #watch()} starts and {@link #close()} stops; call it from the
   * constructor.
   *
   * @param reflector the reflector
   * @param <R> the reflector itself
   * @return the reflector
   */
  protected final <R extends Reflector<?>> R reflect(R reflector) {
    reflectors.add(Objects.requireNonNull(reflector, "reflector"));
    return reflector;
  }

  /** Releases what the subclass holds besides the controller and reflectors; default nothing. */
  protected void closeResources() {}

  @Override
  public final String name() {
    return name;
  }

  /** Starts the reflectors, feeding the work queue. Idempotent. */
  @Override
  public final synchronized void watch() {
    if (!watching) {
      watching = true;
      reflectors.forEach(Reflector::start);
    }
  }

  /** Starts watching (if not yet) and the worker threads. */
  @Override
  public final void start() {
    watch();
    controller.start();
  }

  /**
   * Processes one ready key on the calling thread.
   *
   * @return whether there was one
   * @throws IllegalStateException if {@link #start()} was called
   */
  public final boolean runOnce() {
    return controller.runOnce();
  }

  @Override
  public final int drain() {
    return controller.drain();
  }

  @Override
  public final int queued() {
    return controller.queue().size();
  }

  /** Reports the controller's workers and the reflectors' watches. */
  @Override
  public final ComponentHealth health() {
    List<String> watching = new ArrayList<>();
    List<String> notWatching = new ArrayList<>();
    for (Reflector<?> r : reflectors) {
      (r.watching() ? watching : notWatching).add(r.name());
    }
    return new ComponentHealth(
        name,
        true,
        controller.started() ? controller.workerCount() : 0,
        controller.workersAlive(),
        watching,
        notWatching);
  }

  /** Stops the reflectors, the workers and then the subclass's resources. Idempotent. */
  @Override
  public final void close() {
    reflectors.forEach(Reflector::close);
    controller.close();
    closeResources();
  }
}
