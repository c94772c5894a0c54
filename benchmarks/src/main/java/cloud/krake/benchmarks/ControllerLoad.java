package cloud.krake.benchmarks;

import static java.nio.charset.StandardCharsets.UTF_8;

import cloud.krake.Krake;
import cloud.krake.hooks.HookConfig;
import cloud.krake.hooks.HooksConfig;
import cloud.krake.hooks.ShutdownHookConfig;
import cloud.krake.hooks.endpoint.EmbeddedHookServer;
import cloud.krake.hooks.tls.GeneratedHookCa;
import cloud.krake.hooks.tls.HookCertificateAuthorities;
import cloud.krake.hooks.tls.TlsMaterial;
import cloud.krake.k8s.KubeconfigClusterConnector;
import cloud.krake.k8s.KubernetesBackend;
import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.Cluster;
import cloud.krake.model.ClusterState;
import cloud.krake.model.KrakeJson;
import cloud.krake.model.Reason;
import cloud.krake.model.ResourceRef;
import cloud.krake.store.Applications;
import cloud.krake.store.ResourceEvent;
import cloud.krake.store.ResourceListener;
import cloud.krake.store.Watch;
import cloud.krake.store.WatchEvent;
import cloud.krake.store.memory.MemoryStore;
import cloud.krake.testing.kubernetes.FakeKubernetesApiServer;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import javax.net.ssl.SSLContext;

/**
 * The controller load test of issue 5: many applications through the whole library path, on two
 * fake Kubernetes clusters, measured from outside as a host would see them. A one-shot program with
 * phases, not a JMH benchmark.
 *
 * <p>The stack is the one the end-to-end tests of krake-k8s wire ({@code FakeClusters}): {@link
 * Krake} on a {@link MemoryStore}, the {@link KubernetesBackend} with the {@link
 * KubeconfigClusterConnector} (the official client), two {@link FakeKubernetesApiServer}s labelled
 * {@code location=a|b}, Krake's complete and shutdown hooks with TLS (a {@link GeneratedHookCa})
 * and the {@link EmbeddedHookServer} over HTTPS with client certificates. Each application is the
 * module's own {@value #APPLICATION_RESOURCE} (a Deployment and a NodePort Service, {@code hooks:
 * [complete, shutdown]}); even-numbered ones are constrained to cluster {@code a}, odd ones to
 * {@code b}.
 *
 * <ol>
 *   <li><b>Create → RUNNING.</b> One thread creates every application with {@code
 *       applications().create} in a loop, as fast as it can; a store watch on the applications
 *       records when each first reaches RUNNING. Latency per application: {@link System#nanoTime()}
 *       just before its {@code create} to the watch event. Then checked: every application RUNNING
 *       on its cluster, and {@value #OBJECTS_PER_APPLICATION} objects per application on each fake
 *       (Deployment, Service, a token and a certificate Secret per hook).
 *   <li><b>Complete → gone.</b> Each application's hook URL, token and client certificate are read
 *       from its Secrets on its fake cluster (as its pod would mount them); then {@value
 *       #CLIENT_THREADS} client threads call {@code PUT {"token": ...}} on each URL with {@link
 *       HttpClient}, one client (own TLS session, own certificate) per application. The watch
 *       records when each application is removed from the store. Then checked: every call answered
 *       200, no application left in the store, no object left on either fake.
 * </ol>
 *
 * <p>Reported: applications per second per phase (applications over the time from the phase's start
 * to the last watch event of the phase), p50/p99/max latencies, the JVM's peak heap (sum of the
 * heap pools' peaks since the start of phase 1), GC count and time, CPU time, and a JDK Flight
 * Recorder profile of each phase ({@link Profile}; reading the Secrets between the phases is left
 * out).
 *
 * <p>Run it from the shaded jar of this module (see {@code docs/performance.md}):
 *
 * <pre>
 * java -Dsun.net.httpserver.nodelay=true -XX:FlightRecorderOptions=stackdepth=256 \
 *     -cp benchmarks/target/benchmarks.jar cloud.krake.benchmarks.ControllerLoad [applications [workers]]
 * </pre>
 *
 * <p>Exit status: 0 when every check passed; 1 when a check failed (something left behind, a hook
 * call refused, an application FAILED); 2 when a phase did not finish within {@link
 * #PHASE_TIMEOUT}; 64 for bad arguments.
 */
public final class ControllerLoad {

  /** The number of applications without an argument. */
  public static final int DEFAULT_APPLICATIONS = 1000;

  /** The number of threads that call the hook endpoint in phase 2. */
  public static final int CLIENT_THREADS = 16;

