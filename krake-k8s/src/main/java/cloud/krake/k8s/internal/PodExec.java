package cloud.krake.k8s.internal;

import cloud.krake.k8s.KubernetesException;
import cloud.krake.k8s.KubernetesExecResult;
import cloud.krake.model.ReasonCode;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubernetes.client.Exec;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One command run in a pod's container through the API server ({@code pods/exec}, as {@code kubectl
 * exec}) for {@link ApiServerClusterClient#exec}: picks and checks the container, drains stdout and
 * stderr on the client's exec-stream pool (keeping the first {@link
 * KubernetesExecResult#MAX_OUTPUT_BYTES} bytes of each) and waits for the exit status within the
 * timeout. Logs under the client's logger.
 */
final class PodExec {

  // the client's logger, so the log stays where it was before the split
  private static final Logger log = LoggerFactory.getLogger(ApiServerClusterClient.class);
  private static final ObjectMapper JSON = ApiServerClusterClient.JSON;
  private static final int MAX_EXEC_THREADS = ApiServerClusterClient.MAX_EXEC_THREADS;

  private final ApiClient api;
  private final String cluster;
  private final ExecutorService execStreams;
  private final Function<ObjectNode, Optional<ObjectNode>> get;

  PodExec(
      ApiClient api,
      String cluster,
      ExecutorService execStreams,
      Function<ObjectNode, Optional<ObjectNode>> get) {
    this.api = api;
    this.cluster = cluster;
    this.execStreams = execStreams;
    this.get = get;
  }

  /** Runs the command; the arguments were checked by the client. */
  KubernetesExecResult run(
      String namespace,
      String pod,
      Optional<String> container,
      List<String> command,
      Duration timeout)
      throws InterruptedException {
    return run(namespace, pod, container, command, Optional.empty(), Optional.empty(), timeout);
  }

  /**
   * Runs the command with binary streams: {@code stdin} copied to the command on the calling thread
   * (the client's WebSocket output waits while its send queue is full), then closed; the command's
   * standard output copied to {@code stdout} on the client's exec-stream pool, else kept as text.
   */
  KubernetesExecResult run(
      String namespace,
      String pod,
      Optional<String> container,
      List<String> command,
      Optional<InputStream> stdin,
      Optional<OutputStream> stdout,
      Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String context = "cluster " + cluster + ": exec in Pod " + namespace + "/" + pod;
    String target = execTarget(context, namespace, pod, container);
    String where = context + " container " + target;
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Process process;
    try {
      process =
          new Exec(api)
              .newExecutionBuilder(namespace, pod, command.toArray(String[]::new))
              .setContainer(target)
              .setStdin(stdin.isPresent())
              .setTty(false)
              .setOnUnhandledError(failure::set)
              .execute();
    } catch (ApiException | IOException | RuntimeException e) {
      throw Failures.of(where, e, false);
    }
    try {
      Future<byte[]> out;
      Future<byte[]> stderr;
      try {
        out =
            stdout.isPresent()
                ? execStreams.submit(() -> copy(process.getInputStream(), stdout.get()))
                : execStreams.submit(() -> drain(process.getInputStream()));
        stderr = execStreams.submit(() -> drain(process.getErrorStream()));
      } catch (RejectedExecutionException e) {
        throw new KubernetesException(
            ReasonCode.KUBERNETES_ERROR,
            0,
            where + ": too many execs at once (at most " + MAX_EXEC_THREADS / 2 + ")",
            e);
      }
      if (stdin.isPresent()) {
        try (OutputStream in = process.getOutputStream()) {
          stdin.get().transferTo(in);
        } catch (IOException e) {
          throw new KubernetesException(
              ReasonCode.KUBERNETES_ERROR, 0, where + ": sending stdin failed: " + e, e);
        }
      }
      if (!process.waitFor(remaining(deadline), TimeUnit.NANOSECONDS)) {
        throw new KubernetesException(
            ReasonCode.KUBERNETES_ERROR,
            0,
            where + ": the command did not finish within " + timeout,
            null);
      }
      Throwable broken = failure.get();
      if (broken != null) {
        throw Failures.of(where, broken, false);
      }
      // The channels end when the server closes the stream, right after the exit status.
      String text = text(where, out, deadline);
      String err = text(where, stderr, deadline);
      int exitCode = process.exitValue();
      log.debug(
          "cluster {}: exec in {}/{} {} exited with {}", cluster, namespace, pod, target, exitCode);
      return new KubernetesExecResult(exitCode, text, err);
    } finally {
      process.destroy();
    }
  }

  /** The container to exec into: the given one, checked, or the pod's first one. */
  private String execTarget(
      String context, String namespace, String pod, Optional<String> container) {
    ObjectNode reference = JSON.createObjectNode();
    reference.put("apiVersion", "v1").put("kind", "Pod");
    reference.putObject("metadata").put("name", pod).put("namespace", namespace);
    ObjectNode object =
        get.apply(reference)
            .orElseThrow(
                () ->
                    new KubernetesException(
                        ReasonCode.KUBERNETES_ERROR,
                        404,
                        context + ": the pod does not exist",
                        null));
    List<String> names = new ArrayList<>();
    for (JsonNode c : object.path("spec").path("containers")) {
      names.add(c.path("name").asText());
    }
    String phase = object.path("status").path("phase").asText("");
    if (phase.equals("Succeeded") || phase.equals("Failed")) {
      throw new KubernetesException(
          ReasonCode.KUBERNETES_ERROR,
          400,
          context + ": the pod is not running (phase " + phase + ")",
          null);
    }
    if (container.isEmpty()) {
      if (names.isEmpty()) {
        throw new KubernetesException(
            ReasonCode.KUBERNETES_ERROR, 400, context + ": the pod has no containers", null);
      }
      return names.get(0);
    }
    if (!names.contains(container.get())) {
      throw new KubernetesException(
          ReasonCode.KUBERNETES_ERROR,
          400,
          context
              + ": the pod has no container "
              + container.get()
              + " (containers: "
              + String.join(", ", names)
              + ")",
          null);
    }
    return container.get();
  }

  private static long remaining(long deadline) {
    return Math.max(0, deadline - System.nanoTime());
  }

  /**
   * Reads a channel to its end, keeping the first {@link KubernetesExecResult#MAX_OUTPUT_BYTES}
   * bytes.
   */
  private static byte[] drain(InputStream in) {
    ByteArrayOutputStream kept = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    try (in) {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        int room = KubernetesExecResult.MAX_OUTPUT_BYTES - kept.size();
        if (room > 0) {
          kept.write(buffer, 0, Math.min(n, room));
        }
      }
    } catch (IOException e) {
      // The pipe was closed under the reader (timeout, failure): what came is kept; a broken
      // stream is reported through the exec's error callback instead.
      log.debug("exec channel ended early: {}", e.toString());
    }
    return kept.toByteArray();
  }

  /** Copies a channel to its end into the caller's stream; a failing sink is an error. */
  private static byte[] copy(InputStream in, OutputStream sink) throws IOException {
    try (in) {
      in.transferTo(sink);
      sink.flush();
    }
    return new byte[0];
  }

  private static String text(String where, Future<byte[]> channel, long deadline)
      throws InterruptedException {
    try {
      return new String(
          channel.get(remaining(deadline), TimeUnit.NANOSECONDS), StandardCharsets.UTF_8);
    } catch (TimeoutException e) {
      throw new KubernetesException(
          ReasonCode.KUBERNETES_ERROR,
          0,
          where + ": the output did not end after the command finished",
          e);
    } catch (ExecutionException e) {
      throw Failures.of(where, e.getCause(), false);
    }
  }
}
