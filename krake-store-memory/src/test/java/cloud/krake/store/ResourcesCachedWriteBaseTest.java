package cloud.krake.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import cloud.krake.KrakeException;
import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.KrakeJson;
import cloud.krake.store.memory.MemoryStore;
import cloud.krake.testing.ForwardingStore;
import cloud.krake.testing.ManualClock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A compare-and-set write of the typed layer takes the revision the caller read from the decode
 * cache instead of reading the store again ({@link Resources#requireAt}); the write's
 * compare-and-set, not a read before it, catches a revision the store has left.
 */
class ResourcesCachedWriteBaseTest {

  private final MemoryStore memory = MemoryStore.create();
  private final AtomicInteger gets = new AtomicInteger();

  /** Holds the watch events of this test's layer while closed, as a lagging watch would. */
  private final HeldWatchEvents watchEvents = new HeldWatchEvents();

  private final Store counting =
      new ForwardingStore(memory) {
        @Override
        public Optional<KeyValue> get(String key) {
          gets.incrementAndGet();
          return super.get(key);
        }

        @Override
        public Watch watch(String prefix, long fromRevision, WatchListener listener) {
          return super.watch(
              prefix, fromRevision, event -> watchEvents.deliver(() -> listener.onEvent(event)));
        }
      };
  private final ManualClock clock = new ManualClock(Instant.parse("2026-12-07T10:00:00Z"));
  private final Applications apps = new Applications(counting, clock);
  private final AtomicLong watched = new AtomicLong();
  private Watch watch;

  private static final String KEY = ResourceType.APPLICATION.keys().key("ns", "app");

  @BeforeEach
  void watchAsAReflectorDoes() {
    watch =
        apps.watch(
            0,
            new ResourceListener<>() {
              @Override
              public void onEvent(ResourceEvent<Application> event) {
                watched.set(event.resource().metadata().revision());
              }

              @Override
              public void onCompacted(long compactRevision) {}

              @Override
              public void onClosed(KrakeException cause) {}
            });
  }

  @AfterEach
  void close() {
    watchEvents.release();
    watch.close();
    memory.close();
  }

  private Application create() {
    return apps.create(
        KrakeJson.read(
            """
            metadata: {name: app, namespace: ns}
            spec:
              manifest: [{apiVersion: v1, kind: ConfigMap, metadata: {name: c}}]
              constraints: {cluster: {}}
            """,
            Application.class));
  }

  private static Application withState(Application app, ApplicationState state) {
    return app.withStatus(app.status().withState(state));
  }

  @Test
  void aWriteOnTheRevisionItReadDoesNotReadTheStoreAgain() {
    Application read = create();
    Application first = apps.get("ns", "app").orElseThrow();
    int before = gets.get();

    Application written = apps.updateStatus(withState(first, ApplicationState.RUNNING));
    Application again = apps.updateStatus(withState(written, ApplicationState.DEGRADED));

    assertThat(gets.get() - before).isZero();
    assertThat(read.metadata().name()).isEqualTo("app");
    assertThat(apps.get("ns", "app").orElseThrow().status().state())
        .isEqualTo(ApplicationState.DEGRADED);
    assertThat(again.metadata().revision()).isGreaterThan(written.metadata().revision());
  }

  @Test
  void aWriteOnACachedRevisionTheStoreHasLeftLosesItsCompareAndSetAndOverwritesNothing() {
    Application stale = create();
    await().until(() -> watched.get() == stale.metadata().revision());
    // another instance (another typed layer on the same store) writes after this layer's read,
    // and this layer's watch has not delivered it yet: its decode cache still holds the read
    watchEvents.hold();
    Applications other = new Applications(memory, clock);
    Application theirs =
        other.updateStatus(
            withState(other.get("ns", "app").orElseThrow(), ApplicationState.RUNNING));
    assertThat(apps.decodeCache().cachedAt(KEY, stale.metadata().revision())).isSameAs(stale);

    assertThatThrownBy(() -> apps.updateStatus(withState(stale, ApplicationState.DEGRADED)))
        .isInstanceOf(ConflictException.class);
    assertThatThrownBy(() -> apps.bind(withState(stale, ApplicationState.DEGRADED)))
        .isInstanceOf(ConflictException.class);
    assertThatThrownBy(() -> apps.writeByController(withState(stale, ApplicationState.DEGRADED)))
        .isInstanceOf(ConflictException.class);

    assertThat(memory.get(KEY).orElseThrow().modRevision()).isEqualTo(theirs.metadata().revision());
    watchEvents.release();
    assertThat(apps.get("ns", "app").orElseThrow().status().state())
        .isEqualTo(ApplicationState.RUNNING);
  }

  @Test
  void aStaleCachedBaseIsRetriedFromAFreshReadByModifyStatus() {
    create();
    Applications other = new Applications(memory, clock);
    AtomicInteger attempts = new AtomicInteger();
    watchEvents.hold();

    Application result =
        apps.modifyStatus(
            "ns",
            "app",
            a -> {
              if (attempts.getAndIncrement() == 0) {
                // the store moves on between this attempt's read and its write
                other.updateStatus(
                    withState(other.get("ns", "app").orElseThrow(), ApplicationState.RUNNING));
              }
              return a.status().withReason(Optional.empty()).withState(ApplicationState.DEGRADED);
            });

    assertThat(attempts.get()).isEqualTo(2);
    assertThat(result.status().state()).isEqualTo(ApplicationState.DEGRADED);
    assertThat(memory.get(KEY).orElseThrow().modRevision()).isEqualTo(result.metadata().revision());
  }

  @Test
  void aWriteThatChangesNothingConfirmsItsRevisionWithTheStore() {
    Application stale = create();
    watchEvents.hold();
    Applications other = new Applications(memory, clock);
    other.updateStatus(withState(other.get("ns", "app").orElseThrow(), ApplicationState.RUNNING));

    assertThatThrownBy(() -> apps.updateStatus(stale)).isInstanceOf(ConflictException.class);
  }

  @Test
  void aWriteOnACachedRevisionOfAResourceSinceRemovedIsNotFound() {
    Application stale = create();
    watchEvents.hold();
    new Applications(memory, clock).forceDelete("ns", "app");

    assertThatThrownBy(() -> apps.updateStatus(withState(stale, ApplicationState.RUNNING)))
        .isInstanceOf(NotFoundException.class);
  }
}