  /** How long each phase may take. */
  public static final Duration PHASE_TIMEOUT = Duration.ofMinutes(10);

  /** The application template, a class-path resource beside this class. */
  public static final String APPLICATION_RESOURCE = "controller-load-application.yaml";

  /** Kubernetes objects per application: Deployment, Service, two Secrets per hook. */
  public static final int OBJECTS_PER_APPLICATION = 6;

  /** The Krake namespace of the applications and clusters. */
  static final String NS = "load";

  private static final Duration HOOK_CALL_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(10);
  private static final Duration CHECK_EVERY = Duration.ofSeconds(1);
  private static final List<String> LOCATIONS = List.of("a", "b");

  private final Options options;
  private final PrintStream out;

  /**
   * What to run.
   *
   * @param applications how many applications, at least 2 (half per cluster)
   * @param workers worker threads per Krake component ({@link Krake.Builder#workers(int)})
   * @param clientThreads threads calling the hook endpoint in phase 2
   * @param phaseTimeout how long each phase may take
   * @param jfr a directory to keep the JFR recordings in ({@code controller-load-phase1.jfr},
   *     {@code ...-phase2.jfr}); empty: temporary files, deleted after reading
   */
  record Options(
      int applications, int workers, int clientThreads, Duration phaseTimeout, Optional<Path> jfr) {
    Options {
      if (applications < 2) {
        throw new IllegalArgumentException("at least 2 applications: " + applications);
      }
      if (workers < 1 || clientThreads < 1) {
        throw new IllegalArgumentException("workers and client threads must be at least 1");
      }
      Objects.requireNonNull(phaseTimeout, "phaseTimeout");
      Objects.requireNonNull(jfr, "jfr");
    }
  }

  ControllerLoad(Options options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  /**
   * Runs the load test and exits with its status.
   *
   * @param args {@code [applications [workers]]}, defaults {@value #DEFAULT_APPLICATIONS} and
   *     {@link Krake#DEFAULT_WORKERS}; the system property {@code krake.load.jfr} names a directory
   *     to keep the JFR recordings in
   */
  public static void main(String[] args) {
    Options options;
    try {
      if (args.length > 2) {
        throw new IllegalArgumentException("too many arguments");
      }
      int applications = args.length > 0 ? Integer.parseInt(args[0]) : DEFAULT_APPLICATIONS;
      int workers = args.length > 1 ? Integer.parseInt(args[1]) : Krake.DEFAULT_WORKERS;
      options =
          new Options(
              applications,
              workers,
              CLIENT_THREADS,
              PHASE_TIMEOUT,
              Optional.ofNullable(System.getProperty("krake.load.jfr")).map(Path::of));
    } catch (IllegalArgumentException e) {
      System.err.println("usage: ControllerLoad [applications [workers]]: " + e.getMessage());
      System.exit(64);
      return;
    }
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      // EmbeddedHookServer's Javadoc: without it each response waits ~40 ms (Nagle + delayed ACK).
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
    Result result = new ControllerLoad(options, System.out).run();
    result.print(System.out);
    System.exit(result.exitCode());
  }

  /** Runs both phases and returns what was measured; never throws for a failed check. */
  Result run() {
    HookCall.allowConnectionHeader();
    Result.Builder result = new Result.Builder(options);
    List<Application> applications = applications(options.applications());
    MemoryStore store = MemoryStore.create();
    Environment env = new Environment(store, options.workers());
    Tracker tracker = new Tracker(options.applications());
    Watch watch = null;
    Profile profile = null;
    try {
      env.registerClusters();
      watch = env.krake.applications().watch(NS, 0, tracker);
      store.compact(store.revision());
      long heapBefore = JvmUsage.heapAfterFullGc();
      JvmUsage.resetPeaks();
      result.loadAtStart = loadAverage();
      result.jvmStart = JvmUsage.now();
      profile = Profile.start();
      boolean running = phase1(env, tracker, applications, result);
      result.profile1 = Optional.of(stopProfile(profile, "phase1", result));
      profile = null;
      if (running) {
        List<HookCall> calls = prepareCalls(env);
        result.jvmBeforePhase2 = JvmUsage.now();
        profile = Profile.start();
        boolean gone = phase2(env, tracker, calls, result);
        result.profile2 = Optional.of(stopProfile(profile, "phase2", result));
        profile = null;
        if (gone) {
          calls.clear();
          applications.clear();
          // The store's history (its last revisions) is the store's, not what the library keeps.
          store.compact(store.revision());
          reportRetainedHeap(heapBefore, options.applications());
        }
      }
    } catch (RuntimeException e) {
      result.problem("the run failed: " + e);
    } finally {
      result.jvmEnd = JvmUsage.now();
      result.loadAtEnd = loadAverage();
      if (profile != null) {
        stopProfile(profile, "failed", result);
      }
      if (watch != null) {
        watch.close();
      }
      env.close();
      store.close();
    }
    return result.build();
  }

  /**
   * Prints the heap in use after a full collection with every application gone, against the same
   * before phase 1: what the library keeps of applications that no longer exist. With {@code
   * -Dkrake.load.histogram=N}, also the first N lines of the live class histogram.
   */
  private void reportRetainedHeap(long heapBefore, int applications) {
    long heapAfter = JvmUsage.heapAfterFullGc();
    out.printf(
        "heap after a full GC: %.1f MiB before phase 1, %.1f MiB with all %d applications gone"
            + " (%+.1f KiB per application)%n",
        heapBefore / 1048576.0,
        heapAfter / 1048576.0,
        applications,
        (heapAfter - heapBefore) / 1024.0 / applications);
    Integer lines = Integer.getInteger("krake.load.histogram");
    if (lines != null) {
      out.println(JvmUsage.liveClassHistogram(lines));
    }
  }

  // ------------------------------------------------------------------ phase 1

  private boolean phase1(
      Environment env, Tracker tracker, List<Application> applications, Result.Builder result) {
    int n = applications.size();
    out.printf("phase 1: creating %d applications%n", n);
    long[] createdAt = new long[n];
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      createdAt[i] = System.nanoTime();
      env.krake.applications().create(applications.get(i));
    }
    result.createLoopNanos = System.nanoTime() - start;
    if (await(tracker.running, tracker.runningAt::size, "RUNNING", () -> false) != Outcome.DONE) {
      result.timedOut("phase 1: only " + tracker.runningAt.size() + " of " + n + " RUNNING");
      describeStates(env, result);
      return false;
    }
    long[] latencies = new long[n];
    long end = start;
    for (int i = 0; i < n; i++) {
      long at = tracker.runningAt.get(applications.get(i).metadata().name());
      latencies[i] = at - createdAt[i];
      end = Math.max(end, at);
    }
    result.phase1Nanos = end - start;
    result.createToRunning = Latencies.of(latencies);
    result.jvmAfterPhase1 = JvmUsage.now();
    tracker.failures.forEach(
        (name, reason) -> result.note(name + " was FAILED on the way: " + reason));
    checkRunning(env, applications, result);
    env.krake
        .applications()
        .get(NS, name(0))
        .ifPresent(app -> result.documentBytes = KrakeJson.writeBytes(app).length);
    return result.problems.isEmpty();
  }

