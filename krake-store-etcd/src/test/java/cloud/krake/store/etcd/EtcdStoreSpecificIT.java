package cloud.krake.store.etcd;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import cloud.krake.KrakeException;
import cloud.krake.store.CompactedException;
import cloud.krake.store.ConflictException;
import cloud.krake.store.KeyValue;
import cloud.krake.store.Page;
import cloud.krake.store.PageRequest;
import cloud.krake.store.StoreUnavailableException;
import cloud.krake.store.Watch;
import cloud.krake.store.WatchEvent;
import cloud.krake.testing.EtcdExtension;
import cloud.krake.testing.RecordingWatchListener;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** etcd-specific behaviour of {@link EtcdStore} against a real etcd. */
class EtcdStoreSpecificIT {
  @RegisterExtension static final EtcdExtension etcd = EtcdExtension.builder().build();

  private EtcdStore store;
  private String prefix;

  @BeforeEach
  void open() {
    store = EtcdStore.builder().endpoint(etcd.endpoint()).build();
    prefix = "/krake-it/" + UUID.randomUUID() + "/";
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  private static byte[] bytes(String text) {
    return text.getBytes(UTF_8);
  }

  @Test
  void aSilentWatchStreamIsReopenedAfterTheIdleTimeoutWithoutLossOrRepeat() {
    try (EtcdStore idle =
        EtcdStore.builder()
            .endpoint(etcd.endpoint())
            .watchIdleTimeout(Duration.ofMillis(200))
            .build()) {
      RecordingWatchListener listener = new RecordingWatchListener();
      idle.watch(prefix, 0, listener);
      KeyValue first = idle.create(prefix + "first", bytes("1"));
      await().atMost(Duration.ofSeconds(10)).until(() -> listener.count() == 1);

      // Several idle timeouts pass: the stream is re-opened from the revision after `first`.
      await().pollDelay(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).until(() -> true);
      long a = idle.create(prefix + "a", bytes("1")).modRevision();
      long b = idle.create(prefix + "b", bytes("1")).modRevision();

      await().atMost(Duration.ofSeconds(10)).until(() -> listener.count() >= 3);
      assertThat(listener.events())
          .extracting(WatchEvent::revision)
          .containsExactly(first.modRevision(), a, b);
      assertThat(listener.closed()).isEmpty();
    }
  }

  @Test
  void writesWithCompareAndSetOnModRevision() {
    KeyValue created = store.create(prefix + "a", bytes("one"));
    assertThat(created.version()).isEqualTo(1);
    assertThat(created.createRevision()).isEqualTo(created.modRevision());

    KeyValue updated = store.update(prefix + "a", bytes("two"), created.modRevision());
    assertThat(updated.createRevision()).isEqualTo(created.createRevision());
    assertThat(updated.modRevision()).isGreaterThan(created.modRevision());
    assertThat(updated.version()).isEqualTo(2);
    assertThat(store.get(prefix + "a")).contains(updated);

    assertThatThrownBy(() -> store.update(prefix + "a", bytes("x"), created.modRevision()))
        .isInstanceOfSatisfying(
            ConflictException.class,
            e -> {
              assertThat(e.expectedRevision()).isEqualTo(created.modRevision());
              assertThat(e.actualRevision()).isEqualTo(updated.modRevision());
            });
    assertThatThrownBy(() -> store.create(prefix + "a", bytes("x")))
        .isInstanceOfSatisfying(
            ConflictException.class,
            e -> assertThat(e.actualRevision()).isEqualTo(updated.modRevision()));

    long deleted = store.delete(prefix + "a", updated.modRevision());
    assertThat(deleted).isGreaterThan(updated.modRevision());
    assertThat(store.get(prefix + "a")).isEmpty();
    assertThatThrownBy(() -> store.delete(prefix + "a", updated.modRevision()))
        .isInstanceOfSatisfying(
            ConflictException.class, e -> assertThat(e.actualRevision()).isZero());
    assertThat(store.revision()).isGreaterThanOrEqualTo(deleted);
  }

  @Test
  void keepsEmptyValuesAndNonAsciiKeys() {
    KeyValue created = store.create(prefix + "ü-ключ", new byte[0]);
    assertThat(store.get(prefix + "ü-ключ")).contains(created);
    assertThat(store.listAll(prefix)).containsExactly(created);
  }

  @Test
  void pagesOverManyKeysAtThePinnedRevision() {
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 1234; i++) {
      String key = prefix + String.format("k%05d", i);
      store.create(key, bytes("v" + i));
      keys.add(key);
    }
    store.create(prefix.substring(0, prefix.length() - 1) + "0", bytes("outside the prefix"));

    Page first = store.list(prefix, PageRequest.first(500));
    assertThat(first.items()).hasSize(500);
    assertThat(first.more()).isTrue();
    // Changes after the first page must not show on the following pages.
    KeyValue last = store.get(keys.get(1233)).orElseThrow();
    store.update(last.key(), bytes("changed"), last.modRevision());
    store.create(prefix + "k99999", bytes("new"));

    List<KeyValue> all = new ArrayList<>(first.items());
    Page page = first;
    while (page.next().isPresent()) {
      page = store.list(prefix, page.next().get());
      assertThat(page.revision()).isEqualTo(first.revision());
      all.addAll(page.items());
    }
    assertThat(all).extracting(KeyValue::key).containsExactlyElementsOf(keys);
    assertThat(all.get(1233).valueAsString()).isEqualTo("v1233");
    assertThat(store.listAll(prefix)).hasSize(1235);
  }

