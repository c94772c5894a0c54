package cloud.krake.membership;

import cloud.krake.Krake;
import cloud.krake.KrakeContext;
import cloud.krake.model.Application;
import cloud.krake.runtime.ReconcileResult;
import cloud.krake.runtime.ReconcilingComponent;
import cloud.krake.runtime.Reflector;
import cloud.krake.runtime.ResourceKey;
import cloud.krake.store.Lease;
import cloud.krake.store.Store;
import cloud.krake.store.StoreUnavailableException;
import cloud.krake.store.Watch;
import cloud.krake.store.WatchEvent;
import cloud.krake.store.WatchListener;
import cloud.krake.testing.ForwardingStore;
import cloud.krake.testing.ManualClock;
import cloud.krake.testing.ManualTimer;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One {@link Krake} instance of a group in a test: its own store client (which a test can cut off
 * from the store: keep-alives fail and watch events are withheld), its own manual clock and timer,
 * and a {@link Recorder} component that records who reconciles which application when.
 */
final class GroupMember implements AutoCloseable {

  /** Applications being reconciled by any member of the group, to catch two at once. */
  static final class Overlaps {
    final Map<ResourceKey, String> active = new ConcurrentHashMap<>();
    final AtomicInteger overlaps = new AtomicInteger();
    final Map<ResourceKey, Set<String>> reconciledBy = new ConcurrentHashMap<>();
  }

  final String id;
  final ManualClock clock = new ManualClock(Instant.parse("2026-12-06T10:00:00Z"));
  final ManualTimer timer = new ManualTimer(clock);
  final Client client;
  final Krake krake;
  volatile KrakeContext context;
  volatile Recorder recorder;

  GroupMember(String id, Store shared, MembershipConfig config, Overlaps overlaps) {
    this.id = id;
    this.client = new Client(shared);
    this.krake =
        Krake.builder()
            .store(client)
            .clock(clock)
            .timer(timer)
            .builtInControllers(false)
            .membership(config.withInstanceId(id))
            .component(
                ctx -> {
                  context = ctx;
                  recorder = new Recorder(ctx, overlaps, id);
                  return recorder;
                })
            .build();
  }

  /** Moves this member's time on: its keep-alives and delays run. */
  void advance(Duration d) {
    timer.advance(d);
  }

  @Override
  public void close() {
    krake.close();
  }

  /** A store client that can be cut off: keep-alives fail and watch events are held back. */
  static final class Client extends ForwardingStore {
    volatile boolean cutOff;

    /** Keep-alives wait for this (a slow store: the call is sent, its answer is late). */
    volatile CountDownLatch keepAliveAnswer = new CountDownLatch(0);

    final AtomicInteger keepAlives = new AtomicInteger();
    private final Map<WatchListener, java.util.List<WatchEvent>> held = new HashMap<>();

    Client(Store delegate) {
      super(delegate);
    }

    @Override
    public Lease keepAliveLease(Lease lease) {
      if (cutOff) {
        throw new StoreUnavailableException(
            "cut off by the test", new java.io.IOException("cut off"));
      }
      try {
        if (!keepAliveAnswer.await(30, TimeUnit.SECONDS)) {
          throw new IllegalStateException("the test never answered the keep-alive");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StoreUnavailableException("interrupted", new java.io.IOException(e));
      }
      Lease kept = super.keepAliveLease(lease);
      keepAlives.incrementAndGet();
      return kept;
    }

    @Override
    public Watch watch(String prefix, long fromRevision, WatchListener listener) {
      return super.watch(
          prefix,
          fromRevision,
          interceptingEvents(
              listener,
              event -> {
                synchronized (held) {
                  if (cutOff) {
                    held.computeIfAbsent(listener, l -> new java.util.ArrayList<>()).add(event);
                    return;
                  }
                }
                listener.onEvent(event);
              }));
    }

    /**
     * Reconnects: delivers the events held back, in order, before any later one (an event that
     * comes meanwhile waits for the lock, then finds the client connected).
     */
    void reconnect() {
      synchronized (held) {
        held.forEach((l, events) -> events.forEach(l::onEvent));
        held.clear();
        cutOff = false;
      }
    }
  }

  /**
   * Reconciles applications of its member's shards: labels each with the member's id, records
   * overlaps, and can be made to block in a reconcile.
   */
  static final class Recorder extends ReconcilingComponent<ResourceKey> {
    private final KrakeContext ctx;
    private final Overlaps overlaps;
    private final String id;
    volatile CountDownLatch entered = new CountDownLatch(0);
    volatile CountDownLatch release = new CountDownLatch(0);
    final AtomicInteger reconciles = new AtomicInteger();

    /** The keys its reflector handed to its work queue (after the queue took or ignored them). */
    final Set<ResourceKey> offered = ConcurrentHashMap.newKeySet();

    Recorder(KrakeContext ctx, Overlaps overlaps, String id) {
      super("recorder", ctx.clock(), ctx.timer(), 2);
      this.ctx = ctx;
      this.overlaps = overlaps;
      this.id = id;
      Reflector<Application> apps =
          reflect(
              new Reflector<>(
                  "recorder",
                  ctx.applications(),
                  key -> {
                    queue().add(key);
                    offered.add(key);
                  },
                  ctx.timer()));
      shardBy(
          ctx.membership(),
          k -> ctx.membership().shardOf(k.namespace(), k.name()),
          apps::cachedKeys);
    }

    @Override
    protected ReconcileResult reconcile(ResourceKey key) {
      String other = overlaps.active.putIfAbsent(key, id);
      if (other != null) {
        overlaps.overlaps.incrementAndGet();
      }
      try {
        reconciles.incrementAndGet();
        overlaps.reconciledBy.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(id);
        entered.countDown();
        try {
          if (!release.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the test never released " + key);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return ReconcileResult.done();
        }
        ctx.applications()
            .get(key.namespace(), key.name())
            .filter(a -> !id.equals(a.metadata().labels().get("reconciled-by")))
            .ifPresent(
                a -> {
                  Map<String, String> labels = new HashMap<>(a.metadata().labels());
                  labels.put("reconciled-by", id);
                  ctx.applications().update(a.withMetadata(a.metadata().withLabels(labels)));
                });
        return ReconcileResult.done();
      } finally {
        if (other == null) {
          overlaps.active.remove(key, id);
        }
      }
    }
  }
}
