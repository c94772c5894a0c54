package cloud.krake;

import cloud.krake.membership.KrakeMembership;
import cloud.krake.membership.MembershipConfig;
import cloud.krake.membership.MembershipEvent;
import cloud.krake.membership.MembershipListener;
import cloud.krake.membership.ShardNotHeldException;
import cloud.krake.membership.Shards;
import cloud.krake.model.FieldError;
import cloud.krake.runtime.KrakeExecutors;
import cloud.krake.runtime.Timer;
import cloud.krake.store.ConflictException;
import cloud.krake.store.Guard;
import cloud.krake.store.KeyValue;
import cloud.krake.store.Lease;
import cloud.krake.store.LeaseNotFoundException;
import cloud.krake.store.Store;
import cloud.krake.store.Watch;
import cloud.krake.store.WatchEvent;
import cloud.krake.store.WatchListener;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A group member ({@link KrakeMembership}'s mechanism): its lease, its member key, its view of the
 * members and shard keys (one watch of {@code /krake/}), its claims, and the work in progress per
 * shard. Rebalancing (claims and releases) runs on one thread {@code krake-membership}, the lease's
 * keep-alive on another, {@code krake-membership-lease}, so that a slow store call of one does not
 * delay the other.
 *
 * <p>Thread-safe: the mutable state is guarded by this.
 */
final class LeaseMembership implements KrakeMembership, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(KrakeMembership.class);

  private static final String PREFIX = "/krake/";

  private final MembershipConfig config;

  /** This instance's own member record: its shard count and group fingerprints. */
  private final MemberRecord own;

  private final Store store;
  private final Timer timer;
  private final LongSupplier nanos;
  private final KrakeExecutors executors;
  private final List<MembershipListener> listeners = new CopyOnWriteArrayList<>();
  private final ThreadLocal<Integer> current = new ThreadLocal<>();

  /** The live lease, empty before start, after close and while deposed. Guarded by this. */
  private Optional<Lease> lease = Optional.empty();

  /** By {@link #nanos}: the lease is valid (locally) before this. Guarded by this. */
  private long validUntil;

  /** Held shards and the modification revision of the claim. Guarded by this. */
  private final Map<Integer, Long> claims = new TreeMap<>();

  /** Held shards being handed over, with the deadline ({@link #nanos}). Guarded by this. */
  private final Map<Integer, Long> releasing = new TreeMap<>();

  /** Reconciles in progress per shard. Guarded by this. */
  private final int[] inflight;

  /** Members seen, id to member record. Guarded by this. */
  private final Map<String, MemberRecord> members = new TreeMap<>();

  /** Shard keys seen, shard to owner id. Guarded by this. */
  private final Map<Integer, String> shardOwners = new HashMap<>();

  /** The last published view. Guarded by this. */
  private List<Integer> publishedShards = List.of();

  /** Guarded by this. */
  private List<String> publishedPeers = List.of();

  /** Guarded by this. */
  private boolean started;

  /** Guarded by this. */
  private boolean closed;

  /** Guarded by this. */
  private boolean rebalanceQueued;

  /** Whether the store was reported away by the keep-alive. Guarded by this. */
  private boolean awayLogged;

  /** Guarded by this. */
  private Optional<Watch> watch = Optional.empty();

  /** The next keep-alive tick. Guarded by this. */
  private Optional<Timer.Handle> keepAlive = Optional.empty();

  /** Whether a keep-alive round is queued or running on {@link #keeper}. Guarded by this. */
  private boolean keepAliveRunning;

  /** Whether a tick came while a round was running: one more round follows it. Guarded by this. */
  private boolean keepAliveAgain;

  private volatile ExecutorService rebalancer;
  private volatile ExecutorService keeper;

  /**
   * @param config the membership configuration
   * @param fingerprints the configuration every member of the group must share, field to
   *     fingerprint ({@link Krake.Builder#groupFingerprint}); may be empty
   * @param krake the instance, with its store, clock, timer and executors set
   */
  LeaseMembership(MembershipConfig config, Map<String, String> fingerprints, KrakeContext krake) {
    this.config = Objects.requireNonNull(config, "config");
    this.own = MemberRecord.of(config.instanceId(), config.shardCount(), fingerprints);
    this.store = krake.store();
    this.timer = krake.timer();
    this.executors = krake.executors();
    Clock clock = krake.clock();
    // the system clock's wall time may jump: measure the lease by the monotonic clock then
    this.nanos =
        clock.equals(Clock.systemUTC()) ? System::nanoTime : () -> clock.millis() * 1_000_000L;
    this.inflight = new int[config.shardCount()];
  }

  // ------------------------------------------------------------------------------ the view

  @Override
  public String instanceId() {
    return config.instanceId();
  }

  @Override
  public int shardCount() {
    return config.shardCount();
  }

  @Override
  public boolean grouped() {
    return true;
  }

  @Override
  public synchronized List<String> peers() {
    return List.copyOf(eligibleMembers());
  }

  @Override
  public synchronized List<Integer> ownedShards() {
    List<Integer> owned = new ArrayList<>();
    if (leaseValid()) {
      for (Integer n : claims.keySet()) {
        if (!releasing.containsKey(n)) {
          owned.add(n);
        }
      }
    }
    return List.copyOf(owned);
  }

  @Override
  public synchronized boolean owns(int shard) {
    return claims.containsKey(shard) && !releasing.containsKey(shard) && leaseValid();
  }

  @Override
  public synchronized boolean holds(int shard) {
    return claims.containsKey(shard) && leaseValid();
  }

  @Override
  public synchronized Optional<Guard> guard(int shard) {
    Long revision = claims.get(shard);
    if (revision == null || !leaseValid()) {
      throw notHeld(shard);
    }
    return Optional.of(new Guard(shardKey(shard), revision));
  }

  @Override
  public ShardNotHeldException notHeld(int shard) {
    return new ShardNotHeldException(instanceId(), shardKey(shard), shard, Optional.empty());
  }

  @Override
  public boolean tryBeginWork(int shard) {
    synchronized (this) {
      if (!owns(shard)) {
        return false;
      }
      inflight[shard]++;
    }
    current.set(shard);
    return true;
  }

  @Override
  public void endWork(int shard) {
    current.remove();
    boolean handOver;
    synchronized (this) {
      inflight[shard]--;
      handOver = inflight[shard] == 0 && releasing.containsKey(shard);
    }
    if (handOver) {
      requestRebalance();
    }
  }

  /** Returns the shard whose reconcile runs on the calling thread, if any. */
  OptionalInt currentShard() {
    Integer shard = current.get();
    return shard == null ? OptionalInt.empty() : OptionalInt.of(shard);
  }

  @Override
  public void addListener(MembershipListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  @Override
  public void removeListener(MembershipListener listener) {
    listeners.remove(Objects.requireNonNull(listener, "listener"));
  }

  // ------------------------------------------------------------------------------ life

  /**
   * Grants the lease, reads the group, registers the member key, watches the group and starts the
   * keep-alive. Idempotent.
   *
   * @throws InvalidConfigurationException naming {@code membership.shardCount} if a member uses
   *     another shard count, the field of a {@link Krake.Builder#groupFingerprint group
   *     fingerprint} if a member's record has another one for it (or none while this instance has
   *     one, or the reverse; a record without fingerprints, written before they existed, is not
   *     compared), or {@code membership.instanceId} if a live member has this id
   */
  synchronized void start() {
    if (started) {
      return;
    }
    if (closed) {
      throw new IllegalStateException("this Krake instance is closed");
    }
    rebalancer =
        executors.executor(
            "membership",
            ExecutorService.class,
            () ->
                Executors.newSingleThreadExecutor(
                    KrakeExecutors.namedThreads("krake-membership", false, true)));
    keeper =
        executors.executor(
            "membership-lease",
            ExecutorService.class,
            () ->
                Executors.newSingleThreadExecutor(
                    KrakeExecutors.namedThreads("krake-membership-lease", false, true)));
    // the revision first: events after it are delivered again rather than lost (seen twice is
    // harmless, they are applied in order)
    long revision = store.revision();
    List<KeyValue> group = store.listAll(PREFIX);
    members.clear();
    shardOwners.clear();
    for (KeyValue kv : group) {
      seen(kv, false);
    }
    for (Map.Entry<String, MemberRecord> m : members.entrySet()) {
      if (m.getValue().shardCount() != config.shardCount()) {
        throw new InvalidConfigurationException(
            List.of(
                new FieldError(
                    "membership.shardCount",
                    "is "
                        + config.shardCount()
                        + " but member "
                        + m.getKey()
                        + " of the group uses "
                        + m.getValue().shardCount()
                        + "; every instance sharing a store must use the same shard count")));
      }
      Optional<FieldError> mismatch = own.fingerprintMismatch(m.getValue(), m.getKey());
      if (mismatch.isPresent()) {
        throw new InvalidConfigurationException(List.of(mismatch.get()));
      }
    }
    if (members.containsKey(instanceId())) {
      throw new InvalidConfigurationException(
          List.of(
              new FieldError(
                  "membership.instanceId",
                  instanceId()
                      + " is registered by a live instance ("
                      + memberKey()
                      + "); ids must be unique, and a restarted instance's old key lives until"
                      + " its lease expires")));
    }
    register();
    started = true; // only now: a start refused above may be tried again
    watch = Optional.of(store.watch(PREFIX, revision + 1, new GroupListener()));
    scheduleKeepAlive();
    requestRebalance();
    log.info(
        "instance {} joined the group on {} (lease TTL {}, {} shards)",
        instanceId(),
        PREFIX,
        config.leaseTtl(),
        config.shardCount());
  }

  /** Grants a lease and creates the member key with it. Guarded by this (called holding it). */
  private void register() {
    long sent = nanos.getAsLong();
    Lease granted = store.grantLease(config.leaseTtl());
    try {
      store.create(memberKey(), own.bytes(), granted);
    } catch (ConflictException e) {
      try {
        store.revokeLease(granted);
      } catch (RuntimeException ignored) {
        // expires by itself
      }
      throw new InvalidConfigurationException(
          List.of(
              new FieldError(
                  "membership.instanceId",
                  instanceId() + " is registered by a live instance (" + memberKey() + ")")));
    }
    lease = Optional.of(granted);
    validUntil = sent + granted.ttl().toNanos();
    members.put(instanceId(), own);
  }

  /** Stops the keep-alive and the watch, and revokes the lease (the peers take over at once). */
  @Override
  public void close() {
    Optional<Lease> revoke;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      keepAlive.ifPresent(Timer.Handle::cancel);
      watch.ifPresent(Watch::close);
      revoke = lease;
      lease = Optional.empty();
      claims.clear();
      releasing.clear();
    }
    revoke.ifPresent(
        l -> {
          try {
            store.revokeLease(l);
          } catch (RuntimeException e) {
            log.warn(
                "instance {} could not revoke its lease; its shards move when it expires: {}",
                instanceId(),
                e.getMessage());
          }
        });
    log.info("instance {} left the group", instanceId());
  }

  // ------------------------------------------------------------------------------ keep-alive

  /**
   * Schedules the next keep-alive tick. The tick schedules the one after it before it asks for a
   * round, so the cadence is the timer's alone: it does not wait for the round on {@link #keeper}
   * (a slow store call, a busy machine), and a manual timer in a test runs every tick that comes
   * due while it advances.
   */
  private synchronized void scheduleKeepAlive() {
    if (closed) {
      return;
    }
    keepAlive =
        Optional.of(
            timer.schedule(
                () -> {
                  scheduleKeepAlive();
                  requestKeepAlive();
                },
                config.keepAliveInterval()));
  }

  /**
   * Runs a keep-alive round on {@link #keeper}; a tick while one runs asks for one more after it
   * (never two at once, never more than one waiting), so a round always starts after each tick.
   */
  private void requestKeepAlive() {
    synchronized (this) {
      if (closed) {
        return;
      }
      if (keepAliveRunning) {
        keepAliveAgain = true;
        return;
      }
      keepAliveRunning = true;
    }
    submit(keeper, this::keepAliveRounds);
  }

  private void keepAliveRounds() {
    boolean again;
    do {
      try {
        keepAliveOnce();
      } catch (RuntimeException e) {
        log.warn("instance {}: the keep-alive round failed", instanceId(), e);
      }
      synchronized (this) {
        again = keepAliveAgain && !closed;
        keepAliveAgain = false;
        keepAliveRunning = again;
      }
    } while (again);
  }

  private void keepAliveOnce() {
    Optional<Lease> held;
    synchronized (this) {
      if (closed) {
        return;
      }
      held = lease;
    }
    if (held.isEmpty()) {
      rejoin();
      return;
    }
    long sent = nanos.getAsLong();
    boolean lapsed = false;
    try {
      Lease kept = store.keepAliveLease(held.get());
      synchronized (this) {
        if (lease.equals(held)) {
          // the lease lapsed locally (the answer came late) although the store kept it: while
          // it lapsed this instance owned nothing, so its components ignored the events of its
          // shards and the rebalance did nothing; regaining every shard resyncs them all
          lapsed = !leaseValid();
          validUntil = sent + kept.ttl().toNanos();
          if (lapsed && !publishedShards.isEmpty()) {
            publishedShards = List.of();
          }
        }
        if (awayLogged) {
          awayLogged = false;
          log.info("instance {} keeps its lease alive again", instanceId());
        }
      }
    } catch (LeaseNotFoundException e) {
      deposed("its lease expired");
      rejoin();
    } catch (RuntimeException e) {
      synchronized (this) {
        if (!awayLogged) {
          awayLogged = true;
          log.warn(
              "instance {} could not keep its lease alive (it stops acting once the lease TTL"
                  + " has passed since the last success): {}",
              instanceId(),
              e.getMessage());
        }
      }
    }
    if (lapsed) {
      log.info(
          "instance {} kept its lease alive after it had lapsed locally: resyncing its shards",
          instanceId());
      requestRebalance();
    }
    publish();
  }

  /** Drops every claim and the lease at once. */
  private void deposed(String why) {
    synchronized (this) {
      if (lease.isEmpty()) {
        return;
      }
      lease = Optional.empty();
      claims.clear();
      releasing.clear();
    }
    log.warn("instance {} was deposed ({}): it holds no shard now", instanceId(), why);
    publish();
  }

  /** Registers again with a new lease after being deposed; retried on the next keep-alive. */
  private void rejoin() {
    synchronized (this) {
      if (closed || lease.isPresent()) {
        return;
      }
      try {
        register();
        log.info("instance {} rejoined the group", instanceId());
      } catch (RuntimeException e) {
        log.debug("instance {} could not rejoin yet: {}", instanceId(), e.getMessage());
        return;
      }
    }
    requestRebalance();
  }

  // ------------------------------------------------------------------------------ rebalance

  private void requestRebalance() {
    synchronized (this) {
      if (closed || rebalanceQueued || rebalancer == null) {
        return;
      }
      rebalanceQueued = true;
    }
    submit(rebalancer, this::rebalance);
  }

  private void submit(ExecutorService executor, Runnable task) {
    try {
      executor.execute(
          () -> {
            try {
              task.run();
            } catch (RuntimeException e) {
              log.warn("instance {}: membership task failed", instanceId(), e);
            }
          });
    } catch (RejectedExecutionException e) {
      log.debug("instance {}: membership closed, task dropped", instanceId());
    }
  }

  private void rebalance() {
    List<Integer> toClaim = new ArrayList<>();
    List<Map.Entry<Integer, Long>> toDelete = new ArrayList<>();
    Lease held;
    synchronized (this) {
      rebalanceQueued = false;
      if (closed || lease.isEmpty() || !leaseValid()) {
        return;
      }
      held = lease.get();
      List<String> live = eligibleMembers();
      long now = nanos.getAsLong();
      for (int n = 0; n < config.shardCount(); n++) {
        boolean mine = Shards.ownerOf(n, live).map(instanceId()::equals).orElse(false);
        if (mine && !claims.containsKey(n) && !shardOwners.containsKey(n)) {
          toClaim.add(n);
        } else if (!mine && claims.containsKey(n)) {
          Long deadline = releasing.get(n);
          if (deadline == null) {
            deadline = now + config.releaseTimeout().toNanos();
            releasing.put(n, deadline);
            long wait = config.releaseTimeout().toNanos();
            timer.schedule(this::requestRebalance, config.releaseTimeout());
            log.debug("instance {} hands shard {} over (waits up to {} ns)", instanceId(), n, wait);
          }
          if (inflight[n] == 0 || now - deadline >= 0) {
            toDelete.add(Map.entry(n, claims.get(n)));
          }
        } else if (mine && releasing.containsKey(n)) {
          releasing.remove(n); // won back before it was handed over
        }
      }
    }
    publish();
    for (int n : toClaim) {
      try {
        KeyValue kv =
            store.create(shardKey(n), instanceId().getBytes(StandardCharsets.UTF_8), held);
        synchronized (this) {
          if (lease.isPresent() && lease.get().equals(held)) {
            claims.put(n, kv.modRevision());
            shardOwners.put(n, instanceId());
          }
        }
      } catch (ConflictException e) {
        log.debug("instance {}: shard {} is still held by another member", instanceId(), n);
      } catch (LeaseNotFoundException e) {
        deposed("its lease expired");
        return;
      }
    }
    for (Map.Entry<Integer, Long> release : toDelete) {
      int n = release.getKey();
      try {
        store.delete(shardKey(n), release.getValue());
      } catch (ConflictException e) {
        log.debug("instance {}: shard {} was already gone", instanceId(), n);
      }
      synchronized (this) {
        if (Objects.equals(claims.get(n), release.getValue())) {
          claims.remove(n);
          releasing.remove(n);
        }
      }
    }
    publish();
  }

  // ------------------------------------------------------------------------------ the view

  /** Calls the listeners if the owned shards or the peers changed since the last call. */
  private void publish() {
    List<Integer> owned = ownedShards();
    List<String> peers = peers();
    MembershipEvent event;
    synchronized (this) {
      if (owned.equals(publishedShards) && peers.equals(publishedPeers)) {
        return;
      }
      Set<Integer> gained = new TreeSet<>(owned);
      gained.removeAll(publishedShards);
      Set<Integer> lost = new TreeSet<>(publishedShards);
      lost.removeAll(owned);
      publishedShards = owned;
      publishedPeers = peers;
      event =
          new MembershipEvent(instanceId(), peers, owned, List.copyOf(gained), List.copyOf(lost));
      log.info(
          "instance {} now owns shards {} of {}; peers {}",
          instanceId(),
          ranges(owned),
          config.shardCount(),
          peers);
      for (MembershipListener listener : listeners) {
        try {
          listener.onChange(event);
        } catch (RuntimeException e) {
          log.warn("instance {}: a membership listener failed", instanceId(), e);
        }
      }
    }
  }

  /** Guarded by this. */
  private boolean leaseValid() {
    return lease.isPresent() && nanos.getAsLong() - validUntil < 0;
  }

  /** The members with this group's shard count and fingerprints. Guarded by this. */
  private List<String> eligibleMembers() {
    List<String> live = new ArrayList<>();
    for (Map.Entry<String, MemberRecord> m : members.entrySet()) {
      if (compatible(m.getValue())) {
        live.add(m.getKey());
      }
    }
    return live;
  }

  /** Whether a member is of this group: the same shard count and fingerprints. */
  private boolean compatible(MemberRecord member) {
    return member.shardCount() == config.shardCount() && own.agrees(member);
  }

  /** Records a member or shard key seen (or deleted). Guarded by this. */
  private void seen(KeyValue kv, boolean deleted) {
    String key = kv.key();
    if (key.startsWith(MEMBERS_PREFIX)) {
      String id = key.substring(MEMBERS_PREFIX.length());
      if (deleted) {
        members.remove(id);
      } else {
        MemberRecord member = MemberRecord.parse(kv.value());
        if (!members.containsKey(id)) {
          if (member.shardCount() != config.shardCount()) {
            log.error(
                "member {} uses {} shards, this instance {}: it is left out of the group",
                id,
                member.shardCount(),
                config.shardCount());
          } else {
            own.fingerprintMismatch(member, id)
                .ifPresent(
                    e ->
                        log.error(
                            "member {} is left out of the group: {}: {}",
                            id,
                            e.field(),
                            e.message()));
          }
        }
        members.put(id, member);
      }
    } else if (key.startsWith(SHARDS_PREFIX)) {
      int n;
      try {
        n = Integer.parseInt(key.substring(SHARDS_PREFIX.length()));
      } catch (NumberFormatException e) {
        return;
      }
      if (deleted) {
        shardOwners.remove(n);
        Long claim = claims.get(n);
        if (claim != null && claim < kv.modRevision()) {
          // deleted by someone else (our lease expired on the server): we hold it no more
          claims.remove(n);
          releasing.remove(n);
        }
      } else {
        String owner = new String(kv.value(), StandardCharsets.UTF_8);
        shardOwners.put(n, owner);
        Long claim = claims.get(n);
        if (claim != null && !owner.equals(instanceId()) && kv.modRevision() > claim) {
          claims.remove(n);
          releasing.remove(n);
        }
      }
    }
  }

  private final class GroupListener implements WatchListener {
    @Override
    public void onEvent(WatchEvent event) {
      synchronized (LeaseMembership.this) {
        seen(event.kv(), event.type() == WatchEvent.Type.DELETED);
        if (event.type() == WatchEvent.Type.DELETED
            && event.key().equals(memberKey())
            && lease.isPresent()) {
          log.warn("instance {}: its member key was deleted", instanceId());
        }
      }
      requestRebalance();
      publish();
    }

    @Override
    public void onCompacted(long compactRevision) {
      relistAndWatch();
    }

    @Override
    public void onClosed(cloud.krake.KrakeException cause) {
      synchronized (LeaseMembership.this) {
        if (closed) {
          return;
        }
      }
      log.warn(
          "instance {}: the group watch ended ({}); listing again",
          instanceId(),
          cause == null ? "closed" : cause.getMessage());
      relistAndWatch();
    }
  }

  private void relistAndWatch() {
    submit(
        rebalancer,
        () -> {
          synchronized (this) {
            if (closed) {
              return;
            }
            long revision = store.revision();
            List<KeyValue> group = store.listAll(PREFIX);
            members.clear();
            shardOwners.clear();
            for (KeyValue kv : group) {
              seen(kv, false);
            }
            watch.ifPresent(Watch::close);
            watch = Optional.of(store.watch(PREFIX, revision + 1, new GroupListener()));
          }
          requestRebalance();
        });
  }

  private String memberKey() {
    return MEMBERS_PREFIX + instanceId();
  }

  private static String shardKey(int shard) {
    return SHARDS_PREFIX + shard;
  }

  /** {@code [0-3, 7, 9-10]}. */
  static String ranges(List<Integer> sorted) {
    StringBuilder s = new StringBuilder("[");
    int i = 0;
    while (i < sorted.size()) {
      int j = i;
      while (j + 1 < sorted.size() && sorted.get(j + 1) == sorted.get(j) + 1) {
        j++;
      }
      if (s.length() > 1) {
        s.append(", ");
      }
      s.append(sorted.get(i));
      if (j > i) {
        s.append('-').append(sorted.get(j));
      }
      i = j + 1;
    }
    return s.append(']').toString();
  }
}
