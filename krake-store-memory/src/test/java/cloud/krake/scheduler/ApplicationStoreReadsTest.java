package cloud.krake.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.krake.Krake;
import cloud.krake.TestClusters;
import cloud.krake.gc.GarbageCollector;
import cloud.krake.store.ResourceType;
import cloud.krake.store.memory.MemoryStore;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How many times one application's life (created, bound by the scheduler, deleted, released by the
 * garbage collector) reads it from the store: the scheduler and the collector decide from their
 * watches, the writes take their base revision from the decode cache. Counts, not times: they are
 * deterministic for a given order of events, so the bound is tight.
 */
class ApplicationStoreReadsTest {

  private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");
  private static final String APPLICATIONS = ResourceType.APPLICATION.keys().prefix();

  private final MemoryStore memory = MemoryStore.create();
  private final ApplicationReadsCountingStore store = new ApplicationReadsCountingStore(memory);
  private final SchedulerFixture fixture = new SchedulerFixture(store, T0);
  private final Krake krake = fixture.krake;
  private SchedulerController scheduler;
  private GarbageCollector gc;

  @BeforeEach
  void start() {
    scheduler = fixture.watch();
    gc = new GarbageCollector(krake, fixture.timers, 1);
    gc.watch();
  }

  @AfterEach
  void close() {
    gc.close();
    fixture.close();
    memory.close();
  }

  /** Runs both controllers until their watches (which report their own writes) stay quiet. */
  private void settle() {
    await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              scheduler.drain();
              gc.drain();
              return scheduler.queued() == 0 && gc.queued() == 0;
            });
  }

  @Test
  void oneApplicationsLifeReadsItFromTheStoreAtMostFourTimes() {
    TestClusters.de(krake);
    settle();
    int before = store.applicationReads();

    fixture.createEcho();
    fixture.awaitQueued();
    settle();
    assertThat(memory.get(APPLICATIONS + "tenant/echo")).isPresent();
    krake.applications().delete("tenant", "echo");
    await().atMost(Duration.ofSeconds(10)).until(() -> gc.queued() > 0);
    settle();

    assertThat(memory.get(APPLICATIONS + "tenant/echo")).isEmpty();
    // measured 4 (among them the delete's read, the collector's read of the application in
    // deletion and its modify's read); 9 before the scheduler and the collector decided from their
    // watches and the writes took their base revision from the decode cache
    assertThat(store.applicationReads() - before).isLessThanOrEqualTo(4);
  }
}
