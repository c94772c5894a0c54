package cloud.krake.testing.kubernetes;

import cloud.krake.testing.kubernetes.ObjectStore.Page;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The stored objects of one kind, by {@code namespace/name} (cluster-scoped: {@code /name}), its
 * open watches, and its event log for watches that resume from a resourceVersion (the last {@value
 * ObjectStore#EVENT_HISTORY_PER_KIND} events at most, as the API server's watch cache); lists its
 * objects in pages and replays its log to a new watch.
 *
 * <p>Not thread-safe: guarded by the {@link ObjectStore}'s lock.
 */
final class KindBucket {
  final TreeMap<String, ObjectNode> objects = new TreeMap<>();
  final Set<WatchStream> watches = new LinkedHashSet<>();
  private final ArrayList<Event> log = new ArrayList<>();
  private long evictedUpTo;

  /** The objects of one namespace, in key order. */
  NavigableMap<String, ObjectNode> objectsIn(String namespace) {
    return objects.subMap(namespace + "/", true, namespace + "0", false);
  }

  /**
   * Logs an event (past the history's size the older half is dropped) and delivers it to the
   * watches.
   */
  void record(Event event) {
    log.add(event);
    if (log.size() > ObjectStore.EVENT_HISTORY_PER_KIND) {
      int drop = log.size() - ObjectStore.EVENT_HISTORY_PER_KIND / 2;
      evictedUpTo = log.get(drop - 1).resourceVersion;
      log.subList(0, drop).clear();
    }
    for (WatchStream watch : watches) {
      watch.deliver(event);
    }
  }

  /** Drops the whole log: every version up to {@code resourceVersion} is too old to watch from. */
  void compact(long resourceVersion) {
    log.clear();
    evictedUpTo = resourceVersion;
  }

  /**
   * Lists objects in one namespace or all ({@code namespace == null}), in key order.
   *
   * @param limit at most this many items, 0 for all
   * @param continueToken where a previous page ended, or {@code null}
   * @param resourceVersion the store's current resourceVersion, the list's
   * @throws ApiError 400 for a continue token that is not one
   */
  Page list(
      String namespace,
      Selectors selectors,
      long limit,
      String continueToken,
      long resourceVersion) {
    NavigableMap<String, ObjectNode> scope = namespace != null ? objectsIn(namespace) : objects;
    if (continueToken != null && !continueToken.isEmpty()) {
      scope = scope.tailMap(decodeContinue(continueToken), false);
    }
    List<ObjectNode> items = new ArrayList<>();
    String last = null;
    for (Map.Entry<String, ObjectNode> entry : scope.entrySet()) {
      if (!selectors.matches(entry.getValue())) {
        continue;
      }
      if (limit > 0 && items.size() == limit) {
        return new Page(items, resourceVersion, Optional.of(encodeContinue(last)));
      }
      items.add(entry.getValue());
      last = entry.getKey();
    }
    return new Page(items, resourceVersion, Optional.empty());
  }

  /**
   * Gives a new watch what comes before the live events: the logged events after {@code
   * fromVersion}, or synthetic ADDED events for the current objects (of {@code namespace}, or all
   * if {@code null}) when it is {@code null}, empty or {@code "0"}. A version older than the last
   * compaction or eviction gives one ERROR event (410 Expired) and ends the watch.
   *
   * @param compactedResourceVersion the store's last compaction
   * @return whether the watch goes on (false: it got the 410 and ended)
   * @throws ApiError 400 for a resourceVersion that is not a number
   */
  boolean replay(
      WatchStream watch, String namespace, String fromVersion, long compactedResourceVersion) {
    if (fromVersion == null || fromVersion.isEmpty() || fromVersion.equals("0")) {
      for (ObjectNode object : (namespace != null ? objectsIn(namespace) : objects).values()) {
        watch.added(object);
      }
      return true;
    }
    long from;
    try {
      from = Long.parseLong(fromVersion);
    } catch (NumberFormatException e) {
      throw ApiError.badRequest("invalid resource version: " + fromVersion);
    }
    long oldest = Math.max(compactedResourceVersion, evictedUpTo);
    if (from < oldest) {
      watch.error(
          new ApiError(
                  410,
                  "Expired",
                  "too old resource version: " + from + " (" + oldest + ")",
                  "",
                  "",
                  "")
              .toStatus());
      watch.end();
      return false;
    }
    for (int i = firstAfter(from); i < log.size(); i++) {
      watch.deliver(log.get(i));
    }
    return true;
  }

  private int firstAfter(long version) {
    int low = 0;
    int high = log.size();
    while (low < high) {
      int middle = (low + high) >>> 1;
      if (log.get(middle).resourceVersion <= version) {
        low = middle + 1;
      } else {
        high = middle;
      }
    }
    return low;
  }

  private static String encodeContinue(String key) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(key.getBytes(StandardCharsets.UTF_8));
  }

  private static String decodeContinue(String token) {
    try {
      return new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest("invalid continue token");
    }
  }
}
