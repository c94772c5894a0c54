package cloud.krake.membership;

import cloud.krake.KrakeException;
import java.util.Optional;

/**
 * The fence of {@link KrakeMembership}: a write or a cluster operation refused because this
 * instance does not hold the shard it belongs to (it never did, handed it over, or lost it with its
 * lease). Thrown before anything is written or called when the instance knows it (by its own clock
 * and watch), or with the store's {@code ConflictException} on the shard key as cause when only the
 * store's comparison of the shard key caught it (a paused or partitioned writer).
 *
 * <p>Deliberately not a {@code ConflictException}: a compare-and-set loop must not read again and
 * retry, since no retry can succeed; the runtime drops the work, which the shard's owner does.
 */
public class ShardNotHeldException extends KrakeException {

  private static final long serialVersionUID = 1L;

  private final String key;
  private final int shard;

  /**
   * Creates the exception.
   *
   * @param instanceId the instance refused
   * @param key the shard's key, {@code /krake/shards/{shard}}
   * @param shard the shard
   * @param cause the store's conflict on the shard key, if the store refused the write
   */
  public ShardNotHeldException(
      String instanceId, String key, int shard, Optional<? extends Throwable> cause) {
    super(
        "instance " + instanceId + " does not hold shard " + shard + " (" + key + ")",
        cause.orElse(null));
    this.key = key;
    this.shard = shard;
  }

  /** Returns the shard's key. */
  public String key() {
    return key;
  }

  /** Returns the shard not held. */
  public int shard() {
    return shard;
  }
}
