package cloud.krake.benchmarks;

import cloud.krake.testing.kubernetes.FakeKubernetesApiServer;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import javax.net.ssl.X509TrustManager;

/** The library phases of {@link ControllerLoad}, driven from the driver process. */
final class LoadPhases {

  private LoadPhases() {}

  /** Phase 1: sends every create to the host and waits until all are RUNNING. */
  static boolean phase1(
      ControllerLoad load,
      LoadInstances host,
      List<String> creates,
      LoadTracker tracker,
      LoadResult result) {
    int n = creates.size();
    load.out().printf("phase 1: creating %d applications in the host%n", n);
    long[] createdAt = new long[n];
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      createdAt[i] = System.nanoTime();
      host.send(i, creates.get(i));
    }
    result.createLoopNanos = System.nanoTime() - start;
    ControllerLoad.Outcome outcome =
        load.await(
            tracker.running,
            tracker.runningAt::size,
            "RUNNING",
            () -> !host.isAlive() || !tracker.createFailures.isEmpty());
    tracker.createFailures.forEach(f -> result.problem("the host: " + f));
    if (outcome != ControllerLoad.Outcome.DONE) {
      String what = "phase 1: only " + tracker.runningAt.size() + " of " + n + " RUNNING";
      if (outcome == ControllerLoad.Outcome.TIMED_OUT) {
        result.timedOut(what);
      } else {
        result.problem(what + (host.isAlive() ? "" : ": the host JVM ended"));
      }
      describeStates(host, result);
      return false;
    }
    long[] latencies = new long[n];
    long end = start;
    for (int i = 0; i < n; i++) {
      long at = tracker.runningAt.get(LoadProtocol.name(i));
      latencies[i] = at - createdAt[i];
      end = Math.max(end, at);
    }
    result.phase1Nanos = end - start;
    result.createToRunning = Latencies.of(latencies);
    tracker.failures.forEach(
        (name, reason) -> result.note(name + " was FAILED on the way: " + reason));
    return true;
  }

  /** Every application RUNNING on its cluster, 6 objects per application on each fake. */
  static void checkRunning(
      List<FakeKubernetesApiServer> fakes, LoadTracker tracker, int n, LoadResult result) {
    Map<String, Integer> expected = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      String name = LoadProtocol.name(i);
      String location = LoadProtocol.location(i);
      expected.merge(location, ControllerLoad.OBJECTS_PER_APPLICATION, Integer::sum);
      String on = tracker.runningOn.get(name);
      if (!location.equals(on)) {
        result.problem(name + " is RUNNING on " + on + ", expected " + location);
      }
    }
    for (FakeKubernetesApiServer fake : fakes) {
      List<ObjectNode> objects = fake.objects();
      if (objects.size() != expected.get(fake.name())) {
        result.problem(
            "cluster "
                + fake.name()
                + " holds "
                + kinds(objects)
                + ", expected "
                + expected.get(fake.name())
                + " objects");
      }
    }
  }

  /**
   * Reads every application's hook URL, token and client certificate from its Secrets on its fake
   * cluster, before phase 2 (and outside its profile): what each pod has mounted before it calls.
   */
  static List<HookCall> prepareCalls(ControllerLoad load, List<FakeKubernetesApiServer> fakes) {
    int n = load.options().applications();
    load.out().printf("reading the hook Secrets of %d applications%n", n);
    long start = System.nanoTime();
    Map<String, X509TrustManager> trustManagers = new ConcurrentHashMap<>();
    java.util.Optional<java.security.Provider> provider = load.clientProvider();
    List<HookCall> calls =
        IntStream.range(0, n)
            .parallel()
            .mapToObj(
                i ->
                    HookCall.read(
                        fakes.get(LoadProtocol.LOCATIONS.indexOf(LoadProtocol.location(i))),
                        LoadProtocol.name(i),
                        trustManagers,
                        provider))
            .toList();
    load.out()
        .printf(
            "  read in %.1f s%n",
            (System.nanoTime() - start) / (double) TimeUnit.SECONDS.toNanos(1));
    return calls;
  }

  /**
   * The same calls, call {@code i} sent to endpoint {@code i} modulo their number instead of the
   * one its Secret names (the instance that applied it): each endpoint serves every application's
   * hooks, so the calls are spread evenly over the host instances.
   */
  static List<HookCall> spread(List<HookCall> calls, List<URI> endpoints) {
    List<HookCall> out = new ArrayList<>(calls.size());
    for (int i = 0; i < calls.size(); i++) {
      HookCall call = calls.get(i);
      URI endpoint = endpoints.get(i % endpoints.size());
      String query = call.url().getRawQuery();
      URI url =
          URI.create(
              endpoint.getScheme()
                  + "://"
                  + endpoint.getRawAuthority()
                  + call.url().getRawPath()
                  + (query == null ? "" : "?" + query));
      out.add(new HookCall(call.name(), url, call.token(), call.tls()));
    }
    return out;
  }

  /** Phase 2: calls every application's complete hook and waits until all are gone. */
  static boolean phase2(
      ControllerLoad load,
      LoadInstances host,
      List<FakeKubernetesApiServer> fakes,
      List<HookCall> calls,
      LoadTracker tracker,
      LoadResult result) {
    int n = calls.size();
    load.out().printf("phase 2: completing %d applications through the hook endpoint%n", n);
    ExecutorService clients =
        ControllerLoad.pool(load.options().clientThreads(), "load-hook-client");
    try {
      long start = System.nanoTime();
      AtomicInteger retries = new AtomicInteger();
      List<Future<HookCall.Answer>> answers = new ArrayList<>();
      for (HookCall call : calls) {
        answers.add(clients.submit(() -> completeRetrying(call, retries)));
      }
      // Give up early once every call has an answer and every application answered 200 is gone:
      // the others (refused calls) will never go.
      ControllerLoad.Outcome gone =
          load.await(
              tracker.gone,
              tracker.goneAt::size,
              "gone",
              () ->
                  !host.isAlive()
                      || ControllerLoad.allAnswered(answers)
                          && tracker.goneAt.keySet().containsAll(completed(answers)));
      result.note(
          "phase 2: "
              + retries.get()
              + " complete calls sent again after no answer (connect or answer timeout, at most "
              + (CALL_ATTEMPTS - 1)
              + " retries per call)");
      long[] callLatencies = new long[n];
      long[] toGone = new long[n];
      int answered = 0;
      for (int i = 0; i < n; i++) {
        HookCall.Answer answer = ControllerLoad.answer(answers.get(i), result);
        if (answer == null) {
          continue;
        }
        answered++;
        if (answer.status() != 200) {
          result.problem(LoadProtocol.name(i) + ": complete answered " + answer.describe());
        }
        callLatencies[i] = answer.answeredAt() - answer.sentAt();
        Long goneAt = tracker.goneAt.get(LoadProtocol.name(i));
        toGone[i] = goneAt == null ? -1 : goneAt - answer.sentAt();
      }
      // The early stop can see the last answer arrive after the last application went: all gone.
      if (gone != ControllerLoad.Outcome.DONE && tracker.goneAt.size() < n) {
        String what = "phase 2: only " + tracker.goneAt.size() + " of " + n + " gone";
        if (gone == ControllerLoad.Outcome.TIMED_OUT) {
          result.timedOut(what);
        } else {
          result.problem(
              what + (host.isAlive() ? ", as some calls were refused" : ": the host JVM ended"));
        }
        describeStates(host, result);
        return false;
      }
      long end = tracker.goneAt.values().stream().mapToLong(Long::longValue).max().orElse(start);
      result.phase2Nanos = end - start;
      if (answered == n) {
        result.hookCall = Latencies.of(callLatencies);
        result.sentToGone = Latencies.of(toGone);
      }
    } finally {
      clients.shutdownNow();
    }
    int left = Integer.parseInt(host.call("count", "count", java.time.Duration.ofMinutes(1)));
    if (left > 0) {
      result.problem(left + " applications left in the store");
    }
    for (FakeKubernetesApiServer fake : fakes) {
      List<ObjectNode> objects = fake.objects();
      if (!objects.isEmpty()) {
        result.problem("cluster " + fake.name() + " still holds " + kinds(objects));
      }
    }
    return result.problems.isEmpty();
  }

  /** How often one complete call is sent at most, the first time included. */
  static final int CALL_ATTEMPTS = 4;

  /** The pause before the first retry of a call; doubled before each further one. */
  static final Duration FIRST_RETRY_PAUSE = Duration.ofSeconds(1);

  /**
   * One application's complete call as its pod would make it: sent again, after a pause of {@link
   * #FIRST_RETRY_PAUSE} doubled each time, when it got no HTTP answer at all (the connection was
   * refused or timed out, or the answer did not come within {@link HookCall#HOOK_CALL_TIMEOUT}), at
   * most {@link #CALL_ATTEMPTS} times in all. An HTTP answer of any status is final: a 4xx or 5xx
   * is returned as it is and fails the run, never retried away. A retry of a call whose first
   * sending did reach the endpoint is harmless: a repeated valid complete answers 200 without a
   * second write (see {@code HookEndpoint}). Each retry is counted in {@code retries}; the answer's
   * {@code sentAt} is the first attempt's, so the call's latency includes its retries.
   */
  static HookCall.Answer completeRetrying(HookCall call, AtomicInteger retries)
      throws InterruptedException {
    return completeRetrying(call, retries, FIRST_RETRY_PAUSE);
  }

  /** As {@link #completeRetrying(HookCall, AtomicInteger)}, first pause given. */
  static HookCall.Answer completeRetrying(HookCall call, AtomicInteger retries, Duration firstPause)
      throws InterruptedException {
    long firstSent = 0;
    Duration pause = firstPause;
    for (int attempt = 1; ; attempt++) {
      HookCall.Answer answer = call.complete();
      if (attempt == 1) {
        firstSent = answer.sentAt();
      }
      boolean noAnswer = answer.status() < 0 && !"interrupted".equals(answer.detail());
      if (!noAnswer || attempt >= CALL_ATTEMPTS || Thread.currentThread().isInterrupted()) {
        return new HookCall.Answer(
            answer.name(),
            answer.status(),
            attempt == 1 ? answer.detail() : answer.detail() + " (attempt " + attempt + ")",
            firstSent,
            answer.answeredAt());
      }
      retries.incrementAndGet();
      Thread.sleep(pause.toMillis());
      pause = pause.multipliedBy(2);
    }
  }

  /** The names of the applications whose finished call was answered 200. */
  private static List<String> completed(List<Future<HookCall.Answer>> answers) {
    List<String> names = new ArrayList<>();
    for (Future<HookCall.Answer> f : answers) {
      if (f.isDone() && !f.isCancelled()) {
        try {
          HookCall.Answer answer = f.get();
          if (answer.status() == 200) {
            names.add(answer.name());
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
          // no answer: not completed
        }
      }
    }
    return names;
  }

  private static void describeStates(LoadInstances host, LoadResult result) {
    try {
      result.note(
          "applications in the store by state: "
              + host.call("states", "states", java.time.Duration.ofMinutes(1)));
    } catch (RuntimeException e) {
      result.note("no states from the host: " + e.getMessage());
    }
  }

  private static String kinds(List<ObjectNode> objects) {
    Map<String, Integer> kinds = new TreeMap<>();
    objects.forEach(o -> kinds.merge(o.path("kind").asText(), 1, Integer::sum));
    return objects.size() + " objects " + kinds;
  }
}
