package cloud.krake.k8s.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bearer token from an {@code exec} credential plugin, by client-go's protocol ({@code
 * client.authentication.k8s.io/v1} or {@code v1beta1}): the command runs with its arguments, the
 * kubeconfig's {@code env} added to the host's environment and {@code KUBERNETES_EXEC_INFO} set to
 * an {@code ExecCredential} with {@code spec.interactive: false}, stdin closed; it must exit 0 and
 * print an {@code ExecCredential} of the same {@code apiVersion} whose {@code status.token} is the
 * token. The token is cached until its {@code status.expirationTimestamp} (for ever without one) or
 * until the server answers 401 with it, as client-go does.
 *
 * <p>Why not the official client's own exec support ({@code KubeConfig.getCredentials}, client-java
 * 27): it waits for the plugin without a limit, sends the plugin's stderr to the host's stderr,
 * reports every failure as "no credentials" (the client then sends requests unauthenticated), and
 * never refreshes a token before its {@code expirationTimestamp}. Here a run is limited by the
 * connector's timeout (the plugin and its descendants are killed), and a failure names the command,
 * the exit code and the first {@value #STDERR_LIMIT} characters of its stderr.
 *
 * <p>A plugin that prints {@code clientCertificateData}/{@code clientKeyData} instead of a token is
 * refused: client certificates cannot be changed on a running client.
 *
 * <p>Thread-safe; one run at a time per cluster (callers wait for it).
 */
final class ExecCredentialSource implements BearerTokenSource {

  /** The most characters of the plugin's stderr quoted in an error. */
  static final int STDERR_LIMIT = 1000;

  private static final int STDOUT_LIMIT = 1024 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Logger log = LoggerFactory.getLogger(ExecCredentialSource.class);

  private final String cluster;
  private final ExecConfig config;
  private final CredentialPolicy policy;
  private final Clock clock;

  /** Guarded by {@code this}; null until fetched. */
  private String token;

  /** Guarded by {@code this}; empty: until a 401. */
  private Optional<Instant> expiry = Optional.empty();

  ExecCredentialSource(String cluster, ExecConfig config, CredentialPolicy policy, Clock clock) {
    this.cluster = Objects.requireNonNull(cluster, "cluster");
    this.config = Objects.requireNonNull(config, "config");
    this.policy = Objects.requireNonNull(policy, "policy");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public synchronized String token() throws IOException {
    if (token != null && expiry.map(clock.instant()::isBefore).orElse(true)) {
      return token;
    }
    token = null;
    JsonNode status = run();
    String fresh = status.path("token").asText("");
    if (fresh.isEmpty()) {
      throw failed(
          status.has("clientCertificateData")
              ? "printed a client certificate; only tokens are supported"
              : "printed no status.token",
          "");
    }
    Optional<Instant> expires = Optional.empty();
    String timestamp = status.path("expirationTimestamp").asText("");
    if (!timestamp.isEmpty()) {
      try {
        expires = Optional.of(OffsetDateTime.parse(timestamp).toInstant());
      } catch (DateTimeParseException e) {
        throw failed("printed an expirationTimestamp that is not RFC 3339", "");
      }
    }
    token = fresh;
    expiry = expires;
    log.debug(
        "cluster {}: credential plugin {} gave a token{}",
        cluster,
        config.command(),
        expires.map(e -> " until " + e).orElse(""));
    return token;
  }

  @Override
  public synchronized void refused(String refused) {
    if (refused.equals(token)) {
      token = null;
    }
  }

  private JsonNode run() throws IOException {
    List<String> argv = new ArrayList<>();
    argv.add(config.command());
    argv.addAll(config.args());
    ProcessBuilder builder = new ProcessBuilder(argv);
    builder.environment().putAll(config.env());
    builder
        .environment()
        .put(
            "KUBERNETES_EXEC_INFO",
            JSON.createObjectNode()
                .put("apiVersion", config.apiVersion())
                .put("kind", "ExecCredential")
                .set("spec", JSON.createObjectNode().put("interactive", false))
                .toString());
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw failed("could not be started (" + e.getMessage() + ")", "");
    }
    CompletableFuture<byte[]> stdout;
    CompletableFuture<byte[]> stderr;
    try {
      process.getOutputStream().close();
      stdout = read(process.getInputStream(), STDOUT_LIMIT);
      stderr = read(process.getErrorStream(), STDERR_LIMIT * 4);
    } catch (IOException | RejectedExecutionException e) {
      kill(process);
      throw failed("could not be read (" + e.getClass().getSimpleName() + ")", "");
    }
    try {
      if (!process.waitFor(policy.execTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
        kill(process);
        throw failed(
            "did not finish within " + policy.execTimeout().toMillis() + " ms and was killed",
            text(stderr));
      }
      int exit = process.exitValue();
      String errors = text(stderr);
      if (exit != 0) {
        throw failed("exited with " + exit, errors);
      }
      byte[] out = stdout.get(policy.execTimeout().toMillis(), TimeUnit.MILLISECONDS);
      JsonNode root;
      try {
        root = JSON.readTree(out);
      } catch (IOException e) {
        // The output may hold a token: it is not quoted.
        throw failed("printed no JSON ExecCredential", errors);
      }
      if (root == null || !"ExecCredential".equals(root.path("kind").asText(""))) {
        throw failed("printed no ExecCredential (kind)", errors);
      }
      if (!config.apiVersion().equals(root.path("apiVersion").asText(""))) {
        throw failed(
            "printed an ExecCredential of apiVersion "
                + root.path("apiVersion").asText("")
                + " instead of "
                + config.apiVersion(),
            errors);
      }
      return root.path("status");
    } catch (InterruptedException e) {
      kill(process);
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while the credential plugin ran");
    } catch (ExecutionException | TimeoutException e) {
      kill(process);
      throw failed("output could not be read (" + e.getClass().getSimpleName() + ")", "");
    }
  }

  private CompletableFuture<byte[]> read(InputStream stream, int limit) {
    return CompletableFuture.supplyAsync(
        () -> {
          ByteArrayOutputStream kept = new ByteArrayOutputStream();
          byte[] buffer = new byte[8192];
          try (stream) {
            int n;
            while ((n = stream.read(buffer)) >= 0) {
              int room = limit - kept.size();
              kept.write(buffer, 0, Math.min(n, Math.max(room, 0)));
            }
          } catch (IOException e) {
            // The process was killed or closed its stream: keep what came.
          }
          return kept.toByteArray();
        },
        policy.execStreams());
  }

  private static void kill(Process process) {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }

  /** The plugin's stderr so far, waiting briefly for the stream's end once the process is gone. */
  private static String text(CompletableFuture<byte[]> stderr) {
    byte[] bytes;
    try {
      bytes = stderr.get(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    } catch (ExecutionException | TimeoutException e) {
      return "";
    }
    String text = new String(bytes, StandardCharsets.UTF_8).strip().replaceAll("\\p{Cntrl}", " ");
    return text.length() > STDERR_LIMIT ? text.substring(0, STDERR_LIMIT) + "…" : text;
  }

  private CredentialsUnavailableException failed(String what, String stderr) {
    return new CredentialsUnavailableException(
        "the exec credential plugin "
            + config.command()
            + " "
            + what
            + (stderr.isEmpty() ? "" : "; stderr: " + stderr));
  }

  @Override
  public String toString() {
    return "ExecCredentialSource[" + config.command() + "]";
  }
}
