package cloud.krake.testing.kubernetes;

import cloud.krake.runtime.Timer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import okhttp3.HttpUrl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The list-and-watch loops of a {@link NodeAgent} against the real API server, and the mirrors of
 * whole kinds into the kubelet's local view built on them: one daemon thread per kind ({@code
 * krake-kubelet-<node>-watch-<kind>}); a failed list or watch backs off {@link #WATCH_BACKOFF} on a
 * real-time timer (the kubelet's sync executor, never a test's manual timer: the API server is
 * real). The loops end once the agent's {@code closed} flag is set and {@link #interrupt()} is
 * called.
 */
final class ApiWatches {
  private static final Logger log = LoggerFactory.getLogger(NodeAgent.class);

  /** How long a watch waits, in real time, after a failed list or watch before it tries again. */
  static final Duration WATCH_BACKOFF = Duration.ofMillis(500);

  private final String node;
  private final ApiServerClient api;
  private final FakeKubernetesApiServer local;
  private final Timer timer;
  private final AtomicBoolean closed;
  private final List<Thread> threads = new CopyOnWriteArrayList<>();

  ApiWatches(
      String node,
      ApiServerClient api,
      FakeKubernetesApiServer local,
      Timer timer,
      AtomicBoolean closed) {
    this.node = node;
    this.api = api;
    this.local = local;
    this.timer = timer;
    this.closed = closed;
  }

  /**
   * Lists, then watches from the list's resourceVersion on a thread of its own; lists again after a
   * {@code 410 Gone} or a broken stream.
   */
  void start(
      String name,
      String path,
      String fieldSelector,
      Consumer<JsonNode> onEvent,
      Consumer<JsonNode> onList) {
    AtomicBoolean listed = new AtomicBoolean();
    Semaphore backoff = new Semaphore(0);
    Runnable loop =
        () -> {
          String resourceVersion = null;
          while (!closed.get()) {
            try {
              if (resourceVersion == null) {
                HttpUrl.Builder url = api.url(path);
                if (fieldSelector != null) {
                  url.addQueryParameter("fieldSelector", fieldSelector);
                }
                JsonNode list = api.list(url.build());
                onList.accept(list.path("items"));
                resourceVersion = list.path("metadata").path("resourceVersion").asText();
                listed.set(true);
              }
              HttpUrl.Builder url =
                  api.url(path)
                      .addQueryParameter("watch", "true")
                      .addQueryParameter("allowWatchBookmarks", "true")
                      .addQueryParameter("resourceVersion", resourceVersion)
                      .addQueryParameter("timeoutSeconds", "300");
              if (fieldSelector != null) {
                url.addQueryParameter("fieldSelector", fieldSelector);
              }
              String[] last = {resourceVersion};
              boolean[] gone = {false};
              api.watch(
                  url.build(),
                  event -> {
                    String type = event.path("type").asText();
                    JsonNode object = event.path("object");
                    if (type.equals("ERROR")) {
                      gone[0] = object.path("code").asInt() == 410;
                      return;
                    }
                    last[0] = object.path("metadata").path("resourceVersion").asText(last[0]);
                    if (!type.equals("BOOKMARK")) {
                      applyEvent(name, onEvent, event);
                    }
                  });
              resourceVersion = gone[0] ? null : last[0];
            } catch (ApiServerClient.Failure e) {
              if (e.code() == 410) {
                resourceVersion = null;
              } else if (!closed.get()) {
                log.warn("Local kubelet {}: watch of {} failed: {}", node, name, e.getMessage());
                if (!pause(backoff)) {
                  return;
                }
              }
            } catch (UncheckedIOException | IllegalStateException e) {
              if (!closed.get()) {
                log.debug("Local kubelet {}: watch of {} broke: {}", node, name, e.getMessage());
                if (!pause(backoff)) {
                  return;
                }
              }
            } catch (RuntimeException e) {
              if (!closed.get()) {
                log.warn("Local kubelet {}: watch of {} failed", node, name, e);
                resourceVersion = null;
                if (!pause(backoff)) {
                  return;
                }
              }
            }
          }
        };
    Thread thread = new Thread(loop, "krake-kubelet-" + node + "-watch-" + name);
    thread.setDaemon(true);
    threads.add(thread);
    thread.start();
  }

  /**
   * Applies one event to the local view; one the local view refuses (its validation is stricter
   * than the API server's somewhere) is logged, not retried, so the watch goes on.
   */
  void applyEvent(String name, Consumer<JsonNode> onEvent, JsonNode event) {
    try {
      onEvent.accept(event);
    } catch (IllegalArgumentException | ApiError e) {
      log.warn(
          "Local kubelet {}: cannot take {} {} into its view: {}",
          node,
          name,
          NodeAgent.key(event.path("object")),
          e.getMessage());
    }
  }

  /**
   * Waits {@link #WATCH_BACKOFF} on the real-time timer between failed watches: the timer releases
   * the permit the watch thread waits for. An interrupt (from {@link #interrupt()}) ends the watch,
   * as does a timer that no longer takes tasks (the kubelet is closing).
   *
   * @return whether the watch goes on
   */
  private boolean pause(Semaphore backoff) {
    Timer.Handle wake;
    try {
      wake = timer.schedule(backoff::release, WATCH_BACKOFF);
    } catch (RejectedExecutionException e) {
      log.debug("Local kubelet {}: the timer is stopped; a watch ends", node);
      return false;
    }
    try {
      backoff.acquire();
      return true;
    } catch (InterruptedException e) {
      wake.cancel();
      Thread.currentThread().interrupt();
      closed.set(true);
      return false;
    }
  }

  /** Keeps every object of a kind in the local view. */
  void mirror(String name, String path, String apiVersion, String kind) {
    Set<String> known = ConcurrentHashMap.newKeySet();
    start(
        name,
        path,
        null,
        event -> {
          ObjectNode object = (ObjectNode) event.path("object");
          String key = NodeAgent.key(object);
          if (event.path("type").asText().equals("DELETED")) {
            known.remove(key);
            deleteLocal(apiVersion, kind, object);
          } else {
            known.add(key);
            local.put(forLocal(object, apiVersion, kind));
          }
        },
        items -> {
          Set<String> listed = new HashSet<>();
          for (JsonNode item : items) {
            listed.add(NodeAgent.key(item));
            applyEvent(
                name,
                event -> local.put(forLocal((ObjectNode) event.path("object"), apiVersion, kind)),
                JsonNodeFactory.instance.objectNode().set("object", item));
          }
          for (ObjectNode stored : local.list(apiVersion, kind)) {
            if (!listed.contains(NodeAgent.key(stored))) {
              deleteLocal(apiVersion, kind, stored);
            }
          }
          known.clear();
          known.addAll(listed);
        });
  }

  private void deleteLocal(String apiVersion, String kind, JsonNode object) {
    JsonNode metadata = object.path("metadata");
    local.delete(
        apiVersion, kind, metadata.path("namespace").asText(), metadata.path("name").asText());
  }

  static ObjectNode forLocal(ObjectNode object, String apiVersion, String kind) {
    ObjectNode copy = object.deepCopy();
    copy.put("apiVersion", apiVersion);
    copy.put("kind", kind);
    ObjectNode metadata = Json.child(copy, "metadata");
    metadata.remove("resourceVersion");
    metadata.remove("managedFields");
    metadata.remove("finalizers");
    metadata.remove("deletionTimestamp");
    metadata.remove("deletionGracePeriodSeconds");
    return copy;
  }

  /** Interrupts every watch thread (their blocking reads and back-offs end). */
  void interrupt() {
    for (Thread thread : threads) {
      thread.interrupt();
    }
  }
}
