package cloud.krake;

import cloud.krake.membership.KrakeMembership;
import cloud.krake.membership.MembershipConfig;
import cloud.krake.store.StoreKeys;
import java.util.OptionalInt;

/**
 * The membership side of one {@link Krake}: standalone (no configuration: the components get the
 * instance itself as their context, nothing is started) or a {@link LeaseMembership} with the
 * fenced contexts its components get. Thread-safe.
 */
final class Membership implements AutoCloseable {

  private final KrakeMembership view;
  private final KrakeContext components;
  private final KrakeContext collector;
  private final LeaseMembership lease;

  private Membership(
      KrakeMembership view,
      KrakeContext components,
      KrakeContext collector,
      LeaseMembership lease) {
    this.view = view;
    this.components = components;
    this.collector = collector;
    this.lease = lease;
  }

  /**
   * Returns the membership of an instance being built.
   *
   * @param krake the instance, with its store, clock, timer and executors set
   * @param builder its builder
   */
  static Membership of(Krake krake, Krake.Builder builder) {
    if (builder.membership.isEmpty()) {
      return new Membership(KrakeMembership.standalone(), krake, krake, null);
    }
    MembershipConfig config = builder.membership.get();
    LeaseMembership lease = new LeaseMembership(config, builder.groupFingerprints, krake);
    KrakeContext components =
        new FencedContext(
            krake,
            lease,
            new FencedStore(krake.store(), lease, key -> shardOfKey(lease, key)),
            builder.validators,
            builder.clusterValidators);
    // the garbage collector runs on the owner of shard 0, every write fenced by that shard
    KrakeContext collector =
        new FencedContext(
            krake,
            lease,
            new FencedStore(krake.store(), lease, key -> OptionalInt.of(0)),
            builder.validators,
            builder.clusterValidators);
    return new Membership(lease, components, collector, lease);
  }

  /**
   * The shard a component's write of {@code key} is fenced by: an application's or a cluster's by
   * its namespace/name; any other key (attempt records, hook records) by the shard whose reconcile
   * runs on the calling thread; none outside a reconcile.
   */
  private static OptionalInt shardOfKey(LeaseMembership membership, String key) {
    for (StoreKeys kind : new StoreKeys[] {StoreKeys.APPLICATIONS, StoreKeys.CLUSTERS}) {
      String prefix = kind.prefix();
      if (key.startsWith(prefix)) {
        String rest = key.substring(prefix.length());
        int slash = rest.indexOf('/');
        if (slash > 0 && slash < rest.length() - 1) {
          return OptionalInt.of(
              membership.shardOf(rest.substring(0, slash), rest.substring(slash + 1)));
        }
      }
    }
    return membership.currentShard();
  }

  /** Returns the public view. */
  KrakeMembership view() {
    return view;
  }

  /** Returns the context of the components other than the garbage collector. */
  KrakeContext components() {
    return components;
  }

  /** Returns the context of the garbage collector. */
  KrakeContext collector() {
    return collector;
  }

  /** Whether the garbage collector should take a key: only on the owner of shard 0. */
  boolean collects() {
    return view.owns(0);
  }

  /** Registers the instance and starts claiming shards; nothing when standalone. Idempotent. */
  void start() {
    if (lease != null) {
      lease.start();
    }
  }

  /** Leaves the group: revokes the lease, so that the peers take the shards over at once. */
  @Override
  public void close() {
    if (lease != null) {
      lease.close();
    }
  }
}
