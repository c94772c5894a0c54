package cloud.krake;

import cloud.krake.KrakeHealth.HealthCheck;
import cloud.krake.runtime.Component;
import cloud.krake.runtime.ComponentHealth;
import cloud.krake.runtime.KrakeExecutors;
import cloud.krake.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The checks behind {@link Krake#health()}: {@value KrakeHealth#STORE}, {@value
 * KrakeHealth#WATCHES} and {@value KrakeHealth#CONTROLLERS}, as {@link KrakeHealth} describes them.
 *
 * <p>The store check calls {@link Store#revision()} (one cheap read, no listing) on the pool
 * {@value #POOL} of the instance's {@link KrakeExecutors} (one daemon thread {@code
 * krake-health-1}) and waits at most the timeout for it; while an earlier call still hangs, the
 * check is down at once without queueing another. The other checks read the components' flags and
 * never block.
 *
 * <p>Thread-safe: {@code pending} is guarded by this.
 */
final class KrakeHealthChecks {

  /** The name of the pool the store check runs on. */
  static final String POOL = "health";

  private final Store store;
  private final Clock clock;
  private final KrakeExecutors executors;
  private final ComponentLoops loops;

  /** The store call of the last check, possibly still running. Guarded by this. */
  private Future<Long> pending;

  KrakeHealthChecks(Store store, Clock clock, KrakeExecutors executors, ComponentLoops loops) {
    this.store = store;
    this.clock = clock;
    this.executors = executors;
    this.loops = loops;
  }

  /** As {@link Krake#health(Duration)}. */
  KrakeHealth check(Duration storeTimeout) {
    return new KrakeHealth(
        clock.instant(), List.of(storeCheck(storeTimeout), watchesCheck(), controllersCheck()));
  }

  private HealthCheck storeCheck(Duration timeout) {
    Future<Long> call;
    synchronized (this) {
      if (pending != null && !pending.isDone()) {
        return storeDown("the previous check's call has not returned yet");
      }
      try {
        ExecutorService pool =
            executors.executor(
                POOL,
                ExecutorService.class,
                () ->
                    Executors.newSingleThreadExecutor(
                        KrakeExecutors.daemonThreads("krake-health-")));
        call = pool.submit(store::revision);
      } catch (IllegalStateException | RejectedExecutionException e) {
        return storeDown("this Krake instance is closed");
      }
      pending = call;
    }
    long start = System.nanoTime();
    try {
      long revision = call.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      return new HealthCheck(
          KrakeHealth.STORE, true, false, "revision " + revision + " in " + millis + " ms");
    } catch (TimeoutException e) {
      return storeDown("no answer within " + timeout);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      return storeDown(cause.getClass().getSimpleName() + ": " + cause.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return storeDown("interrupted while waiting for the store");
    }
  }

  private static HealthCheck storeDown(String detail) {
    return new HealthCheck(KrakeHealth.STORE, false, false, detail);
  }

  private HealthCheck watchesCheck() {
    String state = notRunning();
    if (state != null) {
      return new HealthCheck(KrakeHealth.WATCHES, false, false, state);
    }
    int watching = 0;
    List<String> stopped = new ArrayList<>();
    for (Component c : loops.components()) {
      ComponentHealth h = c.health();
      watching += h.watching().size();
      h.notWatching().forEach(r -> stopped.add(c.name() + "/" + r));
    }
    if (!stopped.isEmpty()) {
      return new HealthCheck(KrakeHealth.WATCHES, false, false, "not watching: " + stopped);
    }
    return new HealthCheck(KrakeHealth.WATCHES, true, false, watching + " watching");
  }

  private HealthCheck controllersCheck() {
    String state = notRunning();
    if (state != null) {
      return new HealthCheck(KrakeHealth.CONTROLLERS, false, true, state);
    }
    List<Component> components = loops.components();
    if (!loops.started()) {
      return new HealthCheck(
          KrakeHealth.CONTROLLERS,
          true,
          true,
          components.size() + " components, driven by the caller (no worker threads)");
    }
    int workers = 0;
    int alive = 0;
    List<String> dead = new ArrayList<>();
    for (Component c : components) {
      ComponentHealth h = c.health();
      workers += h.workers();
      alive += h.workersAlive();
      if (h.workersAlive() < h.workers()) {
        dead.add(c.name() + ": " + h.workersAlive() + " of " + h.workers() + " workers alive");
      }
    }
    if (!dead.isEmpty()) {
      return new HealthCheck(KrakeHealth.CONTROLLERS, false, true, String.join("; ", dead));
    }
    return new HealthCheck(
        KrakeHealth.CONTROLLERS,
        true,
        true,
        components.size() + " components, " + alive + " of " + workers + " workers alive");
  }

  /** Returns why the loops do not run at all, or null if they are started or watched. */
  private String notRunning() {
    if (loops.closed()) {
      return "this Krake instance is closed";
    }
    if (!loops.watching()) {
      return "not started: neither start() nor watch() was called";
    }
    return null;
  }
}
