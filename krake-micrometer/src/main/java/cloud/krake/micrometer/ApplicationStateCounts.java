package cloud.krake.micrometer;

import cloud.krake.KrakeException;
import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.runtime.ResourceKey;
import cloud.krake.store.Applications;
import cloud.krake.store.ResourceEvent;
import cloud.krake.store.ResourceList;
import cloud.krake.store.ResourceListener;
import cloud.krake.store.Watch;
import cloud.krake.store.WatchEvent;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The number of applications in each state, kept up to date from the store's watch: one listing
 * when started (and again after a compaction), then one map update per watch event. Reading a count
 * is one volatile read, so a scrape costs nothing however many applications the store holds.
 *
 * <p>Thread-safe: the map and counters are concurrent; {@code watch} is guarded by this. Events
 * come one at a time from the store's watch thread.
 */
final class ApplicationStateCounts implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ApplicationStateCounts.class);

  private final Applications applications;
  private final Map<ResourceKey, ApplicationState> states = new ConcurrentHashMap<>();
  private final Map<ApplicationState, AtomicLong> counts = new EnumMap<>(ApplicationState.class);

  /** Guarded by this. */
  private Watch watch;

  /** Guarded by this. */
  private boolean closed;

  ApplicationStateCounts(Applications applications) {
    this.applications = applications;
    for (ApplicationState s : ApplicationState.values()) {
      counts.put(s, new AtomicLong());
    }
  }

  /** Returns the count of a state (never null). */
  AtomicLong count(ApplicationState state) {
    return counts.get(state);
  }

  /** Lists the applications and starts watching from the listing's revision. */
  synchronized void start() {
    if (closed) {
      return;
    }
    if (watch != null) {
      watch.close();
    }
    ResourceList<Application> list = applications.list();
    states.clear();
    counts.values().forEach(c -> c.set(0));
    for (Application a : list.items()) {
      put(ResourceKey.of(a), a.status().state());
    }
    watch = applications.watch(list.revision() + 1, new Listener());
  }

  private void put(ResourceKey key, ApplicationState state) {
    ApplicationState old = states.put(key, state);
    if (old != state) {
      if (old != null) {
        counts.get(old).decrementAndGet();
      }
      counts.get(state).incrementAndGet();
    }
  }

  private void remove(ResourceKey key) {
    ApplicationState old = states.remove(key);
    if (old != null) {
      counts.get(old).decrementAndGet();
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (watch != null) {
      watch.close();
      watch = null;
    }
  }

  private final class Listener implements ResourceListener<Application> {
    @Override
    public void onEvent(ResourceEvent<Application> event) {
      ResourceKey key = ResourceKey.of(event.resource());
      if (event.type() == WatchEvent.Type.DELETED) {
        remove(key);
      } else {
        put(key, event.resource().status().state());
      }
    }

    @Override
    public void onCompacted(long compactRevision) {
      try {
        start();
      } catch (KrakeException e) {
        log.warn(
            "krake.applications gauges: re-listing after a compaction failed: {}", e.toString());
      }
    }
  }
}
