package cloud.krake;

import cloud.krake.gc.GarbageCollector;
import cloud.krake.runtime.Component;
import cloud.krake.runtime.KrakeExecutors;
import cloud.krake.scheduler.MetricsFetcher;
import cloud.krake.scheduler.SchedulerController;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loops of one {@link Krake} instance: its components, assembled from the builder, and their
 * life (started on worker threads, or watched and drained on the caller's thread, then closed
 * together with the extensions and the {@link KrakeExecutors}). The contracts are those of {@link
 * Krake#start}, {@link Krake#watch}, {@link Krake#drain}, {@link Krake#settle} and {@link
 * Krake#close}.
 *
 * <p>Thread-safe: the three flags are guarded by this.
 */
final class ComponentLoops {

  // Krake's logger, as before these loops were taken out of it
  private static final Logger log = LoggerFactory.getLogger(Krake.class);

  private final KrakeExecutors executors;
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final List<Component> components;
  private final Membership membership;

  /** Guarded by this. */
  private boolean started;

  /** Guarded by this. */
  private boolean watching;

  /** Guarded by this. */
  private boolean closed;

  /**
   * Makes the components: the built-in ones (if the builder wants them) first, then the added ones,
   * each from {@code context}. If that fails, or two components share a name, closes what was made,
   * the extensions and the executors, and throws.
   *
   * @param context the instance being built, with its timer, workers and executors set
   * @param builder the builder it is built from
   * @param membership the instance's membership, whose contexts the components get
   * @throws IllegalArgumentException if two components share a name
   */
  ComponentLoops(KrakeContext instance, Krake.Builder builder, Membership membership) {
    this.executors = instance.executors();
    this.membership = membership;
    KrakeContext context = membership.components();
    List<Component> built = new ArrayList<>();
    // closed after the components, the last installed first
    for (int i = builder.extensions.size() - 1; i >= 0; i--) {
      closeables.add(builder.extensions.get(i));
    }
    try {
      if (builder.builtInControllers) {
        MetricsFetcher fetcher =
            new MetricsFetcher(context, builder.metricsProviders, builder.metricsCacheTtl);
        closeables.add(fetcher);
        built.add(
            new SchedulerController(
                context,
                fetcher,
                builder.schedulerConfig,
                builder.random,
                context.timer(),
                context.workers()));
        built.add(new GarbageCollector(membership.collector(), context.timer(), context.workers()));
      }
      for (Function<? super KrakeContext, ? extends Component> factory : builder.components) {
        built.add(
            Objects.requireNonNull(factory.apply(context), "a component factory returned null"));
      }
    } catch (RuntimeException e) {
      built.forEach(Component::close);
      closeQuietly();
      throw e;
    }
    Set<String> names = new HashSet<>();
    for (Component c : built) {
      if (!names.add(c.name())) {
        built.forEach(Component::close);
        closeQuietly();
        throw new IllegalArgumentException("two components are named " + c.name());
      }
    }
    this.components = List.copyOf(built);
  }

  /** The components in the order they start. */
  List<Component> components() {
    return components;
  }

  /** As {@link Krake#start()}. */
  synchronized void start() {
    checkOpen();
    if (started) {
      return;
    }
    membership.start();
    started = true;
    watching = true;
    for (Component c : components) {
      c.start();
    }
    log.info("Krake started: {}", components.stream().map(Component::name).toList());
  }

  /** As {@link Krake#watch()}. */
  synchronized void watch() {
    checkOpen();
    if (watching) {
      return;
    }
    membership.start();
    watching = true;
    for (Component c : components) {
      c.watch();
    }
  }

  /** As {@link Krake#drain()}. */
  int drain() {
    synchronized (this) {
      if (started) {
        throw new IllegalStateException("this Krake instance runs its own workers");
      }
    }
    int total = 0;
    while (true) {
      int pass = 0;
      for (Component c : components) {
        pass += c.drain();
      }
      if (pass == 0) {
        return total;
      }
      total += pass;
    }
  }

  /** As {@link Krake#settle(Duration)}. */
  int settle(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long quietNanos = Krake.SETTLE_QUIET_PERIOD.toNanos();
    int total = 0;
    long quietSince = System.nanoTime();
    while (true) {
      int done = drain();
      total += done;
      long now = System.nanoTime();
      if (done > 0 || queued() > 0) {
        quietSince = now;
      } else if (now - quietSince >= quietNanos) {
        return total;
      }
      if (now - deadline > 0) {
        throw new KrakeException(
            "the loops did not settle within " + timeout + "; still queued: " + queued());
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
    }
  }

  /** As {@link Krake#queued()}. */
  int queued() {
    return components.stream().mapToInt(Component::queued).sum();
  }

  /** As {@link Krake#close()}. */
  synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (int i = components.size() - 1; i >= 0; i--) {
      try {
        components.get(i).close();
      } catch (RuntimeException e) {
        log.warn("Closing component {} failed", components.get(i).name(), e);
      }
    }
    membership.close();
    closeQuietly();
  }

  private void closeQuietly() {
    for (AutoCloseable c : closeables) {
      try {
        c.close();
      } catch (Exception e) {
        log.warn("Closing {} failed", c, e);
      }
    }
    executors.close();
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("this Krake instance is closed");
    }
  }
}
