package cloud.krake.membership;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Objects;
import java.util.Optional;

/**
 * The two stable functions of sharding, the same on every instance and every JVM: which shard a
 * resource belongs to (a 64-bit FNV-1a hash of {@code namespace/name}, modulo the shard count), and
 * which live member a shard belongs to (rendezvous hashing: the member with the highest {@code
 * mix(hash(member), shard)} wins, so a join or a leave moves only the shards the joining or leaving
 * member wins or held).
 *
 * <p>Stateless and thread-safe.
 */
public final class Shards {

  private Shards() {}

  /**
   * Returns the shard of a resource.
   *
   * @param namespace its namespace ({@code ""} for global kinds)
   * @param name its name
   * @param shardCount the number of shards, at least 1
   * @return {@code 0} to {@code shardCount - 1}
   * @throws IllegalArgumentException if {@code shardCount} is less than 1
   */
  public static int shardOf(String namespace, String name, int shardCount) {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
    if (shardCount < 1) {
      throw new IllegalArgumentException("shardCount must be at least 1: " + shardCount);
    }
    long h = fnv1a(namespace + "/" + name);
    return (int) Math.floorMod(mix(h), (long) shardCount);
  }

  /**
   * Returns the member a shard is assigned to by rendezvous hashing.
   *
   * @param shard the shard, not negative
   * @param members the live members' ids
   * @return the winner, or empty if {@code members} is empty
   */
  public static Optional<String> ownerOf(int shard, Collection<String> members) {
    Objects.requireNonNull(members, "members");
    String best = null;
    long bestWeight = 0;
    for (String m : members) {
      long w = mix(fnv1a(m) ^ (0x9E3779B97F4A7C15L * (shard + 1)));
      // ties (practically impossible) go to the smaller id, the same on every instance
      if (best == null
          || Long.compareUnsigned(w, bestWeight) > 0
          || (w == bestWeight && m.compareTo(best) < 0)) {
        best = m;
        bestWeight = w;
      }
    }
    return Optional.ofNullable(best);
  }

  private static long fnv1a(String s) {
    long h = 0xcbf29ce484222325L;
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    return h;
  }

  /** The finaliser of SplitMix64: spreads every input bit over the output. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
