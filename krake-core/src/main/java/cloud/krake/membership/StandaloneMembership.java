package cloud.krake.membership;

import cloud.krake.store.Guard;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** {@link KrakeMembership#standalone()}: one instance, one shard, nothing guarded. */
enum StandaloneMembership implements KrakeMembership {
  INSTANCE;

  @Override
  public String instanceId() {
    return "standalone";
  }

  @Override
  public int shardCount() {
    return 1;
  }

  @Override
  public boolean grouped() {
    return false;
  }

  @Override
  public List<String> peers() {
    return List.of(instanceId());
  }

  @Override
  public List<Integer> ownedShards() {
    return List.of(0);
  }

  @Override
  public int shardOf(String namespace, String name) {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
    return 0;
  }

  @Override
  public boolean owns(int shard) {
    return shard == 0;
  }

  @Override
  public boolean holds(int shard) {
    return shard == 0;
  }

  @Override
  public Optional<Guard> guard(int shard) {
    return Optional.empty();
  }

  @Override
  public ShardNotHeldException notHeld(int shard) {
    return new ShardNotHeldException(instanceId(), SHARDS_PREFIX + shard, shard, Optional.empty());
  }

  @Override
  public boolean tryBeginWork(int shard) {
    return true;
  }

  @Override
  public void endWork(int shard) {}

  @Override
  public void addListener(MembershipListener listener) {
    Objects.requireNonNull(listener, "listener");
  }

  @Override
  public void removeListener(MembershipListener listener) {
    Objects.requireNonNull(listener, "listener");
  }
}
