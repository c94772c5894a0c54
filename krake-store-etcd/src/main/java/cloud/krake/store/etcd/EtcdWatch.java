package cloud.krake.store.etcd;

import cloud.krake.KrakeException;
import cloud.krake.store.KeyValue;
import cloud.krake.store.Watch;
import cloud.krake.store.WatchEvent;
import cloud.krake.store.WatchListener;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Response;
import okio.BufferedSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One watch of an {@link EtcdStore}: a daemon thread that holds a {@code /v3/watch} stream open,
 * turns its newline-delimited JSON messages into {@link WatchEvent}s and re-opens it after a
 * failure from the revision after the last delivered event.
 *
 * <p>State: {@code nextRevision} belongs to the watch thread; {@code stopped}, {@code byStore} and
 * {@code call} are volatile, written by closing threads and read by the watch thread.
 */
final class EtcdWatch implements Watch {
  private static final Logger log = LoggerFactory.getLogger(EtcdWatch.class);

  private final EtcdWatches watches;
  private final String prefix;
  private final WatchListener listener;
  private final Duration initialBackoff;
  private final Thread thread;
  private final CountDownLatch stop = new CountDownLatch(1);

  private volatile boolean stopped;
  private volatile boolean byStore;
  private volatile Call call;

  /** The first revision not delivered yet; watch thread only. */
  private long nextRevision;