  private void checkRunning(Environment env, List<Application> applications, Result.Builder r) {
    Map<String, Integer> expected = new TreeMap<>();
    for (int i = 0; i < applications.size(); i++) {
      String name = applications.get(i).metadata().name();
      String location = location(i);
      expected.merge(location, OBJECTS_PER_APPLICATION, Integer::sum);
      Optional<Application> stored = env.krake.applications().get(NS, name);
      if (stored.isEmpty()) {
        r.problem(name + " is gone after phase 1");
        continue;
      }
      Application app = stored.get();
      Optional<String> on = app.status().runningOn().map(ResourceRef::name);
      if (app.status().state() != ApplicationState.RUNNING || !on.equals(Optional.of(location))) {
        r.problem(
            name
                + " is "
                + app.status().state()
                + " on "
                + on.orElse("no cluster")
                + ", expected RUNNING on "
                + location);
      }
    }
    for (FakeKubernetesApiServer fake : env.fakes()) {
      List<ObjectNode> objects = fake.objects();
      if (objects.size() != expected.get(fake.name())) {
        r.problem(
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

  // ------------------------------------------------------------------ phase 2

  /**
   * Reads every application's hook URL, token and client certificate from its Secrets on its fake
   * cluster, before phase 2 (and outside its profile): what each pod has mounted before it calls.
   */
  private List<HookCall> prepareCalls(Environment env) {
    int n = options.applications();
    out.printf("reading the hook Secrets of %d applications%n", n);
    List<HookCall> calls = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      calls.add(HookCall.read(env.fake(location(i)), name(i)));
    }
    return calls;
  }

  private boolean phase2(
      Environment env, Tracker tracker, List<HookCall> calls, Result.Builder result) {
    int n = options.applications();
    out.printf("phase 2: completing %d applications through the hook endpoint%n", n);
    ExecutorService clients =
        Executors.newFixedThreadPool(options.clientThreads(), threads("load-hook-client"));
    ExecutorService httpExecutor = Executors.newCachedThreadPool(threads("load-http"));
    try {
      long start = System.nanoTime();
      List<Future<HookCall.Answer>> answers = new ArrayList<>();
      for (HookCall call : calls) {
        answers.add(clients.submit(() -> call.complete(httpExecutor)));
      }
      // Give up early once every call has an answer and every application answered 200 is gone:
      // the others (refused calls) will never go.
      Outcome gone =
          await(
              tracker.gone,
              tracker.goneAt::size,
              "gone",
              () ->
                  allAnswered(answers) && tracker.goneAt.keySet().containsAll(completed(answers)));
      long[] callLatencies = new long[n];
      long[] toGone = new long[n];
      int answered = 0;
      for (int i = 0; i < n; i++) {
        HookCall.Answer answer = answer(answers.get(i), result);
        if (answer == null) {
          continue;
        }
        answered++;
        if (answer.status() != 200) {
          result.problem(name(i) + ": complete answered " + answer.describe());
        }
        callLatencies[i] = answer.answeredAt() - answer.sentAt();
        Long goneAt = tracker.goneAt.get(name(i));
        toGone[i] = goneAt == null ? -1 : goneAt - answer.sentAt();
      }
      // The early stop can see the last answer arrive after the last application went: all gone.
      if (gone != Outcome.DONE && tracker.goneAt.size() < n) {
        String what = "phase 2: only " + tracker.goneAt.size() + " of " + n + " gone";
        if (gone == Outcome.TIMED_OUT) {
          result.timedOut(what);
        } else {
          result.problem(what + ", as some calls were refused");
        }
        describeStates(env, result);
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
      httpExecutor.shutdownNow();
    }
    int left = env.krake.applications().list(NS).items().size();
    if (left > 0) {
      result.problem(left + " applications left in the store");
    }
    for (FakeKubernetesApiServer fake : env.fakes()) {
      List<ObjectNode> objects = fake.objects();
      if (!objects.isEmpty()) {
        result.problem("cluster " + fake.name() + " still holds " + kinds(objects));
      }
    }
    return result.problems.isEmpty();
  }

  private static boolean allAnswered(List<Future<HookCall.Answer>> answers) {
    return answers.stream().allMatch(Future::isDone);
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

  private HookCall.Answer answer(Future<HookCall.Answer> future, Result.Builder result) {
    try {
      return future.get(HOOK_CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      result.problem("interrupted while waiting for a hook call");
    } catch (ExecutionException e) {
      result.problem("a hook call failed: " + e.getCause());
    } catch (TimeoutException e) {
      result.problem("a hook call did not finish within " + HOOK_CALL_TIMEOUT);
    }
    return null;
  }

  // ------------------------------------------------------------------ helpers

  /** How a wait ended. */
  private enum Outcome {
    /** The latch reached zero. */
    DONE,
    /** Nothing more can happen: the give-up condition held. */
    GAVE_UP,
    /** The phase timeout passed (or the thread was interrupted). */
    TIMED_OUT
  }

  /**
   * Waits for the latch within the phase timeout, printing progress every {@link #PROGRESS_EVERY}
   * and checking {@code giveUp} every {@link #CHECK_EVERY}.
   */
  private Outcome await(
      CountDownLatch latch, IntSupplier reached, String what, BooleanSupplier giveUp) {
    long start = System.nanoTime();
    long deadline = start + options.phaseTimeout().toNanos();
    long nextProgress = start + PROGRESS_EVERY.toNanos();
    try {
      while (true) {
        long now = System.nanoTime();
        if (now - deadline >= 0) {
          return Outcome.TIMED_OUT;
        }
        if (latch.await(Math.min(deadline - now, CHECK_EVERY.toNanos()), TimeUnit.NANOSECONDS)) {
          return Outcome.DONE;
        }
        if (giveUp.getAsBoolean()) {
          return Outcome.GAVE_UP;
        }
        if (System.nanoTime() - nextProgress >= 0) {
          nextProgress += PROGRESS_EVERY.toNanos();
          out.printf(
              "  %d/%d %s after %d s%n",
              reached.getAsInt(),
              options.applications(),
              what,
              TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start));
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Outcome.TIMED_OUT;
    }
  }

  private void describeStates(Environment env, Result.Builder result) {
    Map<String, Integer> states = new TreeMap<>();
    for (Application app : env.krake.applications().list(NS).items()) {
      String state =
          app.status().state()
              + (app.metadata().isDeleted() ? " (deleted)" : "")
              + app.status().reason().map(r -> " " + r.code()).orElse("");
      states.merge(state, 1, Integer::sum);
    }
    result.note("applications in the store by state: " + states);
  }

  private Profile.Samples stopProfile(Profile profile, String phase, Result.Builder result) {
    try {
      Path file =
          options.jfr().isPresent()
              ? Files.createDirectories(options.jfr().get())
                  .resolve("controller-load-" + phase + ".jfr")
              : Files.createTempFile("controller-load-" + phase + "-", ".jfr");
      try {
        return profile.stop(file);
      } finally {
        if (options.jfr().isEmpty()) {
          Files.deleteIfExists(file);
        } else {
          result.note("JFR recording kept in " + file.toAbsolutePath());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String kinds(List<ObjectNode> objects) {
    Map<String, Integer> kinds = new TreeMap<>();
    objects.forEach(o -> kinds.merge(o.path("kind").asText(), 1, Integer::sum));
    return objects.size() + " objects " + kinds;
  }

  static String name(int i) {
    return String.format("app-%05d", i);
  }

  static String location(int i) {
    return LOCATIONS.get(i % LOCATIONS.size());
  }

  /** Reads the template once and fills it in per application. */
  static List<Application> applications(int n) {
    String template;
    try (InputStream in = ControllerLoad.class.getResourceAsStream(APPLICATION_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing class-path resource " + APPLICATION_RESOURCE);
      }
      template = new String(in.readAllBytes(), UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Application> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(
          KrakeJson.read(
              template.replace("${name}", name(i)).replace("${location}", location(i)),
              Application.class));
    }
    return out;
  }

  private static double loadAverage() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  private static ThreadFactory threads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  // ------------------------------------------------------------------ the watch

  /** Records, from the store watch, when each application first reached RUNNING and left. */
  static final class Tracker implements ResourceListener<Application> {
    final Map<String, Long> runningAt = new ConcurrentHashMap<>();
    final Map<String, Long> goneAt = new ConcurrentHashMap<>();
    final Map<String, String> failures = new ConcurrentHashMap<>();
    final CountDownLatch running;
    final CountDownLatch gone;

    Tracker(int applications) {
      this.running = new CountDownLatch(applications);
      this.gone = new CountDownLatch(applications);
    }

    @Override
    public void onEvent(ResourceEvent<Application> event) {
      long now = System.nanoTime();
      Application app = event.resource();
      String name = app.metadata().name();
      if (event.type() == WatchEvent.Type.DELETED) {
        if (goneAt.putIfAbsent(name, now) == null) {
          gone.countDown();
        }
      } else if (app.status().state() == ApplicationState.RUNNING) {
        if (runningAt.putIfAbsent(name, now) == null) {
          running.countDown();
        }
      } else if (app.status().state() == ApplicationState.FAILED) {
        failures.put(name, app.status().reason().map(Reason::toString).orElse("no reason"));
      }
    }

    @Override
    public void onCompacted(long compactRevision) {
      System.err.println("the applications watch was compacted at " + compactRevision);
    }
  }

  // ------------------------------------------------------------------ phase 2's client

  /** One application's complete call, as its pod would make it from its mounted Secrets. */
  record HookCall(String name, URI url, String token, SSLContext tls) {

    private static final String RESTRICTED_HEADERS = "jdk.httpclient.allowRestrictedHeaders";

    /** The outcome: HTTP status (-1 for an I/O error) and {@link System#nanoTime()} marks. */
    record Answer(String name, int status, String detail, long sentAt, long answeredAt) {
      String describe() {
        return status < 0 ? detail : status + " " + detail;
      }
    }

    static HookCall read(FakeKubernetesApiServer cluster, String name) {
      Map<String, String> token = secret(cluster, name + "-krake-complete-secret-token");
      Map<String, String> certs = secret(cluster, name + "-krake-complete-secret-certs");
      return new HookCall(
          name,
          URI.create(token.get("krake_complete_url")),
          token.get("krake_complete_token"),
          TlsMaterial.clientContext(
              TlsMaterial.certificates(certs.get("ca-bundle.pem")),
              certs.get("cert.pem"),
              certs.get("key.pem")));
    }

    private static Map<String, String> secret(FakeKubernetesApiServer cluster, String name) {
      ObjectNode secret =
          cluster
              .get("v1", "Secret", "default", name)
              .orElseThrow(() -> new IllegalStateException("no Secret " + name));
      Map<String, String> out = new LinkedHashMap<>();
      secret
          .path("data")
          .properties()
          .forEach(
              e ->
                  out.put(
                      e.getKey(),
                      new String(Base64.getDecoder().decode(e.getValue().asText()), UTF_8)));
      return out;
    }

    /**
     * Lets {@link HttpClient} send {@code Connection: close} (a restricted header), if the JVM was
     * not started with a {@code jdk.httpclient.allowRestrictedHeaders} of its own. Must run before
     * the JVM's first use of {@link HttpClient}: the property is read once.
     */
    static void allowConnectionHeader() {
      if (System.getProperty(RESTRICTED_HEADERS) == null) {
        System.setProperty(RESTRICTED_HEADERS, "connection");
      }
    }

    /**
     * Calls the hook with a client of its own (own TLS session and certificate), with {@code
     * Connection: close}: a pod calls once and goes. A Java 17 {@link HttpClient} cannot be closed;
     * without it each abandoned client's pooled connection stays open until the client is garbage
     * collected, and then hundreds close at once: each close is a task on the endpoint's pool, and
     * the burst fills its queue, so that real calls are answered 503 (seen in a run of 1,000).
     */
    Answer complete(ExecutorService httpExecutor) {
      HttpClient client =
          HttpClient.newBuilder()
              .sslContext(tls)
              .version(HttpClient.Version.HTTP_1_1)
              .connectTimeout(Duration.ofSeconds(10))
              .executor(httpExecutor)
              .build();
      HttpRequest request =
          HttpRequest.newBuilder(url)
              .timeout(HOOK_CALL_TIMEOUT)
              .header("Content-Type", "application/json")
              .header("Connection", "close")
              .PUT(HttpRequest.BodyPublishers.ofString("{\"token\": \"" + token + "\"}"))
              .build();
      long sent = System.nanoTime();
      try {
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        return new Answer(name, response.statusCode(), response.body(), sent, System.nanoTime());
      } catch (IOException e) {
        return new Answer(name, -1, e.toString(), sent, System.nanoTime());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return new Answer(name, -1, "interrupted", sent, System.nanoTime());
      }
    }

    @Override
    public String toString() {
      return "HookCall[" + name + ", " + url + "]"; // never the token
    }
  }

  // ------------------------------------------------------------------ the stack

  /** Krake with the Kubernetes backend, two fake clusters and the HTTPS hook endpoint. */
  static final class Environment implements AutoCloseable {
    final FakeKubernetesApiServer a = FakeKubernetesApiServer.builder().name("a").build();
    final FakeKubernetesApiServer b = FakeKubernetesApiServer.builder().name("b").build();
    final Krake krake;

    Environment(MemoryStore store, int workers) {
      Clock clock = Clock.systemUTC();
      GeneratedHookCa ca = GeneratedHookCa.generate(clock);
      HooksConfig unbound = config(ca, URI.create("https://127.0.0.1"));
      EmbeddedHookServer server =
          EmbeddedHookServer.loopback(ca, new Applications(store, clock), unbound, clock)
              .port(0)
              .build()
              .start();
      HooksConfig config = config(ca, server.url());
      this.krake =
          Krake.builder()
              .store(store)
              .clock(clock)
              .workers(workers)
              .extension(
                  KubernetesBackend.builder()
                      .connector(KubeconfigClusterConnector.builder().build())
                      .krakeHooks(config, HookCertificateAuthorities.of(config, clock))
                      .krakeHookServer(server)
                      .build())
              .build();
      krake.start();
    }

    private static HooksConfig config(GeneratedHookCa ca, URI endpoint) {
      return HooksConfig.builder()
          .endpoint(endpoint)
          .tls(true)
          .complete(ca.withIntermediate(HookConfig.completeDefaults()))
          .shutdown(
              ShutdownHookConfig.defaults()
                  .withHook(ca.withIntermediate(HookConfig.shutdownDefaults())))
          .addCaBundle(ca.rootCertificateSource())
          .build();
    }

    List<FakeKubernetesApiServer> fakes() {
      return List.of(a, b);
    }

    FakeKubernetesApiServer fake(String location) {
      return location.equals(a.name()) ? a : b;
    }

    void registerClusters() {
      for (FakeKubernetesApiServer fake : fakes()) {
        ObjectNode doc = JsonNodeFactory.instance.objectNode();
        ObjectNode metadata = doc.putObject("metadata");
        metadata.put("name", fake.name()).put("namespace", NS);
        metadata.putObject("labels").put("location", fake.name());
        doc.putObject("spec")
            .set("kubeconfig", KrakeJson.read(fake.kubeconfig(), ObjectNode.class));
        krake.clusters().create(KrakeJson.convert(doc, Cluster.class));
        krake.awaitCluster(
            NS, fake.name(), c -> c.status().state() == ClusterState.ONLINE, Duration.ofMinutes(1));
      }
    }

    @Override
    public void close() {
      krake.close(); // also the hook server and the connector
      a.close();
      b.close();
    }
  }

  // ------------------------------------------------------------------ the result

  /** What one run measured, and what went wrong. */
  record Result(
      Options options,
      boolean timedOut,
      List<String> problems,
      List<String> notes,
      long createLoopNanos,
      long phase1Nanos,
      long phase2Nanos,
      int documentBytes,
      Optional<Latencies> createToRunning,
      Optional<Latencies> hookCall,
      Optional<Latencies> sentToGone,
      Optional<JvmUsage> jvmStart,
      Optional<JvmUsage> jvmAfterPhase1,
      Optional<JvmUsage> jvmBeforePhase2,
      Optional<JvmUsage> jvmEnd,
      double loadAtStart,
      double loadAtEnd,
      Optional<Profile.Samples> profile1,
      Optional<Profile.Samples> profile2) {

    /** The number of rows in each profile table. */
    static final int TOP = 15;

    Result {
      problems = List.copyOf(problems);
      notes = List.copyOf(notes);
    }

    int exitCode() {
      return timedOut ? 2 : problems.isEmpty() ? 0 : 1;
    }

    boolean ok() {
      return exitCode() == 0;
    }

    double phase1PerSecond() {
      return options.applications() / (phase1Nanos / 1e9);
    }

    double phase2PerSecond() {
      return options.applications() / (phase2Nanos / 1e9);
    }

    void print(PrintStream out) {
      int n = options.applications();
      Runtime rt = Runtime.getRuntime();
      out.println();
      out.println("== Krake for Java: controller load ==");
      out.printf(
          "%d applications (Deployment + NodePort Service, hooks complete+shutdown, TLS) over 2"
              + " fake clusters; %d workers per component; %d hook clients%n",
          n, options.workers(), options.clientThreads());
      out.printf(
          "host: %d CPUs, %s %s, max heap %d MiB, load average %.2f at start, %.2f at end%n",
          rt.availableProcessors(),
          System.getProperty("java.vm.name"),
          System.getProperty("java.version"),
          rt.maxMemory() >> 20,
          loadAtStart,
          loadAtEnd);
      out.println();
      out.printf("%-34s %10s %10s %10s%n", "phase", "wall s", "apps/s", "CPU s");
      JvmUsage start = jvmStart.orElse(null);
      JvmUsage mid = jvmAfterPhase1.orElse(null);
      JvmUsage beforePhase2 = jvmBeforePhase2.orElse(null);
      JvmUsage end = jvmEnd.orElse(null);
      if (createLoopNanos > 0) {
        out.printf(
            "%-34s %10.2f %10.0f %10s%n",
            "  create loop (applications().create)",
            createLoopNanos / 1e9,
            n / (createLoopNanos / 1e9),
            "");
      }
      if (phase1Nanos > 0) {
        out.printf(
            "%-34s %10.2f %10.1f %10.1f%n",
            "1 create -> all RUNNING",
            phase1Nanos / 1e9,
            phase1PerSecond(),
            mid != null && start != null ? mid.cpuSecondsSince(start) : Double.NaN);
      }
      if (phase2Nanos > 0) {
        out.printf(
            "%-34s %10.2f %10.1f %10.1f%n",
            "2 complete -> all gone",
            phase2Nanos / 1e9,
            phase2PerSecond(),
            end != null && beforePhase2 != null ? end.cpuSecondsSince(beforePhase2) : Double.NaN);
      }
      out.println();
      out.printf("%-34s %10s %10s %10s%n", "latency (ms)", "p50", "p99", "max");
      latency(out, "create -> RUNNING", createToRunning);
      latency(out, "complete call (PUT over mTLS)", hookCall);
      latency(out, "complete PUT sent -> gone", sentToGone);
      if (start != null && end != null) {
        long[] gc = end.collectionsSince(start);
        out.println();
        out.printf(
            "peak heap: %d MiB over both phases%s (sum of the heap pools' peaks)%n",
            end.heapPeakBytes() >> 20,
            mid == null ? "" : ", " + (mid.heapPeakBytes() >> 20) + " MiB in phase 1");
        StringBuilder collectors = new StringBuilder();
        end.collections()
            .forEach(
                (name, now) -> {
                  long[] then = start.collections().getOrDefault(name, new long[2]);
                  collectors.append(
                      String.format("; %s %d (%d ms)", name, now[0] - then[0], now[1] - then[1]));
                });
        out.printf("GC: %d collections, %d ms in total%s%n", gc[0], gc[1], collectors);
        out.printf("peak live threads %d%n", end.peakThreads());
      }
      if (documentBytes > 0) {
        out.printf("one RUNNING application as stored: %.1f KiB of JSON%n", documentBytes / 1024.0);
      }
      if (profile1.isPresent()) {
        printProfile(out, profile1.get(), profile2);
      }
      out.println();
      notes.forEach(note -> out.println("note: " + note));
      problems.forEach(problem -> out.println("PROBLEM: " + problem));
      out.println(
          timedOut ? "result: TIMED OUT" : problems.isEmpty() ? "result: OK" : "result: FAILED");
    }

    private static void latency(PrintStream out, String what, Optional<Latencies> latencies) {
      latencies.ifPresent(
          l ->
              out.printf(
                  "%-34s %10.1f %10.1f %10.1f%n",
                  what, l.percentileMillis(50), l.percentileMillis(99), l.maxMillis()));
    }

    private static void printProfile(
        PrintStream out, Profile.Samples phase1, Optional<Profile.Samples> phase2) {
      Profile.Samples both = phase2.map(phase1::plus).orElse(phase1);
      out.println();
      out.printf(
          "JFR execution samples every %d ms, phase 1%s: %d samples (%d in phase 1; %d with"
              + " truncated stacks)%n",
          Profile.SAMPLE_PERIOD.toMillis(),
          phase2.isPresent() ? " and phase 2" : "",
          both.count(),
          phase1.count(),
          both.truncated());
      table(out, "hot frames, self time", both.selfByMethod(), both.count(), TOP);
      table(
          out,
          "where time goes: first frame in " + String.join("/", Profile.LIBRARY_PREFIXES),
          both.byFirstLibraryFrame(),
          both.count(),
          TOP);
      table(
          out,
          "phase 1 by package of that frame",
          phase1.byFirstLibraryPackage(),
          phase1.count(),
          10);
      phase2.ifPresent(
          p ->
              table(
                  out,
                  "phase 2 by package of that frame",
                  p.byFirstLibraryPackage(),
                  p.count(),
                  10));
      table(out, "by thread (digits as #)", both.byThreadGroup(), both.count(), 10);
    }

    private static void table(
        PrintStream out, String title, Map<String, Long> counts, int total, int rows) {
      out.println();
      out.printf("%-6s %7s  %s%n", "%", "samples", title);
      for (Map.Entry<String, Long> e : Profile.Samples.top(counts, rows)) {
        out.printf("%5.1f%% %7d  %s%n", 100.0 * e.getValue() / total, e.getValue(), e.getKey());
      }
    }

    /** Collects a result while the run goes; not thread-safe (the run's own thread). */
    static final class Builder {
      final Options options;
      final List<String> problems = new ArrayList<>();
      final List<String> notes = new ArrayList<>();
      boolean timedOut;
      long createLoopNanos;
      long phase1Nanos;
      long phase2Nanos;
      int documentBytes;
      Latencies createToRunning;
      Latencies hookCall;
      Latencies sentToGone;
      JvmUsage jvmStart;
      JvmUsage jvmAfterPhase1;
      JvmUsage jvmBeforePhase2;
      JvmUsage jvmEnd;
      double loadAtStart = Double.NaN;
      double loadAtEnd = Double.NaN;
      Optional<Profile.Samples> profile1 = Optional.empty();
      Optional<Profile.Samples> profile2 = Optional.empty();

      Builder(Options options) {
        this.options = options;
      }

      void problem(String problem) {
        problems.add(problem);
      }

      void note(String note) {
        notes.add(note);
      }

      void timedOut(String what) {
        timedOut = true;
        problems.add(what + " within " + options.phaseTimeout());
      }

      Result build() {
        return new Result(
            options,
            timedOut,
            problems,
            notes,
            createLoopNanos,
            phase1Nanos,
            phase2Nanos,
            documentBytes,
            Optional.ofNullable(createToRunning),
            Optional.ofNullable(hookCall),
            Optional.ofNullable(sentToGone),
            Optional.ofNullable(jvmStart),
            Optional.ofNullable(jvmAfterPhase1),
            Optional.ofNullable(jvmBeforePhase2),
            Optional.ofNullable(jvmEnd),
            loadAtStart,
            loadAtEnd,
            profile1,
            profile2);
      }
    }
  }
}
