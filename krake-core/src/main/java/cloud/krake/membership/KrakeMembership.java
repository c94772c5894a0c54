package cloud.krake.membership;

import cloud.krake.store.Guard;
import java.util.List;
import java.util.Optional;

/**
 * One instance's place in a group of {@code Krake} instances sharing one store, and the work it
 * owns there ({@code Krake.membership()}).
 *
 * <p>The mechanism, with an {@link MembershipConfig}: the instance grants itself a store lease
 * ({@link MembershipConfig#leaseTtl()}) and registers {@value #MEMBERS_PREFIX}{@code {id}} with it;
 * every member watches that prefix. Applications and clusters belong to one of {@link
 * #shardCount()} shards ({@link Shards#shardOf}: an application and the Kubernetes work for it by
 * the application's namespace/name, a cluster's probing by the cluster's). Each shard is assigned
 * to one live member by rendezvous hashing ({@link Shards#ownerOf}); the assignee claims it by
 * creating {@value #SHARDS_PREFIX}{@code {n}} with its lease, only once that key is absent
 * (released by the previous owner, or deleted by the store when the previous owner's lease
 * expired). A member that no longer wins a shard releases it: it takes no new work for it, waits
 * (at most {@link MembershipConfig#releaseTimeout()}) for reconciles in progress, then deletes the
 * key. The garbage collector runs on the owner of shard 0 only.
 *
 * <p>Fencing: every controller write for an application or a cluster is guarded by the claim
 * ({@link #guard(int)}), so a writer that lost the shard gets a {@link ShardNotHeldException}
 * (before writing, or from the store's comparison of the shard key), never a silent overwrite;
 * before a call to a Kubernetes cluster or a shutdown service a controller calls {@link
 * #checkHolds(String, String)}, which looks at the local lease only (no store round trip). The
 * lease is kept alive every {@link MembershipConfig#keepAliveInterval()}; an instance whose last
 * successful keep-alive was sent more than the lease TTL ago, by its own clock, holds nothing from
 * that moment, before the store can have expired the lease.
 *
 * <p>Without a configuration ({@link #standalone()}) the instance owns the one shard and writes
 * unguarded, as a single instance always did.
 *
 * <p>Threading: every method is thread-safe; listeners are called on the membership's thread.
 */
public interface KrakeMembership {

  /** The prefix of the members' keys, {@code /krake/members/{instanceId}}. */
  String MEMBERS_PREFIX = "/krake/members/";

  /** The prefix of the shards' keys, {@code /krake/shards/{n}}. */
  String SHARDS_PREFIX = "/krake/shards/";

  /**
   * Returns the membership of an instance alone: it owns its one shard, its peers are itself, and
   * it guards no write.
   */
  static KrakeMembership standalone() {
    return StandaloneMembership.INSTANCE;
  }

  /** Returns this instance's id ({@code "standalone"} without a configuration). */
  String instanceId();

  /** Returns the number of shards (1 when standalone). */
  int shardCount();

  /** Returns whether this is a group member (a configuration was given), not standalone. */
  boolean grouped();

  /**
   * Returns the live members' ids as this instance last saw them, its own among them, ascending.
   */
  List<String> peers();

  /** Returns the shards this instance owns now ({@link #owns(int)}), ascending. */
  List<Integer> ownedShards();

  /**
   * Returns the shard of a resource, {@link Shards#shardOf} with this group's count.
   *
   * @param namespace the namespace
   * @param name the name
   */
  default int shardOf(String namespace, String name) {
    return Shards.shardOf(namespace, name, shardCount());
  }

  /**
   * Returns whether this instance takes new work for a shard: it claimed it, is not handing it
   * over, and its lease is valid by its own clock.
   *
   * @param shard the shard
   */
  boolean owns(int shard);

  /**
   * Returns whether this instance takes new work for a resource ({@link #owns(int)} of its shard).
   *
   * @param namespace the namespace
   * @param name the name
   */
  default boolean owns(String namespace, String name) {
    return owns(shardOf(namespace, name));
  }

  /**
   * Returns whether this instance still holds a shard: it claimed it, has not deleted the claim,
   * and its lease is valid by its own clock. True also while handing the shard over (work in
   * progress finishes).
   *
   * @param shard the shard
   */
  boolean holds(int shard);

  /**
   * Throws unless this instance still {@link #holds(int) holds} the shard of a resource: the
   * re-check before a cluster operation (apply, delete, exec, shutdown call). Local only: no store
   * round trip.
   *
   * @param namespace the resource's namespace
   * @param name its name
   * @throws ShardNotHeldException if the shard is not held
   */
  default void checkHolds(String namespace, String name) {
    int shard = shardOf(namespace, name);
    if (!holds(shard)) {
      throw notHeld(shard);
    }
  }

  /**
   * Returns the guard of writes for a shard: its key at the revision of this instance's claim.
   *
   * @param shard the shard
   * @return the guard, or empty when standalone (writes are not guarded)
   * @throws ShardNotHeldException if grouped and the shard is not held
   */
  Optional<Guard> guard(int shard);

  /**
   * Returns the exception for a shard not held, without a cause.
   *
   * @param shard the shard
   */
  ShardNotHeldException notHeld(int shard);

  /**
   * Marks the start of a reconcile for a shard, if this instance {@link #owns(int) owns} it: a
   * releasing owner waits for the marks to be ended. Used by the runtime's work queues.
   *
   * @param shard the shard
   * @return whether the work may start; if true, call {@link #endWork(int)} once it ends
   */
  boolean tryBeginWork(int shard);

  /**
   * Marks the end of a reconcile begun with {@link #tryBeginWork(int)}.
   *
   * @param shard the shard
   */
  void endWork(int shard);

  /**
   * Adds a listener of changes; it is not called for the state before it was added.
   *
   * @param listener the listener
   */
  void addListener(MembershipListener listener);

  /**
   * Removes a listener added before; nothing if it was not added.
   *
   * @param listener the listener
   */
  void removeListener(MembershipListener listener);
}
