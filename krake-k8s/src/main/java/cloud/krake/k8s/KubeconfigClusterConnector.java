package cloud.krake.k8s;

import cloud.krake.k8s.internal.ApiServerClusterClient;
import cloud.krake.k8s.internal.ClientSettings;
import cloud.krake.k8s.internal.CredentialPolicy;
import cloud.krake.k8s.internal.Kubeconfig;
import cloud.krake.model.Cluster;
import cloud.krake.model.FieldError;
import cloud.krake.runtime.KrakeExecutors;
import cloud.krake.runtime.Timer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link ClusterConnector} on the official Kubernetes Java client: each cluster is reached
 * through the kubeconfig in its {@code spec.kubeconfig}, checked as Krake checks it (exactly one
 * context, one user and one cluster) and, beyond Krake, made safe for a library embedded in a host
 * process: embedded {@code *-data}, {@code token} and {@code username}/{@code password} are used;
 * file references ({@code certificate-authority}, {@code client-certificate}, {@code client-key})
 * and {@code auth-provider} are refused ({@link KubeconfigFile} embeds the files when loading a
 * kubeconfig). Servers may be {@code http} or {@code https}.
 *
 * <p><b>Trust.</b> A stored cluster is data, possibly written by someone other than the host's
 * operator; a kubeconfig that names an {@code exec} credential plugin makes the host run that
 * command, and one that names a {@code tokenFile} makes it send that file's content to the
 * cluster's server. Both are off by default: an {@code exec.command} is accepted only when it is on
 * the allow-list ({@link Builder#allowExecCommands}), a {@code tokenFile} only under an allowed
 * directory ({@link Builder#allowTokenFiles}); otherwise the cluster is refused when it is created
 * ({@link #validate}) naming {@code spec.kubeconfig.users[0].user.exec.command} or {@code
 * ...tokenFile}. An allowed plugin runs with the host's environment and privileges, limited by
 * {@link Builder#execCredentialTimeout}; its token is cached until its {@code expirationTimestamp}
 * or a 401; a token file is re-read when it changes. A failing plugin's exit code and stderr (first
 * 1000 characters) go into the error, hence the cluster's status reason.
 *
 * <pre>{@code
 * try (KubeconfigClusterConnector connector = KubeconfigClusterConnector.builder()
 *     .requestTimeout(Duration.ofSeconds(10)).build()) {
 *   ClusterClient client = connector.connect(cluster);
 *   ObjectNode applied = client.apply(deployment);
 * }
 * }</pre>
 *
 * <p>One client per cluster ({@code namespace/name}), cached while the cluster's kubeconfig and
 * {@code custom_resources} stay the same; a change closes the old client (its watches stop, its
 * calls fail with {@link cloud.krake.model.ReasonCode#KUBERNETES_ERROR}) and makes a new one.
 *
 * <p>Threads: watches read their streams on library-owned daemon threads named {@code
 * krake-k8s-watch-N}, one per open stream, at most {@link Builder#maxWatches(int)}; re-connect
 * back-offs run on the injected {@link Timer} (default: one library-owned daemon thread, {@code
 * krake-k8s-backoff}). {@link #close()} closes every client and stops the library-owned threads; an
 * injected scheduler stays the caller's. Thread-safe. Credentials never appear in messages, logs or
 * {@code toString()}.
 */
public final class KubeconfigClusterConnector implements ClusterConnector {

  /** The default limit of every call but watches: 30 s. */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);

  /** The default limit of opening a connection: 10 s. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

  /** The default {@code timeoutSeconds} of a watch stream, before ±10 % jitter: 300 s. */
  public static final Duration DEFAULT_WATCH_TIMEOUT = Duration.ofSeconds(300);

  /** The default first re-connect delay of a failed watch: 0.5 s. */
  public static final Duration DEFAULT_MIN_BACKOFF = Duration.ofMillis(500);

  /** The default longest re-connect delay of a failed watch: 30 s. */
  public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(30);

  /** The default limit of one run of an {@code exec} credential plugin: 30 s. */
  public static final Duration DEFAULT_EXEC_CREDENTIAL_TIMEOUT = Duration.ofSeconds(30);

  /** The default number of watch streams open at once: 1024. */
  public static final int DEFAULT_MAX_WATCHES = 1024;

  /** The most threads reading credential plugins' output at once: two per running plugin. */
  private static final int MAX_EXEC_STREAMS = 16;

  private static final Logger log = LoggerFactory.getLogger(KubeconfigClusterConnector.class);

  private final ClientSettings settings;
  private final ThreadPoolExecutor watchThreads;
  private final ThreadPoolExecutor execStreams;
  private final Optional<ScheduledThreadPoolExecutor> ownScheduler;

  /** Guarded by {@code this}. */
  private final Map<String, Entry> clients = new HashMap<>();

  /** Guarded by {@code this}. */
  private boolean closed;

  /**
   * A client and what it was made from: the digest of the kubeconfig and custom resources, and the
   * store revision of the cluster it was last handed out for ({@code 0} if none): the same key at
   * the same revision is the same document, so the digest need not be computed again.
   */
  private record Entry(String fingerprint, long revision, ApiServerClusterClient client) {}

  private KubeconfigClusterConnector(Builder builder) {
    this.watchThreads =
        new ThreadPoolExecutor(
            0,
            builder.maxWatches,
            60,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            KrakeExecutors.daemonThreads("krake-k8s-watch-"));
    this.execStreams =
        new ThreadPoolExecutor(
            0,
            MAX_EXEC_STREAMS,
            30,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            KrakeExecutors.daemonThreads("krake-k8s-exec-credential-"));
    Timer scheduler;
    if (builder.scheduler.isPresent()) {
      scheduler = builder.scheduler.get();
      ownScheduler = Optional.empty();
    } else {
      ScheduledThreadPoolExecutor executor =
          new ScheduledThreadPoolExecutor(
              1, KrakeExecutors.namedThreads("krake-k8s-backoff", false, true));
      executor.setRemoveOnCancelPolicy(true);
      ownScheduler = Optional.of(executor);
      scheduler = Timer.system(executor);
    }
    this.settings =
        new ClientSettings(
            builder.requestTimeout,
            builder.connectTimeout,
            builder.watchTimeout,
            builder.minBackoff,
            builder.maxBackoff,
            scheduler,
            watchThreads,
            new CredentialPolicy(
                builder.execCommands,
                builder.tokenFileDirectories,
                builder.execTimeout,
                execStreams));
  }

  /** Returns a builder with every setting at its default. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * {@inheritDoc}
   *
   * <p>The first call for a cluster checks its kubeconfig and builds the client; no request is sent
   * until the client is used.
   *
   * @throws IllegalStateException after {@link #close()}
   */
  @Override
  public ClusterClient connect(Cluster cluster) {
    Objects.requireNonNull(cluster, "cluster");
    String key = key(cluster);
    long revision = cluster.metadata().revision();
    synchronized (this) {
      Entry entry = clients.get(key);
      if (!closed && entry != null && revision > 0 && entry.revision() == revision) {
        return entry.client();
      }
    }
    String fingerprint = fingerprint(cluster);
    ApiServerClusterClient stale = null;
    try {
      synchronized (this) {
        if (closed) {
          throw new IllegalStateException("the connector is closed");
        }
        Entry entry = clients.get(key);
        if (entry != null && entry.fingerprint().equals(fingerprint)) {
          if (revision > entry.revision()) {
            clients.put(key, new Entry(fingerprint, revision, entry.client()));
          }
          return entry.client();
        }
        Kubeconfig kubeconfig =
            Kubeconfig.parse(key, cluster.spec().kubeconfig(), settings.credentials());
        ApiServerClusterClient client =
            ApiServerClusterClient.create(
                key, kubeconfig, cluster.spec().customResources(), settings);
        clients.put(key, new Entry(fingerprint, revision, client));
        if (entry != null) {
          stale = entry.client();
        }
        log.info(
            "cluster {}: connected to {}{}",
            key,
            kubeconfig.server().getHost(),
            entry == null ? "" : " (kubeconfig or custom resources changed)");
        return client;
      }
    } finally {
      if (stale != null) {
        stale.close();
      }
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>Checks what {@link #connect} checks, and loads the certificate authority and client
   * certificate as the client would; runs no credential plugin and sends no request. A token file
   * must be readable now. A cluster whose model is invalid ({@code Cluster.validate()}) has no
   * errors here: the model reports them.
   */
  @Override
  public List<FieldError> validate(Cluster cluster) {
    Objects.requireNonNull(cluster, "cluster");
    if (cluster.spec().kubeconfig().isEmpty() || !cluster.validate().isEmpty()) {
      // The model's own errors (one context, user and cluster) are reported by the model.
      return List.of();
    }
    List<FieldError> errors =
        Kubeconfig.errors(cluster.spec().kubeconfig(), settings.credentials());
    if (!errors.isEmpty()) {
      return errors;
    }
    String key = key(cluster);
    try {
      Kubeconfig.parse(key, cluster.spec().kubeconfig(), settings.credentials())
          .toApiClient(key, settings.credentials());
    } catch (KubernetesException e) {
      String prefix = "cluster " + key + ": invalid kubeconfig: ";
      String message = e.getMessage();
      return List.of(
          new FieldError(
              "spec.kubeconfig",
              message.startsWith(prefix + "spec.kubeconfig ")
                  ? message.substring((prefix + "spec.kubeconfig ").length())
                  : message));
    }
    return List.of();
  }

  /**
   * {@inheritDoc}
   *
   * <p>Closes the cluster's client, if one was made; for a deleted cluster.
   */
  @Override
  public void disconnect(Cluster cluster) {
    Objects.requireNonNull(cluster, "cluster");
    Entry entry;
    synchronized (this) {
      entry = clients.remove(key(cluster));
    }
    if (entry != null) {
      entry.client().close();
      log.info("cluster {}: disconnected", key(cluster));
    }
  }

  /** Closes every client (stopping their watches), then the library-owned threads. Idempotent. */
  @Override
  public void close() {
    List<Entry> entries;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      entries = List.copyOf(clients.values());
      clients.clear();
    }
    for (Entry entry : entries) {
      entry.client().close();
    }
    watchThreads.shutdownNow();
    execStreams.shutdownNow();
    ownScheduler.ifPresent(ScheduledThreadPoolExecutor::shutdownNow);
  }

  @Override
  public String toString() {
    synchronized (this) {
      return "KubeconfigClusterConnector[clusters=" + clients.keySet() + "]";
    }
  }

  private static String key(Cluster cluster) {
    return cluster.metadata().namespace().map(ns -> ns + "/").orElse("")
        + cluster.metadata().name();
  }

  /** A digest of what the client is made from, so that no second copy of credentials is kept. */
  private static String fingerprint(Cluster cluster) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update(cluster.spec().kubeconfig().toString().getBytes(StandardCharsets.UTF_8));
      digest.update((byte) 0);
      digest.update(
          String.join("\n", cluster.spec().customResources()).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** Settings of a {@link KubeconfigClusterConnector}; every one has a documented default. */
  public static final class Builder {
    private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private Duration watchTimeout = DEFAULT_WATCH_TIMEOUT;
    private Duration minBackoff = DEFAULT_MIN_BACKOFF;
    private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
    private int maxWatches = DEFAULT_MAX_WATCHES;
    private Optional<Timer> scheduler = Optional.empty();
    private final Set<String> execCommands = new LinkedHashSet<>();
    private final List<Path> tokenFileDirectories = new java.util.ArrayList<>();
    private Duration execTimeout = DEFAULT_EXEC_CREDENTIAL_TIMEOUT;

    private Builder() {}

    /**
     * Allows clusters whose kubeconfig names one of these {@code exec} credential plugin commands
     * (client-go's protocol, {@code client.authentication.k8s.io/v1} or {@code v1beta1}), as EKS
     * ({@code aws}), GKE ({@code gke-gcloud-auth-plugin}), AKS and OIDC ({@code kubelogin})
     * clusters authenticate. A command matches when it equals the kubeconfig's {@code exec.command}
     * as written (a name looked up on the host's {@code PATH}, or an absolute path; {@link
     * KubeconfigFile} makes a relative path absolute). Default: none, and a cluster naming any
     * command is refused when created. Allowing a command lets whoever writes clusters run it on
     * this host with any arguments and environment: allow only plugins you would run for them.
     *
     * @param commands the commands, each non-empty
     * @return this builder
     * @throws IllegalArgumentException if one is empty
     */
    public Builder allowExecCommands(String... commands) {
      for (String command : commands) {
        Objects.requireNonNull(command, "command");
        if (command.isBlank()) {
          throw new IllegalArgumentException("an exec command must not be empty");
        }
        execCommands.add(command);
      }
      return this;
    }

    /**
     * Allows clusters whose kubeconfig's user names a {@code tokenFile} under one of these
     * directories (a bound service-account token, for instance); the file is re-read when it
     * changes. Default: none, and a cluster naming a token file is refused when created. Allowing a
     * directory lets whoever writes clusters send any file under it to a server of their choice.
     *
     * @param directories directories; made absolute and normalized
     * @return this builder
     */
    public Builder allowTokenFiles(Path... directories) {
      for (Path directory : directories) {
        tokenFileDirectories.add(
            Objects.requireNonNull(directory, "directory").toAbsolutePath().normalize());
      }
      return this;
    }

    /**
     * Sets the limit of one run of an {@code exec} credential plugin, from start to exit; a plugin
     * still running then is killed (with its descendants) and the request fails naming the timeout
     * and quoting its stderr. Default {@link #DEFAULT_EXEC_CREDENTIAL_TIMEOUT}.
     *
     * @param timeout a positive duration
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder execCredentialTimeout(Duration timeout) {
      this.execTimeout = positive(timeout, "execCredentialTimeout");
      return this;
    }

    /**
     * Sets the limit of every call but watches, from connecting to reading the whole answer
     * (okhttp's call timeout); default {@link #DEFAULT_REQUEST_TIMEOUT}.
     *
     * @param timeout a positive duration
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = positive(timeout, "requestTimeout");
      return this;
    }

    /**
     * Sets the limit of opening a connection; default {@link #DEFAULT_CONNECT_TIMEOUT}.
     *
     * @param timeout a positive duration
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = positive(timeout, "connectTimeout");
      return this;
    }

    /**
     * Sets how long the server is asked to keep one watch stream open ({@code timeoutSeconds},
     * whole seconds, ±10 % jitter); the watch then resumes on a new stream without a re-list.
     * Default {@link #DEFAULT_WATCH_TIMEOUT}.
     *
     * @param timeout at least one second
     * @return this builder
     * @throws IllegalArgumentException if shorter than one second
     */
    public Builder watchTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.toSeconds() < 1) {
        throw new IllegalArgumentException("watchTimeout must be at least 1 s: " + timeout);
      }
      this.watchTimeout = timeout;
      return this;
    }

    /**
     * Sets the re-connect back-off of failed watches: the first delay, doubled after each further
     * failure up to the maximum, reset by a successful connection. Default {@link
     * #DEFAULT_MIN_BACKOFF} … {@link #DEFAULT_MAX_BACKOFF}.
     *
     * @param initial the first delay, positive
     * @param max the longest delay, at least {@code initial}
     * @return this builder
     * @throws IllegalArgumentException if not positive or {@code max < initial}
     */
    public Builder watchBackoff(Duration initial, Duration max) {
      positive(initial, "initial");
      positive(max, "max");
      if (max.compareTo(initial) < 0) {
        throw new IllegalArgumentException("max back-off " + max + " < initial " + initial);
      }
      this.minBackoff = initial;
      this.maxBackoff = max;
      return this;
    }

    /**
     * Sets the scheduler of the watches' re-connect delays (tests pass a manual one); it stays the
     * caller's and is not shut down. Default: one library-owned daemon thread.
     *
     * @param timer the scheduler
     * @return this builder
     */
    public Builder timer(Timer timer) {
      this.scheduler = Optional.of(Objects.requireNonNull(timer, "timer"));
      return this;
    }

    /**
     * Sets how many watch streams may be open at once over all clusters (one thread each); a watch
     * beyond it reports {@link ObjectListener#onError} and retries with back-off. Default {@link
     * #DEFAULT_MAX_WATCHES}.
     *
     * @param maxWatches at least 1
     * @return this builder
     * @throws IllegalArgumentException if less than 1
     */
    public Builder maxWatches(int maxWatches) {
      if (maxWatches < 1) {
        throw new IllegalArgumentException("maxWatches must be at least 1: " + maxWatches);
      }
      this.maxWatches = maxWatches;
      return this;
    }

    /** Returns a new connector; it owns its threads until {@link #close()}. */
    public KubeconfigClusterConnector build() {
      return new KubeconfigClusterConnector(this);
    }

    private static Duration positive(Duration value, String name) {
      Objects.requireNonNull(value, name);
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(name + " must be positive: " + value);
      }
      return value;
    }
  }
}
