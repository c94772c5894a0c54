package cloud.krake.k8s.internal;

import cloud.krake.k8s.KubernetesException;
import cloud.krake.k8s.ObjectEvent;
import cloud.krake.k8s.ObjectListener;
import cloud.krake.k8s.ObjectWatch;
import cloud.krake.model.ReasonCode;
import cloud.krake.runtime.Timer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubernetes.client.openapi.ApiException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import okhttp3.Call;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.BufferedSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A list-and-watch of one kind, written by hand instead of the official client's informers (whose
 * factory keys informers by Java class): list, then {@code watch=true&resourceVersion=<list
 * rv>&timeoutSeconds=<watchTimeout ± 10 %>}, reading the newline-delimited events.
 *
 * <ul>
 *   <li>A stream the server ends (its timeout) is re-opened at once from the last delivered
 *       resource version, without a re-list; a stream that ended without a single line is re-opened
 *       after the initial back-off, so a server that closes at once is not hammered.
 *   <li>An {@code ERROR} event with code 410 or an HTTP 410 (the version was compacted) leads to a
 *       re-list and {@link ObjectListener#onResync} with the full set.
 *   <li>A lost connection or an error answer is reported to {@link ObjectListener#onError}, then
 *       the watch re-connects after an exponential back-off (initial … max, doubled each time,
 *       reset by a successful connection), scheduled on the injected {@link Timer}; it resumes from
 *       the last delivered version, so nothing is missed or repeated.
 *   <li>Bookmarks only move the resume point.
 * </ul>
 *
 * <p>Threading: one cycle (list and/or one stream) runs at a time on the watch executor; the
 * listener is called from it, under a lock that {@link #close()} also takes, so no call starts
 * after {@code close()} returns. {@code close()} cancels the okhttp call, which ends a blocked read
 * at once.
 */
final class ListWatch implements ObjectWatch {

  private static final Logger log = LoggerFactory.getLogger(ListWatch.class);

  private final ApiServerClusterClient client;
  private final ResolvedKind kind;
  private final Optional<String> namespace;
  private final ObjectListener listener;
  private final ClientSettings settings;
  private final Consumer<ListWatch> onClose;
  private final String description;
  private final Object delivery = new Object();

  /** Set once by {@link #close()}. */
  private volatile boolean closed;

  /** Set after the first resync was delivered. */
  private volatile boolean synced;

  /** The open stream, cancelled by {@link #close()}. */
  private volatile Call call;

  /** The pending re-connect. */
  private volatile Timer.Handle pending;

  /** The resume point; {@code null} when a (re-)list is due. Written by the running cycle only. */
  private volatile String resourceVersion;

  /** Consecutive failed cycles. Written by the running cycle only. */
  private volatile int failures;

  ListWatch(
      ApiServerClusterClient client,
      String cluster,
      ResolvedKind kind,
      Optional<String> namespace,
      ObjectListener listener,
      ClientSettings settings,
      Consumer<ListWatch> onClose) {
    this.client = client;
    this.kind = kind;
    this.namespace = namespace;
    this.listener = listener;
    this.settings = settings;
    this.onClose = onClose;
    this.description =
        "cluster "
            + cluster
            + ": watch "
            + kind.kind()
            + " ("
            + kind.apiVersion()
            + ")"
            + namespace.map(ns -> " in " + ns).orElse("");
  }

  void start() {
    submit();
  }

  @Override
  public boolean hasSynced() {
    return synced;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    Call open = call;
    if (open != null) {
      open.cancel();
    }
    Timer.Handle handle = pending;
    if (handle != null) {
      handle.cancel();
    }
    synchronized (delivery) {
      // waits for a listener call in progress; none starts afterwards
    }
    onClose.accept(this);
    log.debug("{}: closed", description);
  }

  @Override
  public String toString() {
    return "ListWatch[" + description + "]";
  }

  private void submit() {
    if (closed) {
      return;
    }
    try {
      settings.watchExecutor().execute(this::cycle);
    } catch (RejectedExecutionException e) {
      if (!closed) {
        fail(
            new KubernetesException(
                ReasonCode.KUBERNETES_ERROR, 0, description + ": no watch thread available", e));
      }
    }
  }

  private void cycle() {
    if (closed) {
      return;
    }
    boolean quiet;
    try {
      if (resourceVersion == null) {
        relist();
      }
      quiet = stream();
    } catch (KubernetesException e) {
      if (!closed) {
        fail(e);
      }
      return;
    } catch (RuntimeException e) {
      if (!closed) {
        fail(Failures.of(description, e, false));
      }
      return;
    }
    if (quiet && resourceVersion != null) {
      schedule(settings.minBackoff());
    } else {
      submit();
    }
  }

  private void relist() {
    ApiServerClusterClient.Listing listing = client.list(kind, namespace);
    List<ObjectNode> items = listing.items();
    deliver(() -> listener.onResync(items, listing.resourceVersion()));
    resourceVersion = listing.resourceVersion();
    synced = true;
    log.debug("{}: listed {} objects at {}", description, items.size(), resourceVersion);
  }

  /**
   * Reads one stream to its end.
   *
   * @return whether the stream ended without a single line
   * @throws KubernetesException when the stream failed
   */
  private boolean stream() {
    long timeout = timeoutSeconds();
    Call open;
    try {
      open = client.openWatch(kind, namespace, resourceVersion, timeout);
    } catch (ApiException e) {
      throw Failures.of(description, e, false);
    }
    call = open;
    if (closed) {
      open.cancel();
      return false;
    }
    boolean quiet = true;
    try (Response response = open.execute()) {
      ResponseBody body = response.body();
      if (response.code() == 410) {
        resourceVersion = null;
        return false;
      }
      if (!response.isSuccessful()) {
        throw Failures.fromBody(description, response.code(), body.string(), false, null);
      }
      failures = 0;
      BufferedSource source = body.source();
      String line;
      while ((line = source.readUtf8Line()) != null) {
        if (line.isBlank()) {
          continue;
        }
        quiet = false;
        if (!event(line)) {
          return false;
        }
      }
      return quiet;
    } catch (IOException e) {
      if (closed) {
        return false;
      }
      throw Failures.of(description, e, false);
    } finally {
      call = null;
    }
  }

  /**
   * Handles one event line.
   *
   * @return false when the stream must be left for a re-list
   */
  private boolean event(String line) throws IOException {
    JsonNode event = ApiServerClusterClient.JSON.readTree(line);
    String type = event.path("type").asText("");
    JsonNode object = event.get("object");
    switch (type) {
      case "ADDED", "MODIFIED", "DELETED" -> {
        if (!(object instanceof ObjectNode changed)) {
          throw new IOException("watch event " + type + " without an object");
        }
        ApiServerClusterClient.fillKind(changed, kind);
        ObjectEvent change = new ObjectEvent(ObjectEvent.Type.valueOf(type), changed);
        deliver(() -> listener.onEvent(change));
        String version = changed.path("metadata").path("resourceVersion").asText("");
        if (!version.isEmpty()) {
          resourceVersion = version;
        }
        return true;
      }
      case "BOOKMARK" -> {
        String version =
            object == null ? "" : object.path("metadata").path("resourceVersion").asText("");
        if (!version.isEmpty()) {
          resourceVersion = version;
        }
        return true;
      }
      case "ERROR" -> {
        int code = object == null ? 0 : object.path("code").asInt(0);
        if (code == 410) {
          log.debug("{}: resource version {} expired, re-listing", description, resourceVersion);
          resourceVersion = null;
          return false;
        }
        throw Failures.fromBody(
            description, code, object == null ? "" : object.toString(), false, null);
      }
      default -> {
        log.debug("{}: ignored watch event of type '{}'", description, type);
        return true;
      }
    }
  }

  private void fail(KubernetesException error) {
    int failed = ++failures;
    log.debug("{}: failed ({} in a row): {}", description, failed, error.getMessage());
    deliver(() -> listener.onError(error));
    schedule(backoff(failed));
  }

  private void schedule(Duration delay) {
    if (closed) {
      return;
    }
    try {
      pending = settings.timer().schedule(this::submit, delay);
    } catch (RejectedExecutionException e) {
      if (!closed) {
        log.warn("{}: cannot schedule a re-connect; the watch stops", description);
      }
    }
  }

  private Duration backoff(int failed) {
    Duration delay = settings.minBackoff();
    for (int i = 1; i < failed && delay.compareTo(settings.maxBackoff()) < 0; i++) {
      delay = delay.multipliedBy(2);
    }
    return delay.compareTo(settings.maxBackoff()) > 0 ? settings.maxBackoff() : delay;
  }

  private long timeoutSeconds() {
    long base = Math.max(1, settings.watchTimeout().toSeconds());
    long jitter = base / 10;
    return jitter == 0
        ? base
        : base - jitter + ThreadLocalRandom.current().nextLong(2 * jitter + 1);
  }

  private void deliver(Runnable callback) {
    synchronized (delivery) {
      if (closed) {
        return;
      }
      try {
        callback.run();
      } catch (RuntimeException e) {
        log.warn("{}: the listener failed", description, e);
      }
    }
  }
}
