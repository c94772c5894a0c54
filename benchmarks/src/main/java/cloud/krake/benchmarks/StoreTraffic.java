package cloud.krake.benchmarks;

import cloud.krake.model.KrakeJson;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Store calls by kind, as {@link CountingStore#counts()} reports them for one host instance (the
 * {@code store-counts} answer of {@link LoadHost}), or summed over several instances, with {@code
 * conflicts}: the compare-and-set conflicts the writes met. Immutable.
 *
 * @param calls calls by kind ({@code get}, {@code update-guarded}, {@code lease-keep-alive}, ...)
 *     and {@code conflicts}; kinds never called may be absent (zero)
 */
record StoreTraffic(Map<String, Long> calls) {

  /** The key of the conflict count among the kinds. */
  static final String CONFLICTS = "conflicts";

  /** The groups {@link #groups()} sums the kinds into, in the order they are printed. */
  static final List<String> GROUPS =
      List.of("reads", "writes", "guarded writes", "lease", "watches", "total");

  /** No call at all. */
  static final StoreTraffic NONE = new StoreTraffic(Map.of());

  StoreTraffic {
    calls = Map.copyOf(calls);
  }

  /**
   * Reads a {@code store-counts} answer: a JSON object of numbers by kind.
   *
   * @throws IllegalArgumentException if it is not a JSON object of whole numbers, naming the kind
   */
  static StoreTraffic parse(String json) {
    JsonNode node;
    try {
      node = KrakeJson.read(json, JsonNode.class);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("store counts are not JSON: " + json, e);
    }
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException("store counts are not a JSON object: " + json);
    }
    Map<String, Long> calls = new TreeMap<>();
    node.properties()
        .forEach(
            e -> {
              if (!e.getValue().canConvertToLong() || !e.getValue().isIntegralNumber()) {
                throw new IllegalArgumentException(
                    "store counts: " + e.getKey() + " is not a whole number: " + e.getValue());
              }
              calls.put(e.getKey(), e.getValue().asLong());
            });
    return new StoreTraffic(calls);
  }

  /** The calls of several instances, summed by kind. */
  static StoreTraffic sum(List<StoreTraffic> instances) {
    Map<String, Long> sum = new TreeMap<>();
    instances.forEach(t -> t.calls.forEach((k, v) -> sum.merge(k, v, Long::sum)));
    return new StoreTraffic(sum);
  }

  /** The calls made since {@code before} (a snapshot of the same instances), by kind. */
  StoreTraffic minus(StoreTraffic before) {
    Map<String, Long> out = new TreeMap<>();
    calls.forEach((k, v) -> out.put(k, v - before.count(k)));
    return new StoreTraffic(out);
  }

  /** The calls of one kind; 0 if never called. */
  long count(String kind) {
    return calls.getOrDefault(kind, 0L);
  }

  /**
   * The conflicts by the write that lost and the one that won ({@code <lost> < <won>}, see {@link
   * CountingStore}), most first; only those with a count above 0.
   */
  Map<String, Long> conflictsBySite() {
    Map<String, Long> out = new LinkedHashMap<>();
    calls.entrySet().stream()
        .filter(e -> e.getKey().startsWith(CountingStore.CONFLICT_PREFIX) && e.getValue() > 0)
        .sorted(
            Map.Entry.<String, Long>comparingByValue()
                .reversed()
                .thenComparing(Map.Entry.comparingByKey()))
        .forEach(
            e ->
                out.put(
                    e.getKey().substring(CountingStore.CONFLICT_PREFIX.length()), e.getValue()));
    return out;
  }

  /** The compare-and-set conflicts the writes met. */
  long conflicts() {
    return count(CONFLICTS);
  }

  /**
   * The calls summed by {@link #GROUPS}: {@code reads} ({@code get}, {@code list}, {@code
   * revision}, {@code lease-id}), {@code writes} (unconditional on a lease or an owner: {@code
   * create}, {@code update}, {@code delete}; these still compare the object's own revision), {@code
   * guarded writes} (the {@code -guarded} ones, conditional on the writer still owning the shard),
   * {@code lease} (grants, keep-alives, revocations, time-to-live reads and {@code
   * create-with-lease}: the membership's own traffic), {@code watches} (watches opened), and {@code
   * total} (every call; not the conflicts nor their attribution, which are outcomes of the writes).
   * A kind this method does not know counts in {@code total} only.
   */
  Map<String, Long> groups() {
    Map<String, Long> out = new LinkedHashMap<>();
    GROUPS.forEach(g -> out.put(g, 0L));
    calls.forEach(
        (kind, n) -> {
          if (kind.equals(CONFLICTS) || kind.startsWith(CountingStore.CONFLICT_PREFIX)) {
            return;
          }
          group(kind).ifPresent(g -> out.merge(g, n, Long::sum));
          out.merge("total", n, Long::sum);
        });
    return out;
  }

  private static Optional<String> group(String kind) {
    String group;
    if (kind.endsWith("-guarded")) {
      group = "guarded writes";
    } else if (kind.equals("lease-id")) {
      group = "reads";
    } else if (kind.startsWith("lease-") || kind.equals("create-with-lease")) {
      group = "lease";
    } else {
      group =
          switch (kind) {
            case "get", "list", "revision" -> "reads";
            case "create", "update", "delete" -> "writes";
            case "watch" -> "watches";
            default -> null;
          };
    }
    return Optional.ofNullable(group);
  }
}
