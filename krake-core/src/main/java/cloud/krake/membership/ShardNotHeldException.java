package cloud.krake.membership;

import cloud.krake.store.ConflictException;

/**
 * A write or a cluster operation refused because this instance does not hold the shard it belongs
 * to (it never did, handed it over, or lost it with its lease): the fence of {@link
 * KrakeMembership}. A {@link ConflictException} on the shard key, so that a controller treats it as
 * a lost compare-and-set: it drops the work, which the shard's owner does.
 */
public class ShardNotHeldException extends ConflictException {

  private static final long serialVersionUID = 1L;

  private final int shard;

  /**
   * Creates the exception.
   *
   * @param instanceId the instance refused
   * @param shardKey the shard's key, {@code /krake/shards/{shard}}
   * @param shard the shard
   * @param claimRevision the revision of this instance's last claim of it, {@code 0} if none
   */
  public ShardNotHeldException(String instanceId, String shardKey, int shard, long claimRevision) {
    super(
        "instance " + instanceId + " does not hold shard " + shard + " (" + shardKey + ")",
        shardKey,
        claimRevision,
        0);
    this.shard = shard;
  }

  /** Returns the shard not held. */
  public int shard() {
    return shard;
  }
}