  @Test
  void listAtACompactedRevisionThrowsCompactedWithEtcdsCompactionRevision() {
    store.create(prefix + "a", bytes("1"));
    store.create(prefix + "b", bytes("2"));
    Page first = store.list(prefix, PageRequest.first(1));
    KeyValue b = store.get(prefix + "b").orElseThrow();
    long compactTo = store.update(b.key(), bytes("3"), b.modRevision()).modRevision();
    store.compact(compactTo);

    assertThatThrownBy(() -> store.list(prefix, first.next().orElseThrow()))
        .isInstanceOfSatisfying(
            CompactedException.class, e -> assertThat(e.compactRevision()).isEqualTo(compactTo));
  }

  @Test
  void compactionBelowTheCurrentIsANoOpAndAboveTheRevisionIsRejected() {
    long revision = store.create(prefix + "a", bytes("1")).modRevision();
    store.compact(revision);
    store.compact(revision);
    store.compact(revision - 1);
    store.compact(0);
    assertThatThrownBy(() -> store.compact(store.revision() + 100))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.compact(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void watchDeliversAddedModifiedAndDeletedWithTheLastValue() {
    RecordingListener listener = new RecordingListener();
    store.watch(prefix, 0, listener);
    KeyValue a = store.create(prefix + "a", bytes("1"));
    KeyValue a2 = store.update(a.key(), bytes("2"), a.modRevision());
    long deleted = store.delete(a.key(), a2.modRevision());
    store.create(prefix.substring(0, prefix.length() - 1) + "0", bytes("outside"));

    await().atMost(Duration.ofSeconds(10)).until(() -> listener.events.size() >= 3);
    assertThat(listener.events)
        .containsExactly(
            new WatchEvent(WatchEvent.Type.ADDED, a),
            new WatchEvent(WatchEvent.Type.MODIFIED, a2),
            new WatchEvent(
                WatchEvent.Type.DELETED,
                new KeyValue(a.key(), bytes("2"), a.createRevision(), deleted, 0)));
    assertThat(listener.threads).allMatch(name -> name.startsWith("krake-etcd-watch-"));
  }

  @Test
  void watchReplaysFromAnEarlierRevision() {
    KeyValue a = store.create(prefix + "a", bytes("1"));
    KeyValue b = store.create(prefix + "b", bytes("2"));
    RecordingListener listener = new RecordingListener();
    store.watch(prefix, a.modRevision(), listener);
    await().atMost(Duration.ofSeconds(10)).until(() -> listener.events.size() >= 2);
    assertThat(listener.events).extracting(WatchEvent::kv).containsExactly(a, b);
  }

  @Test
  void watchFromACompactedRevisionSignalsTheCompaction() {
    long from = store.create(prefix + "a", bytes("1")).modRevision();
    KeyValue b = store.create(prefix + "b", bytes("2"));
    store.compact(b.modRevision());
    RecordingListener listener = new RecordingListener();
    store.watch(prefix, from, listener);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(listener.compacted.get()).isEqualTo(b.modRevision()));
    assertThat(listener.events).isEmpty();
    assertThat(listener.closedCause()).isEmpty();
  }

  @Test
  void watchResumesAfterAnEtcdRestartWithoutLosingOrRepeatingEvents() {
    RecordingListener listener = new RecordingListener();
    List<KeyValue> written = new ArrayList<>();
    store.watch(prefix, 0, listener);
    for (int i = 0; i < 5; i++) {
      written.add(store.create(prefix + "before-" + i, bytes("v")));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> listener.events.size() == 5);

    etcd.server().stop();
    etcd.server().start();
    for (int i = 0; i < 5; i++) {
      written.add(store.create(prefix + "after-" + i, bytes("v")));
    }
    KeyValue last = written.get(9);
    written.add(store.update(last.key(), bytes("w"), last.modRevision()));

    await().atMost(Duration.ofSeconds(30)).until(() -> listener.events.size() >= 11);
    assertThat(listener.events).extracting(WatchEvent::kv).containsExactlyElementsOf(written);
    assertThat(listener.closedCause()).isEmpty();
  }

  @Test
  void closingTheStoreEndsItsWatchesWithOnClosedAndLaterCallsFail() {
    RecordingListener listener = new RecordingListener();
    store.watch(prefix, 0, listener);
    store.close();
    store.close();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(listener.closedCause())
                    .get()
                    .isInstanceOf(StoreUnavailableException.class));
    assertThatThrownBy(() -> store.get(prefix + "a"))
        .isInstanceOf(StoreUnavailableException.class)
        .hasMessageContaining(etcd.endpoint().toString());
  }

