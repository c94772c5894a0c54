package cloud.krake.membership;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * How one {@code Krake} instance takes part in a group of instances sharing one store: its id, the
 * TTL of its lease, how often it keeps the lease alive, the number of shards and how long a leaving
 * owner waits for work in progress. The group's mechanism is described on {@link KrakeMembership}.
 *
 * <pre>{@code
 * Krake krake = Krake.builder()
 *     .store(etcdStore)
 *     .membership(MembershipConfig.defaults().withLeaseTtl(Duration.ofSeconds(5)))
 *     .build();
 * }</pre>
 *
 * @param instanceId this instance's id, unique in the group ({@code [A-Za-z0-9._-]+}, at most 128
 *     characters): the key {@code /krake/members/{instanceId}}
 * @param leaseTtl the TTL of the instance's store lease, whole seconds, at least 1 s: an instance
 *     that stops keeping it alive loses its shards after at most this long (etcd may grant more)
 * @param keepAliveInterval how often the lease is kept alive; positive and shorter than {@code
 *     leaseTtl} (default a third of it, as etcd's clients)
 * @param shardCount the number of shards applications and clusters are spread over (1 to 4096);
 *     fixed for a deployment: every instance of a group must use the same, an instance that finds a
 *     member with another count refuses to start
 * @param releaseTimeout how long an owner handing a shard over waits for its reconciles in progress
 *     before it deletes the shard key anyway; not negative
 */
public record MembershipConfig(
    String instanceId,
    Duration leaseTtl,
    Duration keepAliveInterval,
    int shardCount,
    Duration releaseTimeout) {

  /** The default lease TTL: 5 s. */
  public static final Duration DEFAULT_LEASE_TTL = Duration.ofSeconds(5);

  /** The default number of shards: 64. */
  public static final int DEFAULT_SHARD_COUNT = 64;

  /** The largest number of shards. */
  public static final int MAX_SHARD_COUNT = 4096;

  /** The default time a releasing owner waits for reconciles in progress: 10 s. */
  public static final Duration DEFAULT_RELEASE_TIMEOUT = Duration.ofSeconds(10);

  private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");

  /**
   * Checks the components.
   *
   * @throws IllegalArgumentException naming the offending component
   */
  public MembershipConfig {
    Objects.requireNonNull(instanceId, "instanceId");
    Objects.requireNonNull(leaseTtl, "leaseTtl");
    Objects.requireNonNull(keepAliveInterval, "keepAliveInterval");
    Objects.requireNonNull(releaseTimeout, "releaseTimeout");
    if (!ID.matcher(instanceId).matches()) {
      throw new IllegalArgumentException(
          "membership.instanceId must be 1-128 of [A-Za-z0-9._-]: '" + instanceId + "'");
    }
    if (leaseTtl.compareTo(Duration.ofSeconds(1)) < 0 || leaseTtl.getNano() != 0) {
      throw new IllegalArgumentException(
          "membership.leaseTtl must be whole seconds, at least 1 s: " + leaseTtl);
    }
    if (keepAliveInterval.isZero()
        || keepAliveInterval.isNegative()
        || keepAliveInterval.compareTo(leaseTtl) >= 0) {
      throw new IllegalArgumentException(
          "membership.keepAliveInterval must be positive and shorter than leaseTtl ("
              + leaseTtl
              + "): "
              + keepAliveInterval);
    }
    if (shardCount < 1 || shardCount > MAX_SHARD_COUNT) {
      throw new IllegalArgumentException(
          "membership.shardCount must be 1 to " + MAX_SHARD_COUNT + ": " + shardCount);
    }
    if (releaseTimeout.isNegative()) {
      throw new IllegalArgumentException(
          "membership.releaseTimeout must not be negative: " + releaseTimeout);
    }
  }

  /**
   * Returns the defaults: a new random instance id ({@code <host name>-<8 hex digits>}), {@link
   * #DEFAULT_LEASE_TTL}, keep-alive every third of it, {@link #DEFAULT_SHARD_COUNT} shards, {@link
   * #DEFAULT_RELEASE_TIMEOUT}.
   */
  public static MembershipConfig defaults() {
    return new MembershipConfig(
        defaultInstanceId(),
        DEFAULT_LEASE_TTL,
        DEFAULT_LEASE_TTL.dividedBy(3),
        DEFAULT_SHARD_COUNT,
        DEFAULT_RELEASE_TIMEOUT);
  }

  /**
   * Returns a copy with another instance id.
   *
   * @param instanceId the id, unique in the group
   */
  public MembershipConfig withInstanceId(String instanceId) {
    return new MembershipConfig(
        instanceId, leaseTtl, keepAliveInterval, shardCount, releaseTimeout);
  }

  /**
   * Returns a copy with another lease TTL and a keep-alive every third of it.
   *
   * @param leaseTtl whole seconds, at least 1 s
   */
  public MembershipConfig withLeaseTtl(Duration leaseTtl) {
    Objects.requireNonNull(leaseTtl, "leaseTtl");
    return new MembershipConfig(
        instanceId, leaseTtl, leaseTtl.dividedBy(3), shardCount, releaseTimeout);
  }

  /**
   * Returns a copy with another keep-alive interval.
   *
   * @param keepAliveInterval positive, shorter than the lease TTL
   */
  public MembershipConfig withKeepAliveInterval(Duration keepAliveInterval) {
    return new MembershipConfig(
        instanceId, leaseTtl, keepAliveInterval, shardCount, releaseTimeout);
  }

  /**
   * Returns a copy with another number of shards.
   *
   * @param shardCount 1 to {@link #MAX_SHARD_COUNT}, the same on every instance of the group
   */
  public MembershipConfig withShardCount(int shardCount) {
    return new MembershipConfig(
        instanceId, leaseTtl, keepAliveInterval, shardCount, releaseTimeout);
  }

  /**
   * Returns a copy with another release timeout.
   *
   * @param releaseTimeout not negative
   */
  public MembershipConfig withReleaseTimeout(Duration releaseTimeout) {
    return new MembershipConfig(
        instanceId, leaseTtl, keepAliveInterval, shardCount, releaseTimeout);
  }

  private static String defaultInstanceId() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9.-]", "-");
    } catch (UnknownHostException e) {
      host = "host";
    }
    if (host.isEmpty() || host.length() > 100) {
      host = "host";
    }
    return host + "-" + UUID.randomUUID().toString().substring(0, 8);
  }
}
