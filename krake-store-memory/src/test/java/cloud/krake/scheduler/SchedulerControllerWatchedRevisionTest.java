package cloud.krake.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.Krake;
import cloud.krake.TestClusters;
import cloud.krake.model.Application;
import cloud.krake.model.Cluster;
import cloud.krake.model.ResourceRef;
import cloud.krake.store.Applications;
import cloud.krake.store.HeldWatchEvents;
import cloud.krake.store.Watch;
import cloud.krake.store.WatchListener;
import cloud.krake.store.memory.MemoryStore;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The scheduler decides from the revision its watch delivered (the decode cache's copy) and reads
 * the store only when that copy is not cached or its write lost the compare-and-set.
 */
class SchedulerControllerWatchedRevisionTest {

  private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");

  private final MemoryStore memory = MemoryStore.create();

  private final HeldWatchEvents watchEvents = new HeldWatchEvents();

  /** The scheduler's store: counts reads, and holds watch events back while asked to. */
  private final ApplicationReadsCountingStore store =
      new ApplicationReadsCountingStore(memory) {
        @Override
        public Watch watch(String prefix, long fromRevision, WatchListener listener) {
          return super.watch(
              prefix,
              fromRevision,
              interceptingEvents(
                  listener, event -> watchEvents.deliver(() -> listener.onEvent(event))));
        }
      };

  private final SchedulerFixture fixture = new SchedulerFixture(store, T0);
  private final Krake krake = fixture.krake;
  private SchedulerController scheduler;

  @BeforeEach
  void startWatching() {
    scheduler = fixture.watch();
  }

  @AfterEach
  void close() {
    watchEvents.release();
    fixture.close();
    memory.close();
  }

  @Test
  void aBindingFromTheWatchedRevisionReadsNoApplicationFromTheStore() {
    Cluster de = TestClusters.de(krake);
    fixture.createEcho();
    fixture.awaitQueued(); // the application's event delivered
    int before = store.applicationReads();

    assertThat(scheduler.runOnce()).isTrue();

    // no read of the application: its copy and the base of the binding's CAS came from the cache
    assertThat(store.applicationReads() - before).isZero();
    Application bound = krake.applications().require("tenant", "echo");
    assertThat(bound.status().scheduledTo()).contains(ResourceRef.to(de));
  }

  @Test
  void aStaleWatchedRevisionLosesItsCompareAndSetAndIsScheduledAgainFromTheStore() {
    Cluster de = TestClusters.de(krake);
    Application created = fixture.createEcho();
    fixture.awaitQueued(); // the application's event delivered
    // another host's user changes the application; the scheduler's watch has not delivered it
    watchEvents.hold();
    Applications other = new Applications(memory, fixture.clock);
    Application changed =
        other.update(created.withMetadata(created.metadata().withLabels(Map.of("team", "blue"))));

    assertThat(scheduler.runOnce()).isTrue();

    // bound in the same reconcile, on the revision read from the store: nothing overwritten
    Application stored = other.require("tenant", "echo");
    assertThat(stored.status().scheduledTo()).contains(ResourceRef.to(de));
    assertThat(stored.metadata().labels()).containsEntry("team", "blue");
    assertThat(stored.metadata().revision()).isGreaterThan(changed.metadata().revision());
  }
}