  @Test
  void closingAWatchStopsDeliveryWithoutOnClosed() {
    RecordingListener listener = new RecordingListener();
    Watch watch = store.watch(prefix, 0, listener);
    watch.close();
    watch.close();
    store.create(prefix + "a", bytes("1"));
    RecordingListener control = new RecordingListener();
    store.watch(prefix, 1, control);
    await().atMost(Duration.ofSeconds(10)).until(() -> !control.events.isEmpty());

    assertThat(listener.events).isEmpty();
    assertThat(listener.closedCause()).isEmpty();
  }

  @Test
  void rejectsNonPositiveExpectedRevisions() {
    assertThatThrownBy(() -> store.update(prefix + "a", bytes("x"), 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.delete(prefix + "a", -1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.watch(prefix, -1, new RecordingListener()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void reportsEtcdErrorsWithEtcdsMessage() {
    byte[] tooLarge = new byte[1_700_000]; // over etcd's 1.5 MiB request limit, under gRPC's 2 MiB
    assertThatThrownBy(() -> store.create(prefix + "big", tooLarge))
        .isInstanceOf(KrakeException.class)
        .isNotInstanceOf(StoreUnavailableException.class)
        .hasMessageContaining("request is too large")
        .hasMessageContaining("create " + prefix + "big");
  }

  @Test
  void refusedConnectionsThrowStoreUnavailableNamingEndpointAndOperation() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    URI endpoint = URI.create("http://127.0.0.1:" + port);
    try (EtcdStore unreachable = EtcdStore.builder().endpoint(endpoint).build()) {
      assertThatThrownBy(() -> unreachable.get("/krake/a"))
          .isInstanceOf(StoreUnavailableException.class)
          .hasMessageContaining(endpoint.toString())
          .hasMessageContaining("get /krake/a")
          .hasCauseInstanceOf(IOException.class);
    }
  }

  @Test
  void slowAnswersTimeOutWithStoreUnavailable() throws IOException {
    CountDownLatch release = new CountDownLatch(1);
    HttpServer server = fakeGateway(exchange -> awaitQuietly(release));
    try (EtcdStore slow =
        EtcdStore.builder().endpoint(uri(server)).requestTimeout(Duration.ofMillis(300)).build()) {
      long start = System.nanoTime();
      assertThatThrownBy(() -> slow.revision())
          .isInstanceOf(StoreUnavailableException.class)
          .hasMessageContaining(uri(server).toString())
          .hasMessageContaining("revision");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    } finally {
      release.countDown();
      server.stop(0);
    }
  }

  @Test
  void corruptAnswersThrowStoreUnavailableWithoutQuotingThem() throws IOException {
    HttpServer server =
        fakeGateway(exchange -> respond(exchange, 200, "<html>secret-looking text</html>"));
    try (EtcdStore corrupt = EtcdStore.builder().endpoint(uri(server)).build()) {
      assertThatThrownBy(() -> corrupt.get("/krake/a"))
          .isInstanceOf(StoreUnavailableException.class)
          .hasMessageContaining("malformed answer")
          .hasMessageNotContaining("secret-looking");
    } finally {
      server.stop(0);
    }
  }

  @Test
  void gatewayErrorsBecomeKrakeExceptionsWithTheirMessage() throws IOException {
    HttpServer server =
        fakeGateway(
            exchange ->
                respond(
                    exchange,
                    400,
                    "{\"error\":\"etcdserver: permission denied\",\"code\":7,"
                        + "\"message\":\"etcdserver: permission denied\"}"));
    try (EtcdStore denied = EtcdStore.builder().endpoint(uri(server)).build()) {
      assertThatThrownBy(() -> denied.create("/krake/a", bytes("x")))
          .isInstanceOf(KrakeException.class)
          .isNotInstanceOf(StoreUnavailableException.class)
          .hasMessageContaining("etcdserver: permission denied");
    } finally {
      server.stop(0);
    }
  }

  @Test
  void aWatchTheGatewayRefusesEndsWithOnClosedInsteadOfRetryingForever() throws IOException {
    HttpServer server =
        fakeGateway(
            exchange ->
                respond(
                    exchange, 401, "{\"error\":\"etcdserver: user name is empty\",\"code\":16}"));
    try (EtcdStore refused = EtcdStore.builder().endpoint(uri(server)).build()) {
      RecordingWatchListener listener = new RecordingWatchListener();

      refused.watch("/krake/", 1, listener);

      await().atMost(Duration.ofSeconds(10)).until(() -> listener.closed().isPresent());
      assertThat(listener.closed().get()).hasMessageContaining("HTTP 401");
      assertThat(listener.events()).isEmpty();
    } finally {
      server.stop(0);
    }
  }

  // ---- a scripted HTTP server standing in for the gateway ------------------------------------

  private interface Handler {
    void handle(com.sun.net.httpserver.HttpExchange exchange) throws IOException;
  }

  private static HttpServer fakeGateway(Handler handler) throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          try (exchange) {
            handler.handle(exchange);
          }
        });
    server.start();
    return server;
  }

  private static URI uri(HttpServer server) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  private static void respond(com.sun.net.httpserver.HttpExchange exchange, int status, String body)
      throws IOException {
    byte[] bytes = body.getBytes(UTF_8);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void etcdGoingAwayIsOneWarningAndItsReturnOneLineHoweverManyCallsAndWatchesFail() {
    try (cloud.krake.testing.EtcdServer own = cloud.krake.testing.EtcdServer.builder().build()) {
      own.start();
      try (EtcdStore away = EtcdStore.builder().endpoint(own.endpoint()).build()) {
        RecordingWatchListener listener = new RecordingWatchListener();
        away.watch(prefix, 0, listener);
        away.watch(prefix + "other/", 0, new RecordingWatchListener());
        away.create(prefix + "before", bytes("1"));
        await().atMost(Duration.ofSeconds(10)).until(() -> listener.count() == 1);

        java.io.PrintStream original = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(captured, true, UTF_8));
        try {
          own.stop();
          for (int i = 0; i < 20; i++) {
            assertThatThrownBy(() -> away.get(prefix + "before"))
                .isInstanceOf(StoreUnavailableException.class);
          }
          own.start();
          away.create(prefix + "after", bytes("2"));
          await().atMost(Duration.ofSeconds(30)).until(() -> listener.count() == 2);
        } finally {
          System.setErr(original);
        }
        List<String> lines = captured.toString(UTF_8).lines().toList();
        assertThat(lines.stream().filter(l -> l.contains(" WARN ")))
            .as(String.join("\n", lines))
            .singleElement()
            .asString()
            .contains("etcd at " + own.endpoint() + " is unavailable");
        assertThat(lines.stream().filter(l -> l.contains("is available again")))
            .as(String.join("\n", lines))
            .hasSize(1);
        assertThat(lines).as("no stack trace").noneMatch(l -> l.startsWith("\tat "));
      }
    }
  }
}
