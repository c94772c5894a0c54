package cloud.krake.hooks.lifecycle;

import cloud.krake.hooks.execution.Cancellation;
import cloud.krake.hooks.execution.PodRunner;
import cloud.krake.hooks.execution.Sleeper;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one container lifecycle handler as the kubelet does ({@code exec} in the container, {@code
 * http_get} against the pod, {@code sleep}) and returns what it produced as a value; failures are
 * outcomes, not exceptions. Used by {@link LifecycleRunner}, which records the run. Thread-safe.
 */
final class LifecycleHandlers {

  private static final Logger log = LoggerFactory.getLogger(LifecycleRunner.class);

  /** What a handler produced. */
  record Outcome(boolean ok, Optional<String> error, String tail, List<LifecycleEvent> warnings) {}

  private final PodRunner podRunner;
  private final OkHttpClient httpClient;
  private final Clock clock;
  private final Sleeper sleeper;

  LifecycleHandlers(PodRunner podRunner, OkHttpClient httpClient, Clock clock, Sleeper sleeper) {
    this.podRunner = podRunner;
    this.httpClient = httpClient;
    this.clock = clock;
    this.sleeper = sleeper;
  }

  Outcome execute(
      LifecycleHookPoint point,
      LifecycleHandler.Action action,
      LifecycleContext context,
      Instant deadline,
      Cancellation cancellation,
      Redaction redaction) {
    try {
      if (action instanceof LifecycleHandler.Exec exec) {
        return exec(exec, context, deadline, cancellation, redaction);
      }
      if (action instanceof LifecycleHandler.HttpGet http) {
        return httpGet(point, http, context, deadline, redaction);
      }
      return sleep((LifecycleHandler.Sleep) action, deadline);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Outcome(false, Optional.of("interrupted"), "", List.of());
    } catch (RuntimeException e) {
      // HookException from the pod runner, or a bug in a collaborator: a failed hook either way
      return new Outcome(
          false, Optional.of(redaction.redact(String.valueOf(e.getMessage()))), "", List.of());
    }
  }

  private Outcome exec(
      LifecycleHandler.Exec exec,
      LifecycleContext context,
      Instant deadline,
      Cancellation cancellation,
      Redaction redaction)
      throws InterruptedException {
    PodRunner.ExecResult result =
        podRunner.exec(
            new PodRunner.ExecRequest(
                context.clusterRef(),
                context.podNamespace(),
                context.pod(),
                context.container(),
                exec.command(),
                deadline),
            cancellation);
    String tail = redaction.tail(result.stdout() + result.stderr());
    if (result.exitCode() == 0) {
      return new Outcome(true, Optional.empty(), tail, List.of());
    }
    return new Outcome(
        false, Optional.of("command exited with code " + result.exitCode()), tail, List.of());
  }

  private Outcome httpGet(
      LifecycleHookPoint point,
      LifecycleHandler.HttpGet http,
      LifecycleContext context,
      Instant deadline,
      Redaction redaction) {
    Optional<String> host = http.host().or(context::podIp);
    if (host.isEmpty()) {
      return new Outcome(
          false, Optional.of("http_get has no host and the pod's IP is not known"), "", List.of());
    }
    HttpUrl base;
    try {
      base =
          new HttpUrl.Builder()
              .scheme(http.scheme().name().toLowerCase(Locale.ROOT))
              .host(host.get())
              .port(http.port())
              .build();
    } catch (IllegalArgumentException e) {
      return new Outcome(false, Optional.of("http_get host is not valid"), "", List.of());
    }
    HttpUrl url = base.resolve(http.path());
    if (url == null) {
      return new Outcome(false, Optional.of("http_get path is not valid"), "", List.of());
    }
    String target =
        redaction.redact(
            "GET " + url.scheme() + "://" + url.host() + ":" + url.port() + url.encodedPath());
    Duration timeout = Duration.between(clock.instant(), deadline);
    if (timeout.isNegative() || timeout.isZero()) {
      return new Outcome(false, Optional.of(target + ": no time left"), "", List.of());
    }
    Request.Builder request = new Request.Builder().url(url).get();
    boolean userAgent = false;
    boolean accept = false;
    for (LifecycleHandler.HttpHeader header : http.headers()) {
      request.addHeader(header.name(), header.value());
      userAgent |= header.name().equalsIgnoreCase("User-Agent");
      accept |= header.name().equalsIgnoreCase("Accept");
    }
    if (!userAgent) {
      request.header("User-Agent", "krake-lifecycle"); // the kubelet sends kube-lifecycle/<version>
    }
    if (!accept) {
      request.header("Accept", "*/*");
    }
    OkHttpClient client = httpClient.newBuilder().callTimeout(timeout).build();
    try (Response response = client.newCall(request.build()).execute()) {
      response.peekBody(
          LifecycleRunner.MAX_HTTP_BODY); // read up to 10 KiB and discard it, as the kubelet
      int code = response.code();
      if (code >= 200 && code < 300) {
        return new Outcome(true, Optional.empty(), "", List.of());
      }
      String answer = target + " answered " + code;
      LifecycleEvent warning =
          LifecycleEvent.warning(
              LifecycleEvent.LIFECYCLE_HTTP_NON_2XX,
              answer
                  + (http.strict()
                      ? " (strict: a failure)"
                      : " (counted as success, as the kubelet does; set strict to fail)"),
              clock.instant(),
              point);
      return new Outcome(
          !http.strict(),
          http.strict() ? Optional.of(answer) : Optional.empty(),
          "",
          List.of(warning));
    } catch (IOException e) {
      String message = e.getMessage() == null ? "" : ": " + redaction.redact(e.getMessage());
      return new Outcome(
          false,
          Optional.of(target + " failed: " + e.getClass().getSimpleName() + message),
          "",
          List.of());
    }
  }

  private Outcome sleep(LifecycleHandler.Sleep sleep, Instant deadline)
      throws InterruptedException {
    Duration wanted = Duration.ofSeconds(sleep.seconds());
    Duration left = Duration.between(clock.instant(), deadline);
    if (left.compareTo(wanted) < 0) {
      sleeper.sleep(left.isNegative() ? Duration.ZERO : left);
      return new Outcome(
          false, Optional.of("terminated before sleep hook finished"), "", List.of());
    }
    sleeper.sleep(wanted);
    return new Outcome(true, Optional.empty(), "", List.of());
  }
}
