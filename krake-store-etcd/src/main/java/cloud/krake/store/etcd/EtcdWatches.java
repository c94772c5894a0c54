package cloud.krake.store.etcd;

import static cloud.krake.store.etcd.Gateway.utf8;

import cloud.krake.runtime.DependencyAvailability;
import cloud.krake.store.StoreUnavailableException;
import cloud.krake.store.Watch;
import cloud.krake.store.WatchListener;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Call;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;

/**
 * {@link EtcdStore}'s watches: the running {@link EtcdWatch}es, the client of their {@code
 * /v3/watch} streams (no call timeout, the watch idle timeout as read timeout), and what a watch
 * asks of the store (the member to stream from, the availability to report to). The store checks
 * arguments and that it is open first. Thread-safe.
 */
final class EtcdWatches {

  private final Gateway gateway;
  private final OkHttpClient client;
  private final Duration reconnectBackoff;

  /** The store's closed flag, set by {@link EtcdStore#close()}. */
  private final AtomicBoolean storeClosed;

  private final AtomicInteger counter = new AtomicInteger();
  private final Set<EtcdWatch> running = ConcurrentHashMap.newKeySet();

  EtcdWatches(
      Gateway gateway, OkHttpClient client, Duration reconnectBackoff, AtomicBoolean storeClosed) {
    this.gateway = gateway;
    this.client = client;
    this.reconnectBackoff = reconnectBackoff;
    this.storeClosed = storeClosed;
  }

  /**
   * Starts a watch from {@code startRevision} on its own thread.
   *
   * @throws StoreUnavailableException if the store was closed meanwhile
   */
  Watch start(String prefix, long startRevision, WatchListener listener) {
    EtcdWatch watch =
        new EtcdWatch(
            this,
            "krake-etcd-watch-" + counter.incrementAndGet(),
            prefix,
            startRevision,
            listener,
            reconnectBackoff);
    running.add(watch);
    if (storeClosed.get()) {
      running.remove(watch);
      throw closedException("watch " + prefix);
    }
    watch.start();
    return watch;
  }

  /**
   * Ends every running watch with {@link WatchListener#onClosed}, waiting up to {@link
   * EtcdStore#WATCH_JOIN_TIMEOUT} per watch thread; after the store was marked closed.
   */
  void closeAll() {
    List<EtcdWatch> all = new ArrayList<>(running);
    all.forEach(EtcdWatch::closeByStore);
    for (EtcdWatch watch : all) {
      watch.join(EtcdStore.WATCH_JOIN_TIMEOUT);
    }
    running.clear();
  }

  /** The client of watch streams. */
  OkHttpClient client() {
    return client;
  }

  // ---- for EtcdWatch ---------------------------------------------------------------------------

  void removed(EtcdWatch watch) {
    running.remove(watch);
  }

  ObjectMapper mapper() {
    return gateway.mapper;
  }

  String endpointText() {
    return gateway.endpoint;
  }

  /** Whether etcd answers, from the outcome of every call and watch stream. */
  DependencyAvailability availability() {
    return gateway.availability;
  }

  /** The index of the member calls go to now, for {@link #watchCall(int, String, long)}. */
  int currentMember() {
    return gateway.currentMember();
  }

  /** Reports that a member failed a watch stream: later calls and streams go to the next one. */
  void memberFailed(int member) {
    gateway.failed(member);
  }

  /** Starts a watch stream on the current member. */
  Call watchCall(String prefix, long startRevision) {
    return watchCall(gateway.currentMember(), prefix, startRevision);
  }

  /** Starts a watch stream on a member; the caller closes the response and may cancel the call. */
  Call watchCall(int member, String prefix, long startRevision) {
    String body = EtcdRequests.watch(prefix, startRevision);
    Request request =
        new Request.Builder()
            .url(gateway.url(member, Gateway.WATCH))
            .post(RequestBody.create(utf8(body), Gateway.JSON))
            .build();
    return client.newCall(request);
  }

  StoreUnavailableException closedException(String operation) {
    return gateway.closedException(operation);
  }
}
