package cloud.krake.testing.kubernetes;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import okhttp3.HttpUrl;

/**
 * The requests the fake received ({@link FakeKubernetesApiServer#requests()}, {@link
 * FakeKubernetesApiServer#requestCounts()}), recorded by {@link ApiDispatcher}: the latest ones as
 * sent, and a count per method and path pattern. Thread-safe: guarded by this.
 */
final class RequestLog {

  // The most requests kept in the log
  private final int limit;

  // Guarded by this
  private final ArrayDeque<String> requests = new ArrayDeque<>();
  private final Map<String, long[]> counts = new HashMap<>();

  /**
   * @param limit the most requests {@link #requests()} keeps, the latest; 0 keeps none
   */
  RequestLog(int limit) {
    this.limit = limit;
  }

  synchronized List<String> requests() {
    return List.copyOf(requests);
  }

  synchronized Map<String, FakeKubernetesApiServer.RequestCount> requestCounts() {
    Map<String, FakeKubernetesApiServer.RequestCount> out = new TreeMap<>();
    counts.forEach((key, c) -> out.put(key, new FakeKubernetesApiServer.RequestCount(c[0], c[1])));
    return Collections.unmodifiableMap(out);
  }

  synchronized void clear() {
    requests.clear();
    counts.clear();
  }

  /** Logs a request (the latest {@link #limit}) and counts it by its path pattern. */
  synchronized void record(String method, String target, HttpUrl url, long bodyBytes) {
    if (limit > 0) {
      if (requests.size() == limit) {
        requests.removeFirst();
      }
      requests.addLast(method + " " + target);
    }
    long[] count = counts.computeIfAbsent(method + " " + pathPattern(url), k -> new long[2]);
    count[0]++;
    count[1] += Math.max(bodyBytes, 0);
  }

  /**
   * The request path with the namespace and the object name replaced by {@code {namespace}} and
   * {@code {name}}, and {@code ?watch} appended for a watch: {@code
   * /apis/apps/v1/namespaces/{namespace}/deployments/{name}}. Paths outside {@code /api/v1} and
   * {@code /apis/GROUP/VERSION} are kept as they are.
   */
  static String pathPattern(HttpUrl url) {
    List<String> segments = url.pathSegments();
    int prefix;
    if (segments.size() > 2 && segments.get(0).equals("api")) {
      prefix = 2;
    } else if (segments.size() > 3 && segments.get(0).equals("apis")) {
      prefix = 3;
    } else {
      return url.encodedPath();
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < prefix; i++) {
      out.append('/').append(segments.get(i));
    }
    List<String> rest = segments.subList(prefix, segments.size());
    int kind = 0;
    if (rest.size() > 2 && rest.get(0).equals("namespaces")) {
      out.append("/namespaces/{namespace}");
      kind = 2;
    }
    for (int i = kind; i < rest.size(); i++) {
      out.append('/').append(i == kind + 1 ? "{name}" : rest.get(i));
    }
    if (ApiDispatcher.isWatch(url)) {
      out.append("?watch");
    }
    return out.toString();
  }
}