  EtcdWatch(
      EtcdWatches watches,
      String threadName,
      String prefix,
      long fromRevision,
      WatchListener listener,
      Duration initialBackoff) {
    this.watches = watches;
    this.prefix = prefix;
    this.listener = listener;
    this.initialBackoff = initialBackoff;
    this.nextRevision = fromRevision;
    this.thread = new Thread(this::run, threadName);
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /**
   * Stops delivery: no listener method is called once this returns, except one already running on
   * the watch thread, which this waits for (up to {@link EtcdStore#WATCH_JOIN_TIMEOUT}) unless
   * called from that thread.
   */
  @Override
  public void close() {
    halt();
    join(EtcdStore.WATCH_JOIN_TIMEOUT);
    watches.removed(this);
  }

  /** Stops the watch because the store closed; the watch thread then calls {@code onClosed}. */
  void closeByStore() {
    byStore = true;
    halt();
  }

  void join(Duration timeout) {
    if (Thread.currentThread() == thread) {
      return;
    }
    try {
      thread.join(timeout.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void halt() {
    stopped = true;
    stop.countDown();
    Call current = call;
    if (current != null) {
      current.cancel();
    }
  }

  private void run() {
    Duration backoff = initialBackoff;
    int failures = 0;
    try {
      while (!stopped) {
        int member = watches.currentMember();
        Call current = watches.watchCall(member, prefix, nextRevision);
        call = current;
        if (stopped) {
          current.cancel();
          break;
        }
        try (Response response = current.execute()) {
          if (!response.isSuccessful()) {
            int code = response.code();
            if (code >= 400 && code < 500 && code != 408 && code != 429) {
              // A refusal (authentication, authorisation, a bad request) does not heal by retrying.
              deliver(
                  () ->
                      listener.onClosed(
                          new KrakeException(
                              "etcd at "
                                  + watches.endpointText()
                                  + " refused the watch of "
                                  + prefix
                                  + ": HTTP "
                                  + code)));
              return;
            }
            throw new IOException("HTTP " + code);
          }
          BufferedSource source = response.body().source();
          String line;
          while (!stopped && (line = source.readUtf8Line()) != null) {
            if (line.isBlank()) {
              continue;
            }
            Outcome outcome = handle(line);
            if (outcome == Outcome.CREATED) {
              backoff = initialBackoff;
              watches.availability().available();
              if (failures > 0) {
                log.info(
                    "watch of {} at {} resumed from revision {}",
                    prefix,
                    watches.endpointText(),
                    nextRevision);
              }
              failures = 0;
            } else if (outcome == Outcome.ENDED) {
              return;
            }
          }
        } catch (IOException | RuntimeException e) {
          if (stopped) {
            break;
          }
          failures++;
          watches.memberFailed(member);
          if (failures > 1) {
            // Re-opening failed too: etcd is away (said once for the store, not per watch).
            watches.availability().unavailable(e);
          }
          if (failures == 1) {
            log.info(
                "watch of {} at {} lost ({}); resuming from revision {}",
                prefix,
                watches.endpointText(),
                e.toString(),
                nextRevision);
          } else {
            log.debug("watch of {} still failing: {}", prefix, e.toString());
          }
        } finally {
          call = null;
        }
        if (awaitStop(backoff)) {
          break;
        }
        backoff = backoff.multipliedBy(2);
        if (backoff.compareTo(EtcdStore.MAX_RECONNECT_BACKOFF) > 0) {
          backoff = EtcdStore.MAX_RECONNECT_BACKOFF;
        }
      }
      if (byStore) {
        listener.onClosed(watches.closedException("watch " + prefix));
      }
    } finally {
      watches.removed(this);
    }
  }

  private enum Outcome {
    CREATED,
    EVENTS,
    ENDED
  }

  /** Handles one stream message; an error message throws so that the stream is re-opened. */
  private Outcome handle(String line) throws IOException {
    JsonNode message = watches.mapper().readTree(line);
    JsonNode result = message.path("result");
    if (result.isMissingNode()) {
      // grpc-gateway reports stream errors as {"error":{"grpc_code":14,"message":…}}.
      JsonNode error = message.path("error");
      throw new IOException(
          "watch stream error: " + error.path("message").asText(message.toString()));
    }
    if (result.path("created").asBoolean(false)) {
      return Outcome.CREATED;
    }
    if (result.path("canceled").asBoolean(false)) {
      long compactRevision = result.path("compact_revision").asLong(0);
      if (compactRevision > 0) {
        log.info(
            "watch of {} at {}: revision {} compacted (oldest kept {})",
            prefix,
            watches.endpointText(),
            nextRevision,
            compactRevision);
        deliver(() -> listener.onCompacted(compactRevision));
        return Outcome.ENDED;
      }
      String reason = result.path("cancel_reason").asText("no reason given");
      deliver(
          () ->
              listener.onClosed(
                  new KrakeException(
                      "etcd at " + watches.endpointText() + " cancelled the watch: " + reason)));
      return Outcome.ENDED;
    }
    JsonNode events = result.path("events");
    long floor = nextRevision;
    long last = 0;
    for (JsonNode event : events) {
      if (stopped) {
        break;
      }
      WatchEvent watchEvent = event(event);
      long revision = watchEvent.revision();
      if (revision < floor) {
        continue;
      }
      deliverEvent(watchEvent);
      last = Math.max(last, revision);
    }
    if (last >= nextRevision) {
      nextRevision = last + 1;
    }
    return Outcome.EVENTS;
  }

  private static WatchEvent event(JsonNode event) {
    JsonNode kv = event.path("kv");
    if ("DELETE".equals(event.path("type").asText("PUT"))) {
      JsonNode previous = event.path("prev_kv");
      long revision = kv.path("mod_revision").asLong(0);
      long created = Math.min(previous.path("create_revision").asLong(0), revision);
      return new WatchEvent(
          WatchEvent.Type.DELETED,
          new KeyValue(
              Gateway.decodeKey(kv.path("key")),
              Gateway.decodeValue(previous.path("value")),
              created,
              revision,
              0));
    }
    KeyValue value = Gateway.keyValue(kv);
    return new WatchEvent(
        value.version() == 1 ? WatchEvent.Type.ADDED : WatchEvent.Type.MODIFIED, value);
  }

  private void deliverEvent(WatchEvent event) {
    try {
      listener.onEvent(event);
    } catch (RuntimeException e) {
      log.warn(
          "watch listener of {} failed on {} {} at revision {}",
          prefix,
          event.type(),
          event.key(),
          event.revision(),
          e);
    }
  }

  private void deliver(Runnable callback) {
    if (stopped) {
      return;
    }
    try {
      callback.run();
    } catch (RuntimeException e) {
      log.warn("watch listener of {} failed", prefix, e);
    }
  }

  private boolean awaitStop(Duration delay) {
    try {
      return stop.await(delay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true;
    }
  }

  @Override
  public String toString() {
    return "EtcdWatch[" + thread.getName() + ", prefix=" + prefix + "]";
  }
}
