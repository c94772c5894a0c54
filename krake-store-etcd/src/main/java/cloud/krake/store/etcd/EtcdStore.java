package cloud.krake.store.etcd;

import static cloud.krake.store.etcd.Gateway.utf8;

import cloud.krake.InvalidConfigurationException;
import cloud.krake.model.FieldError;
import cloud.krake.runtime.DependencyAvailability;
import cloud.krake.store.CompactedException;
import cloud.krake.store.ConflictException;
import cloud.krake.store.Guard;
import cloud.krake.store.KeyValue;
import cloud.krake.store.Lease;
import cloud.krake.store.Page;
import cloud.krake.store.PageRequest;
import cloud.krake.store.Store;
import cloud.krake.store.StoreUnavailableException;
import cloud.krake.store.Watch;
import cloud.krake.store.WatchListener;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.Call;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.tls.HandshakeCertificates;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Store} on etcd 3.4 or later, spoken to through etcd's v3 JSON gateway ({@code
 * /v3/kv/range}, {@code /v3/kv/txn}, {@code /v3/kv/compaction}, {@code /v3/watch}) over okhttp.
 *
 * <pre>{@code
 * try (EtcdStore store = EtcdStore.builder().endpoint(URI.create("http://127.0.0.1:2379")).build()) {
 *   KeyValue created = store.create("/kubernetes/applications/default/echo", json);
 *   store.update(created.key(), changed, created.modRevision());
 * }
 * }</pre>
 *
 * <p>Mapping onto etcd: keys and values are etcd's keys and values (keys as UTF-8); revisions are
 * etcd's revisions. {@link #create} is a transaction comparing the key's create revision with 0;
 * {@link #update} and {@link #delete} are transactions comparing its mod revision with the expected
 * one, whose failure branch reads the key so that {@link ConflictException#actualRevision()} is
 * exact. {@link #list} is a range from the prefix to the prefix's end, pinned to the first page's
 * revision. {@link #watch} is one streaming {@code /v3/watch} request per watch, asking for the
 * previous value so that deletions carry the key's last value.
 *
 * <p>Timeouts: every call but a watch stream is bounded by {@link Builder#requestTimeout} (from
 * sending the request to the end of the answer) and its connection attempt by {@link
 * Builder#connectTimeout}. A watch stream has no read timeout; a dropped stream is re-opened with
 * exponential backoff (from {@link Builder#reconnectBackoff} to {@link #MAX_RECONNECT_BACKOFF})
 * from the revision after the last delivered event, so that no event is lost or repeated.
 *
 * <p>Errors: a connection failure, a timeout, an HTTP answer that is not etcd's JSON, and etcd
 * reporting itself unavailable throw {@link StoreUnavailableException} naming the endpoint and the
 * operation; a read at a compacted revision throws {@link CompactedException}; any other error etcd
 * reports throws a {@link cloud.krake.KrakeException} carrying etcd's message. Messages and logs
 * never contain values or credentials. Losing etcd is logged once at WARN and its return once at
 * INFO, however many calls and watches fail meanwhile (each failure is logged at DEBUG).
 *
 * <p>Threading: thread-safe. Calls are synchronous on the caller's thread; connections are pooled
 * (HTTP/1.1, at most {@link Builder#maxIdleConnections} kept idle) and set {@code TCP_NODELAY}:
 * with Nagle's algorithm a write of a document larger than one TCP segment waited for the server's
 * delayed ACK, about 40 ms per call. Each watch owns one daemon thread named {@code
 * krake-etcd-watch-N} that calls its listener. {@link #close()} ends them.
 *
 * <p>Members: with several {@link Builder#endpoints(List) endpoints} (the members of one cluster)
 * every call goes to one member, the first, until it fails; then the next member in order is used,
 * and so on round the list. A read, and a call whose connection was refused (so nothing was sent),
 * is retried on the next member at once; a write that failed otherwise throws {@link
 * StoreUnavailableException} (etcd may have applied it: re-read before writing again) and the next
 * call goes to the next member. A watch stream that breaks is re-opened on the next member from the
 * revision after the last delivered event: etcd's revisions are the cluster's, so no event is lost
 * or repeated across members.
 *
 * <p>Leases are etcd's ({@code /v3/lease/grant}, {@code keepalive}, {@code revoke}, {@code
 * timetolive}); etcd grants at least its minimum TTL (about 2 s with the default election timeout)
 * and checks expiry about every 500 ms. Guarded writes are transactions comparing the guard's mod
 * revision and the target's; their failure branch reads both keys so that the {@link
 * ConflictException} names the comparison that failed.
 *
 * <p>Limits: no authentication by user name and password (etcd's gateway does not support TLS
 * common-name authentication either).
 */
public final class EtcdStore implements Store {
  private static final Logger log = LoggerFactory.getLogger(EtcdStore.class);

  /** Default bound on establishing a connection: 5 s. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

  /** Default bound on one call, from sending the request to reading the whole answer: 10 s. */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);

  /** Default first delay before a dropped watch stream is re-opened: 100 ms, doubled per retry. */
  public static final Duration DEFAULT_RECONNECT_BACKOFF = Duration.ofMillis(100);

  /** Longest delay between two attempts to re-open a watch stream: 5 s. */
  public static final Duration MAX_RECONNECT_BACKOFF = Duration.ofSeconds(5);

  /**
   * Default longest silence on a watch stream before it is re-opened: 11 minutes. Watches ask etcd
   * for progress notifications, which etcd sends on an idle watch every 10 minutes by default
   * ({@code --experimental-watch-progress-notify-interval}); a stream silent for longer is taken
   * for a dead (half-open) connection and resumed from the last delivered revision.
   */
  public static final Duration DEFAULT_WATCH_IDLE_TIMEOUT = Duration.ofMinutes(11);

  /** Default number of idle connections kept for reuse: 32. */
  public static final int DEFAULT_MAX_IDLE_CONNECTIONS = 32;

  /** How long {@link #close()} waits for each watch thread to end: 5 s. */
  static final Duration WATCH_JOIN_TIMEOUT = Duration.ofSeconds(5);

  private final List<URI> endpoints;
  private final Gateway gateway;
  private final EtcdLeases leases;
  private final EtcdGuardedWrites guarded;
  private final EtcdWatches watches;
  private final Duration requestTimeout;
  private final AtomicBoolean closed = new AtomicBoolean();

  private EtcdStore(Builder builder) {
    this.endpoints = builder.endpoints;
    this.requestTimeout = builder.requestTimeout;
    OkHttpClient.Builder client =
        new OkHttpClient.Builder()
            .connectTimeout(builder.connectTimeout)
            .callTimeout(builder.requestTimeout)
            .readTimeout(builder.requestTimeout)
            .writeTimeout(builder.requestTimeout)
            .connectionPool(new ConnectionPool(builder.maxIdleConnections, 5, TimeUnit.MINUTES))
            .protocols(List.of(Protocol.HTTP_1_1))
            .socketFactory(NoDelaySocketFactory.INSTANCE)
            .followRedirects(false);
    builder.tls.ifPresent(
        tls -> {
          HandshakeCertificates certificates = tls.handshakeCertificates();
          client.sslSocketFactory(certificates.sslSocketFactory(), certificates.trustManager());
        });
    OkHttpClient unary = client.build();
    OkHttpClient watchClient =
        unary.newBuilder().callTimeout(Duration.ZERO).readTimeout(builder.watchIdleTimeout).build();
    String name = String.join(",", endpoints.stream().map(URI::toString).toList());
    this.gateway =
        new Gateway(
            endpoints,
            unary,
            new ObjectMapper(),
            new DependencyAvailability("etcd at " + name, log, Clock.systemUTC()));
    this.leases = new EtcdLeases(gateway);
    this.guarded = new EtcdGuardedWrites(gateway);
    this.watches = new EtcdWatches(gateway, watchClient, builder.reconnectBackoff, closed);
    log.debug("etcd store for {} created", name);
  }

  /**
   * Returns a builder; {@link Builder#endpoint(URI)} or {@link Builder#endpoints(List)} is
   * required.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns the first configured etcd endpoint (the only one unless several were given). */
  public URI endpoint() {
    return endpoints.get(0);
  }

  /** Returns the configured etcd endpoints, the members of one cluster, in the order tried. */
  public List<URI> endpoints() {
    return endpoints;
  }

  @Override
  public Optional<KeyValue> get(String key) {
    Objects.requireNonNull(key, "key");
    String operation = "get " + key;
    ensureOpen(operation);
    JsonNode answer = gateway.post(Gateway.RANGE, utf8(EtcdRequests.get(key)), operation, true);
    JsonNode kvs = answer.path("kvs");
    return kvs.isArray() && !kvs.isEmpty()
        ? Optional.of(Gateway.keyValue(kvs.get(0)))
        : Optional.empty();
  }

  /**
   * {@inheritDoc}
   *
   * <p>A page pinned to a revision newer than the store's throws {@link IllegalArgumentException}.
   * When the pinned revision was compacted, the {@link CompactedException} carries etcd's
   * compaction revision, learnt from a short watch request; if that request fails, it carries
   * {@code request.revision() + 1}, a lower bound.
   */
  @Override
  public Page list(String prefix, PageRequest request) {
    Objects.requireNonNull(prefix, "prefix");
    Objects.requireNonNull(request, "request");
    String operation = "list " + prefix;
    ensureOpen(operation);
    String start = request.startKey().isEmpty() ? prefix : request.startKey();
    String body = EtcdRequests.list(prefix, start, request.limit(), request.revision());
    JsonNode answer;
    try {
      answer = gateway.post(Gateway.RANGE, utf8(body), operation, true);
    } catch (Gateway.EtcdErrorException e) {
      throw RevisionErrors.translate(this, e, request.revision());
    }
    List<KeyValue> items = new ArrayList<>();
    for (JsonNode kv : answer.path("kvs")) {
      items.add(Gateway.keyValue(kv));
    }
    long revision = request.revision() > 0 ? request.revision() : Gateway.revision(answer);
    return new Page(items, revision, answer.path("more").asBoolean(false), request.limit());
  }

  @Override
  public KeyValue create(String key, byte[] value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    String operation = "create " + key;
    ensureOpen(operation);
    JsonNode answer =
        gateway.post(Gateway.TXN, utf8(EtcdRequests.create(key, value)), operation, false);
    if (!answer.path("succeeded").asBoolean(false)) {
      throw new ConflictException(key, 0, EtcdRequests.actualRevision(answer));
    }
    long revision = Gateway.revision(answer);
    return new KeyValue(key, value, revision, revision, 1);
  }

  @Override
  public KeyValue update(String key, byte[] value, long expectedRevision) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    EtcdRequests.requirePositive(expectedRevision);
    String operation = "update " + key;
    ensureOpen(operation);
    JsonNode answer =
        gateway.post(
            Gateway.TXN, utf8(EtcdRequests.update(key, value, expectedRevision)), operation, false);
    if (!answer.path("succeeded").asBoolean(false)) {
      throw new ConflictException(key, expectedRevision, EtcdRequests.actualRevision(answer));
    }
    JsonNode previous = answer.path("responses").path(0).path("response_put").path("prev_kv");
    long revision = Gateway.revision(answer);
    return new KeyValue(
        key,
        value,
        previous.path("create_revision").asLong(revision),
        revision,
        previous.path("version").asLong(0) + 1);
  }

  @Override
  public long delete(String key, long expectedRevision) {
    Objects.requireNonNull(key, "key");
    EtcdRequests.requirePositive(expectedRevision);
    String operation = "delete " + key;
    ensureOpen(operation);
    JsonNode answer =
        gateway.post(
            Gateway.TXN, utf8(EtcdRequests.delete(key, expectedRevision)), operation, false);
    if (!answer.path("succeeded").asBoolean(false)) {
      throw new ConflictException(key, expectedRevision, EtcdRequests.actualRevision(answer));
    }
    return Gateway.revision(answer);
  }

  @Override
  public long revision() {
    String operation = "revision";
    ensureOpen(operation);
    JsonNode answer = gateway.post(Gateway.RANGE, utf8(EtcdRequests.revision()), operation, true);
    return Gateway.revision(answer);
  }

  /**
   * {@inheritDoc}
   *
   * <p>With {@code fromRevision} 0 this reads the current revision first (one call, which may throw
   * {@link StoreUnavailableException}) and watches from the revision after it, so every change made
   * after this method returns is delivered. The stream is opened on the watch's own thread; until
   * it is, and while it is re-opened after a failure, events are delivered late, never lost.
   *
   * @throws StoreUnavailableException if the store is closed, or {@code fromRevision} is 0 and the
   *     current revision cannot be read
   */
  @Override
  public Watch watch(String prefix, long fromRevision, WatchListener listener) {
    Objects.requireNonNull(prefix, "prefix");
    Objects.requireNonNull(listener, "listener");
    if (fromRevision < 0) {
      throw new IllegalArgumentException("fromRevision must not be negative: " + fromRevision);
    }
    ensureOpen("watch " + prefix);
    long start = fromRevision == 0 ? revision() + 1 : fromRevision;
    return watches.start(prefix, start, listener);
  }

  // ---- leases (EtcdLeases) and guarded writes (EtcdGuardedWrites) -------------------------------

  @Override
  public Lease grantLease(Duration ttl) {
    long seconds = Lease.seconds(ttl);
    ensureOpen("grant lease");
    return leases.grant(seconds);
  }

  @Override
  public Lease keepAliveLease(Lease lease) {
    Objects.requireNonNull(lease, "lease");
    ensureOpen("keep lease " + lease.id() + " alive");
    return leases.keepAlive(lease);
  }

  @Override
  public void revokeLease(Lease lease) {
    Objects.requireNonNull(lease, "lease");
    ensureOpen("revoke lease " + lease.id());
    leases.revoke(lease);
  }

  @Override
  public Optional<Duration> leaseTimeToLive(Lease lease) {
    Objects.requireNonNull(lease, "lease");
    ensureOpen("time to live of lease " + lease.id());
    return leases.timeToLive(lease);
  }

  @Override
  public KeyValue create(String key, byte[] value, Lease lease) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(lease, "lease");
    ensureOpen("create " + key + " with lease " + lease.id());
    return leases.create(key, value, lease);
  }

  @Override
  public OptionalLong leaseId(String key) {
    Objects.requireNonNull(key, "key");
    ensureOpen("lease of " + key);
    return leases.leaseId(key);
  }

  @Override
  public KeyValue create(String key, byte[] value, Guard guard) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(guard, "guard");
    ensureOpen("create " + key + " guarded by " + guard.key());
    return guarded.create(key, value, guard);
  }

  @Override
  public KeyValue update(String key, byte[] value, long expectedRevision, Guard guard) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(guard, "guard");
    EtcdRequests.requirePositive(expectedRevision);
    ensureOpen("update " + key + " guarded by " + guard.key());
    return guarded.update(key, value, expectedRevision, guard);
  }

  @Override
  public long delete(String key, long expectedRevision, Guard guard) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(guard, "guard");
    EtcdRequests.requirePositive(expectedRevision);
    ensureOpen("delete " + key + " guarded by " + guard.key());
    return guarded.delete(key, expectedRevision, guard);
  }

  /**
   * {@inheritDoc}
   *
   * <p>The compaction is physical: this returns once etcd has discarded the history. A revision at
   * or below etcd's current compaction revision (or 0) is a no-op.
   *
   * @throws IllegalArgumentException if {@code revision} is negative or newer than the store's
   */
  @Override
  public void compact(long revision) {
    if (revision < 0) {
      throw new IllegalArgumentException("revision must not be negative: " + revision);
    }
    String operation = "compact " + revision;
    ensureOpen(operation);
    if (revision == 0) {
      return;
    }
    try {
      gateway.post(Gateway.COMPACTION, utf8(EtcdRequests.compact(revision)), operation, false);
      log.info("etcd at {} compacted to revision {}", gateway.endpoint, revision);
    } catch (Gateway.EtcdErrorException e) {
      if (e.code() == Gateway.CODE_OUT_OF_RANGE && e.etcdMessage().contains("compacted")) {
        log.debug("etcd at {} already compacted past revision {}", gateway.endpoint, revision);
        return;
      }
      if (e.code() == Gateway.CODE_OUT_OF_RANGE && e.etcdMessage().contains("future")) {
        throw new IllegalArgumentException(
            "cannot compact to revision " + revision + ": newer than the store's revision", e);
      }
      throw e;
    }
  }

  /**
   * Closes the store: every running watch ends with {@link WatchListener#onClosed} (this waits up
   * to 5 s per watch thread for that), pooled connections are closed, and later calls throw {@link
   * StoreUnavailableException}. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    watches.closeAll();
    gateway.client.dispatcher().executorService().shutdown();
    gateway.client.connectionPool().evictAll();
    log.info("etcd store for {} closed", gateway.endpoint);
  }

  @Override
  public String toString() {
    return "EtcdStore[" + gateway.endpoint + "]";
  }

  // ---- for RevisionErrors and tests -----------------------------------------------------------

  ObjectMapper mapper() {
    return gateway.mapper;
  }

  /** The bound of every unary call. */
  Duration requestTimeout() {
    return requestTimeout;
  }

  /** The client of every call but watch streams; for tests. */
  OkHttpClient unaryClient() {
    return gateway.client;
  }

  /** The client of watch streams; for tests. */
  OkHttpClient watchClient() {
    return watches.client();
  }

  /** The index of the member calls go to now; for tests. */
  int currentMember() {
    return gateway.currentMember();
  }

  /** A member's endpoint, for messages; for tests. */
  String member(int member) {
    return gateway.member(member);
  }

  /** Starts a watch stream on the current member. */
  Call watchCall(String prefix, long startRevision) {
    return watches.watchCall(prefix, startRevision);
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private void ensureOpen(String operation) {
    if (closed.get()) {
      throw gateway.closedException(operation);
    }
  }

  /** Builds an {@link EtcdStore}; not thread-safe. */
  public static final class Builder {
    private List<URI> endpoints = List.of();
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
    private Duration reconnectBackoff = DEFAULT_RECONNECT_BACKOFF;
    private int maxIdleConnections = DEFAULT_MAX_IDLE_CONNECTIONS;
    private Duration watchIdleTimeout = DEFAULT_WATCH_IDLE_TIMEOUT;
    private Optional<EtcdTls> tls = Optional.empty();

    private Builder() {}

    /**
     * The etcd client URL, {@code http://host:port} or {@code https://host:port} (required).
     *
     * @param endpoint the URL etcd's {@code --advertise-client-urls} names
     * @return this builder
     * @throws IllegalArgumentException if the scheme is neither http nor https, the host is
     *     missing, or the URL carries user information
     */
    public Builder endpoint(URI endpoint) {
      return endpoints(List.of(Objects.requireNonNull(endpoint, "endpoint")));
    }

    /**
     * The client URLs of the members of one etcd cluster (this or {@link #endpoint(URI)} is
     * required), as etcd's own clients take {@code --endpoints}. Calls go to the first member until
     * it fails, then to the next (see the class documentation, "Members"); replaces an earlier
     * {@link #endpoint(URI)}.
     *
     * @param endpoints at least one URL, each as {@link #endpoint(URI)} requires, all with the same
     *     scheme
     * @return this builder
     * @throws IllegalArgumentException if the list is empty or has duplicates, mixes http and
     *     https, or an URL is not as {@link #endpoint(URI)} requires (the message names it by its
     *     index, {@code endpoints[1]})
     */
    public Builder endpoints(List<URI> endpoints) {
      List<URI> copy = List.copyOf(Objects.requireNonNull(endpoints, "endpoints"));
      if (copy.isEmpty()) {
        throw new IllegalArgumentException("endpoints must not be empty");
      }
      for (int i = 0; i < copy.size(); i++) {
        URI endpoint = copy.get(i);
        String name = copy.size() == 1 ? "endpoint" : "endpoints[" + i + "]";
        String scheme = endpoint.getScheme();
        if (!"http".equals(scheme) && !"https".equals(scheme)) {
          throw new IllegalArgumentException(name + " must be http:// or https://: " + endpoint);
        }
        if (endpoint.getHost() == null) {
          throw new IllegalArgumentException(name + " has no host: " + endpoint);
        }
        if (endpoint.getRawUserInfo() != null) {
          throw new IllegalArgumentException(name + " must not carry credentials");
        }
        if (!scheme.equals(copy.get(0).getScheme())) {
          throw new IllegalArgumentException(
              name + " must use the scheme of endpoints[0] (" + copy.get(0).getScheme() + ")");
        }
        if (copy.indexOf(endpoint) != i) {
          throw new IllegalArgumentException(name + " repeats " + endpoint);
        }
      }
      this.endpoints = copy;
      return this;
    }

    /**
     * Bound on establishing a TCP (and TLS) connection (default {@link #DEFAULT_CONNECT_TIMEOUT}).
     *
     * @param connectTimeout a positive duration
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = positive(connectTimeout, "connectTimeout");
      return this;
    }

    /**
     * Bound on one call, from sending the request to reading the whole answer (default {@link
     * #DEFAULT_REQUEST_TIMEOUT}); watch streams are not bounded.
     *
     * @param requestTimeout a positive duration
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder requestTimeout(Duration requestTimeout) {
      this.requestTimeout = positive(requestTimeout, "requestTimeout");
      return this;
    }

    /**
     * First delay before re-opening a dropped watch stream (default {@link
     * #DEFAULT_RECONNECT_BACKOFF}); doubled after every failed attempt up to {@link
     * #MAX_RECONNECT_BACKOFF}, reset once a stream is open.
     *
     * @param reconnectBackoff a positive duration
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder reconnectBackoff(Duration reconnectBackoff) {
      this.reconnectBackoff = positive(reconnectBackoff, "reconnectBackoff");
      return this;
    }

    /**
     * How long a watch stream may stay silent before it is taken for a dead connection and resumed
     * from the last delivered revision (default {@link #DEFAULT_WATCH_IDLE_TIMEOUT}). Keep it above
     * etcd's progress-notify interval (10 minutes by default), or idle watches reconnect needlessly
     * (losing nothing).
     *
     * @param watchIdleTimeout positive
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder watchIdleTimeout(Duration watchIdleTimeout) {
      this.watchIdleTimeout = positive(watchIdleTimeout, "watchIdleTimeout");
      return this;
    }

    /**
     * How many idle connections to keep for reuse (default {@link #DEFAULT_MAX_IDLE_CONNECTIONS});
     * size it to the number of threads calling the store concurrently.
     *
     * @param maxIdleConnections at least 1
     * @return this builder
     * @throws IllegalArgumentException if less than 1
     */
    public Builder maxIdleConnections(int maxIdleConnections) {
      if (maxIdleConnections < 1) {
        throw new IllegalArgumentException(
            "maxIdleConnections must be at least 1: " + maxIdleConnections);
      }
      this.maxIdleConnections = maxIdleConnections;
      return this;
    }

    /**
     * TLS settings for an {@code https} endpoint (default: the JVM's trusted authorities, no client
     * certificate).
     *
     * @param tls the CA certificates to trust and the client certificate to present
     * @return this builder
     */
    public Builder tls(EtcdTls tls) {
      this.tls = Optional.of(Objects.requireNonNull(tls, "tls"));
      return this;
    }

    /**
     * Creates the store. No connection is made until the first call.
     *
     * @return the store
     * @throws InvalidConfigurationException as every builder of the library: naming {@code
     *     endpoint} if none was set, {@code tls} if TLS settings are given for an {@code http}
     *     endpoint or their PEM text cannot be decoded (the PEM is never quoted)
     */
    public EtcdStore build() {
      if (endpoints.isEmpty()) {
        throw new InvalidConfigurationException(
            List.of(new FieldError("endpoint", "is required: call endpoint(URI)")));
      }
      if (tls.isPresent() && !"https".equals(endpoints.get(0).getScheme())) {
        throw new InvalidConfigurationException(
            List.of(new FieldError("tls", "needs an https:// endpoint, not " + endpoints.get(0))));
      }
      try {
        return new EtcdStore(this);
      } catch (IllegalArgumentException e) {
        // EtcdTls rejecting its PEM text; its message names the field, never the text.
        throw new InvalidConfigurationException(List.of(new FieldError("tls", e.getMessage())), e);
      }
    }

    private static Duration positive(Duration duration, String name) {
      Objects.requireNonNull(duration, name);
      if (duration.isNegative() || duration.isZero()) {
        throw new IllegalArgumentException(name + " must be positive: " + duration);
      }
      return duration;
    }
  }
}
