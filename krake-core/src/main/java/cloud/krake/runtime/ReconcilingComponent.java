package cloud.krake.runtime;

import cloud.krake.membership.KrakeMembership;
import cloud.krake.membership.MembershipListener;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;

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

  /** Set once by {@link #shardBy}, from the constructor. */
  private volatile Optional<Sharding<K>> sharding = Optional.empty();

  private record Sharding<K>(
      KrakeMembership membership, ToIntFunction<? super K> shardOf, MembershipListener listener) {}

  /**
   * Creates the component and its controller (not started).
   *
   * @param name the component's name, also the controller's and its threads'
   * @param clock the clock of the work queue's delays
   * @param scheduler runs delayed re-queues and back-off
   * @param workers worker threads for {@link #start()}
   */
  protected ReconcilingComponent(String name, Clock clock, Timer scheduler, int workers) {
    this.name = Objects.requireNonNull(name, "name");
    this.controller =
        Controller.<K>builder(name, this::reconcileOwned)
            .clock(clock)
            .timer(scheduler)
            .workerCount(workers)
            .build();
  }

  /**
   * Reconciles one key; called by a worker or by {@link #drain()}, one call per key at a time.
   *
   * @param key the key
   * @return what the runtime does next with the key
   */
  protected abstract ReconcileResult reconcile(K key);

  /**
   * Makes this component work only on the keys of the shards its instance owns, when the instance
   * is a group member ({@link KrakeMembership#grouped()}; nothing otherwise): the work queue takes
   * only such keys, a key is reconciled only while its shard is owned (the reconcile counts as work
   * in progress of the shard, which a releasing owner waits for, and writes made on its thread
   * outside the application and cluster keys are fenced by that shard), and on gaining shards every
   * key of {@code keys} in them is queued. Call it from the constructor.
   *
   * @param membership the instance's membership
   * @param shardOf the shard of a key, e.g. {@code k -> membership.shardOf(k.namespace(),
   *     k.name())}
   * @param keys every key known, e.g. a reflector's {@link Reflector#cachedKeys()}
   */
  protected final void shardBy(
      KrakeMembership membership,
      ToIntFunction<? super K> shardOf,
      Supplier<? extends Collection<? extends K>> keys) {
    Objects.requireNonNull(membership, "membership");
    Objects.requireNonNull(shardOf, "shardOf");
    Objects.requireNonNull(keys, "keys");
    if (!membership.grouped()) {
      return;
    }
    MembershipListener resync =
        event -> {
          if (event.gained().isEmpty()) {
            return;
          }
          for (K key : keys.get()) {
            if (event.gained().contains(shardOf.applyAsInt(key))) {
              controller.queue().add(key);
            }
          }
        };
    controller.queue().admitOnly(key -> membership.owns(shardOf.applyAsInt(key)));
    sharding = Optional.of(new Sharding<>(membership, shardOf, resync));
    membership.addListener(resync);
  }

  private ReconcileResult reconcileOwned(K key) {
    Optional<Sharding<K>> sharded = sharding;
    if (sharded.isEmpty()) {
      return reconcile(key);
    }
    KrakeMembership membership = sharded.get().membership();
    int shard = sharded.get().shardOf().applyAsInt(key);
    if (!membership.tryBeginWork(shard)) {
      return ReconcileResult.done(); // another instance owns it now; its resync queues it there
    }
    try {
      return reconcile(key);
    } finally {
      membership.endWork(shard);
    }
  }

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

  /** Stops the reflectors, the workers and then the subclass's resources. Idempotent. */
  @Override
  public final void close() {
    sharding.ifPresent(s -> s.membership().removeListener(s.listener()));
    reflectors.forEach(Reflector::close);
    controller.close();
    closeResources();
  }
}
