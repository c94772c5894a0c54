package cloud.krake.membership;

import java.util.List;
import java.util.Objects;

/**
 * A change of an instance's view of its group: its peers, or the shards it owns.
 *
 * @param instanceId the instance reporting
 * @param peers the live members' ids, this instance's among them, ascending
 * @param ownedShards the shards it owns now, ascending
 * @param gained the shards it owns now and did not before, ascending
 * @param lost the shards it owned before and does not now (released, or lost with its lease),
 *     ascending
 */
public record MembershipEvent(
    String instanceId,
    List<String> peers,
    List<Integer> ownedShards,
    List<Integer> gained,
    List<Integer> lost) {

  /** Copies the lists. */
  public MembershipEvent {
    Objects.requireNonNull(instanceId, "instanceId");
    peers = List.copyOf(peers);
    ownedShards = List.copyOf(ownedShards);
    gained = List.copyOf(gained);
    lost = List.copyOf(lost);
  }
}
