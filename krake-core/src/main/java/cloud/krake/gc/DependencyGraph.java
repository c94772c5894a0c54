package cloud.krake.gc;

import cloud.krake.model.ResourceRef;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The garbage collector's in-memory dependency graph, as Krake's {@code DependencyGraph} in {@code
 * gc.py}: for every resource seen, the owners it names, and the reverse index owner → dependents.
 * An owner that was never seen (a dangling reference) is only an edge target; it has no node.
 *
 * <p>It also remembers the owner cycles found: every time the owners of a node change, a
 * depth-first search along owner edges looks for a path back to the node. Cycles are remembered per
 * member so that {@link GarbageCollector#cycles()} can report them; whether a node is on a cycle
 * <em>now</em> is always answered afresh by {@link #cycleThrough}.
 *
 * <p>Threading: thread-safe; every method holds the graph's lock, and returns copies.
 */
final class DependencyGraph {

  /**
   * What one change did to the graph.
   *
   * @param touchedOwners owners that gained or lost this node as a dependent
   * @param released members of remembered cycles through this node, forgotten because the node's
   *     owners changed or it was removed; they may no longer be on a cycle
   * @param newCycle the cycle through this node found after the change, if any
   * @param remainingDependents for a removal: how many resources still name the removed node as
   *     owner
   */
  record Update(
      Set<ResourceRef> touchedOwners,
      Set<ResourceRef> released,
      Optional<List<ResourceRef>> newCycle,
      int remainingDependents) {

    static final Update NONE = new Update(Set.of(), Set.of(), Optional.empty(), 0);

    Update {
      touchedOwners = Set.copyOf(touchedOwners);
      released = Set.copyOf(released);
    }
  }

  /** Node → the owners it names, in the order it names them. Guarded by this. */
  private final Map<ResourceRef, Set<ResourceRef>> owners = new HashMap<>();

  /** Owner → the nodes naming it. Guarded by this. */
  private final Map<ResourceRef, Set<ResourceRef>> dependents = new HashMap<>();

  /**
   * Member → a remembered cycle through it, starting at the node where it was found. Guarded by
   * this.
   */
  private final Map<ResourceRef, List<ResourceRef>> cycles = new LinkedHashMap<>();

  /**
   * Records the owners a node names now (added or updated resource).
   *
   * @param node the resource
   * @param named the owners it names
   * @return what changed; {@link Update#NONE} if the node was known with the same owners
   */
  synchronized Update put(ResourceRef node, Set<ResourceRef> named) {
    Set<ResourceRef> next = new LinkedHashSet<>(named);
    Set<ResourceRef> previous = owners.put(node, next);
    if (previous != null && previous.equals(next)) {
      return Update.NONE;
    }
    Set<ResourceRef> old = previous == null ? Set.of() : previous;
    Set<ResourceRef> touched = new HashSet<>();
    for (ResourceRef owner : old) {
      if (!next.contains(owner)) {
        unlink(owner, node);
        touched.add(owner);
      }
    }
    for (ResourceRef owner : next) {
      if (!old.contains(owner)) {
        dependents.computeIfAbsent(owner, o -> new LinkedHashSet<>()).add(node);
        touched.add(owner);
      }
    }
    Set<ResourceRef> released = release(node);
    Optional<List<ResourceRef>> cycle = remember(node);
    return new Update(touched, released, cycle, 0);
  }

  /**
   * Removes a node (its resource left the store). Edges from its dependents stay: they still name
   * it, and a resource created again under its name is their owner again.
   *
   * @param node the resource
   * @return what changed
   */
  synchronized Update remove(ResourceRef node) {
    Set<ResourceRef> previous = owners.remove(node);
    if (previous == null) {
      return Update.NONE;
    }
    previous.forEach(owner -> unlink(owner, node));
    Set<ResourceRef> released = release(node);
    int remaining = dependents.getOrDefault(node, Set.of()).size();
    return new Update(previous, released, Optional.empty(), remaining);
  }

  /** Returns the nodes naming {@code owner}, in the order they were seen. */
  synchronized List<ResourceRef> dependents(ResourceRef owner) {
    return List.copyOf(dependents.getOrDefault(owner, Set.of()));
  }

  /** Returns whether a node is known (its resource was seen and not removed). */
  synchronized boolean contains(ResourceRef node) {
    return owners.containsKey(node);
  }

  /**
   * Looks for an owner cycle through a node now.
   *
   * @return the cycle as a path starting at {@code node} (each element names the next as owner, the
   *     last names {@code node}), or empty if there is none
   */
  synchronized Optional<List<ResourceRef>> cycleThrough(ResourceRef node) {
    if (!owners.containsKey(node)) {
      return Optional.empty();
    }
    // Iterative DFS along owner edges; a node explored once without reaching `node` cannot reach
    // it later either, so each node is entered at most once.
    List<ResourceRef> path = new ArrayList<>();
    Deque<Iterator<ResourceRef>> stack = new ArrayDeque<>();
    Set<ResourceRef> visited = new HashSet<>();
    path.add(node);
    visited.add(node);
    stack.push(owners.get(node).iterator());
    while (!stack.isEmpty()) {
      Iterator<ResourceRef> next = stack.peek();
      if (!next.hasNext()) {
        stack.pop();
        path.remove(path.size() - 1);
        continue;
      }
      ResourceRef owner = next.next();
      if (owner.equals(node)) {
        return Optional.of(List.copyOf(path));
      }
      Set<ResourceRef> further = owners.get(owner);
      if (further != null && visited.add(owner)) {
        path.add(owner);
        stack.push(further.iterator());
      }
    }
    return Optional.empty();
  }

  /** Returns the remembered cycles, each once. */
  synchronized List<List<ResourceRef>> cycles() {
    return List.copyOf(new LinkedHashSet<>(cycles.values()));
  }

  private void unlink(ResourceRef owner, ResourceRef node) {
    Set<ResourceRef> of = dependents.get(owner);
    if (of != null) {
      of.remove(node);
      if (of.isEmpty()) {
        dependents.remove(owner);
      }
    }
  }

  /**
   * Forgets every remembered cycle through {@code node} and looks again through each of their other
   * members (they may be on another cycle); returns the members whose cycle was forgotten.
   */
  private Set<ResourceRef> release(ResourceRef node) {
    Set<ResourceRef> released = new LinkedHashSet<>();
    cycles
        .entrySet()
        .removeIf(
            e -> {
              if (e.getValue().contains(node)) {
                released.add(e.getKey());
                return true;
              }
              return false;
            });
    for (ResourceRef member : released) {
      if (!member.equals(node) && !cycles.containsKey(member)) {
        cycleThrough(member).ifPresent(c -> c.forEach(m -> cycles.put(m, c)));
      }
    }
    released.remove(node);
    return released;
  }

  /** Remembers the cycle through {@code node}, if there is one. */
  private Optional<List<ResourceRef>> remember(ResourceRef node) {
    Optional<List<ResourceRef>> cycle = cycleThrough(node);
    cycle.ifPresent(c -> c.forEach(m -> cycles.put(m, c)));
    return cycle;
  }
}
