package cloud.krake.testing.kubernetes;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The faults a test injects into the fake's HTTP answers ({@link FakeKubernetesApiServer#failNext},
 * {@link FakeKubernetesApiServer#failRequests}, {@link FakeKubernetesApiServer#latency}), consulted
 * by {@link ApiDispatcher} for every request. Thread-safe: guarded by this.
 */
final class InjectedFaults {

  private record FailureRule(String method, String pathPrefix, int status) {}

  // Guarded by this
  private int failNextCount;
  private int failNextStatus;
  private final List<FailureRule> failureRules = new ArrayList<>();
  private Duration latency = Duration.ZERO;

  /** Fails the next {@code count} non-watch requests with {@code status}; replaces a count. */
  synchronized void failNext(int count, int status) {
    failNextCount = count;
    failNextStatus = status;
  }

  /** Fails every matching request ({@code null} matches any) until {@link #clear()}. */
  synchronized void failRequests(String method, String pathPrefix, int status) {
    failureRules.add(new FailureRule(method, pathPrefix, status));
  }

  /** Removes every rule and the rest of a {@link #failNext} count. */
  synchronized void clear() {
    failNextCount = 0;
    failureRules.clear();
  }

  /** Sets the delay of every later response's headers. */
  synchronized void latency(Duration perRequest) {
    latency = perRequest;
  }

  /** Returns the delay of a response's headers. */
  synchronized Duration latency() {
    return latency;
  }

  /**
   * The status code of an injected failure for this request, or 0: the first matching rule, else
   * one of the {@link #failNext} count for a non-watch request (consumed).
   */
  synchronized int failure(String method, String path, boolean watch) {
    for (FailureRule rule : failureRules) {
      if ((rule.method == null || rule.method.equalsIgnoreCase(method))
          && (rule.pathPrefix == null || path.startsWith(rule.pathPrefix))) {
        return rule.status;
      }
    }
    if (!watch && failNextCount > 0) {
      failNextCount--;
      return failNextStatus;
    }
    return 0;
  }
}
