package cloud.krake.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.krake.KrakeException;
import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.KrakeJson;
import cloud.krake.store.memory.MemoryStore;
import cloud.krake.testing.ManualClock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The typed layer's decode cache holds the live resources it has read, never the deleted ones: a
 * 1,000-application soak used to leave ~55 KB per deleted application on the heap.
 */
class ResourcesDecodeCacheTest {

  private static final int APPLICATIONS = 2_000;

  private final MemoryStore store = MemoryStore.create();
  private final ManualClock clock = new ManualClock(Instant.parse("2026-11-21T10:00:00Z"));
  private final Applications apps = new Applications(store, clock);

  @AfterEach
  void closeStore() {
    store.close();
  }

  private static Application app(int i) {
    return KrakeJson.read(
        """
        metadata: {name: app-%d, namespace: tenant}
        spec:
          manifest:
            - apiVersion: v1
              kind: ConfigMap
              metadata: {name: config}
              data: {key: value}
          constraints:
            cluster:
              labels: ["location is DE"]
        """
            .formatted(i),
        Application.class);
  }

  /** A watch such as every controller's reflector has open. */
  private Watch watchAll() {
    return apps.watch(
        0,
        new ResourceListener<>() {
          @Override
          public void onEvent(ResourceEvent<Application> event) {}

          @Override
          public void onCompacted(long compactRevision) {}

          @Override
          public void onClosed(KrakeException cause) {}
        });
  }

  @Test
  void forceDeletedApplicationsLeaveNothingInTheDecodeCache() {
    Watch watch = watchAll();
    for (int i = 0; i < APPLICATIONS; i++) {
      apps.create(app(i));
      assertThat(apps.get("tenant", "app-" + i)).isPresent();
    }
    assertThat(apps.decodeCacheSize()).isEqualTo(Resources.DECODE_CACHE_LIMIT);

    for (int i = 0; i < APPLICATIONS; i++) {
      apps.forceDelete("tenant", "app-" + i);
    }

    assertThat(apps.decodeCacheSize()).isZero();
    watch.close();
  }

  @Test
  void everyWatchAndReadOfOneRevisionShareOneDecoding() {
    List<List<Application>> seen =
        List.of(
            new CopyOnWriteArrayList<>(),
            new CopyOnWriteArrayList<>(),
            new CopyOnWriteArrayList<>());
    List<Watch> watches = new ArrayList<>();
    for (List<Application> into : seen) {
      watches.add(
          apps.watch(
              0,
              new ResourceListener<>() {
                @Override
                public void onEvent(ResourceEvent<Application> event) {
                  into.add(event.resource());
                }

                @Override
                public void onCompacted(long compactRevision) {}

                @Override
                public void onClosed(KrakeException cause) {}
              }));
    }
    apps.create(app(0));
    await().until(() -> seen.stream().allMatch(l -> l.size() == 1));

    Application read = apps.get("tenant", "app-0").orElseThrow();

    for (List<Application> events : seen) {
      assertThat(events.get(0)).isSameAs(read);
    }
    assertThat(apps.get("tenant", "app-0").orElseThrow()).isSameAs(read);
    watches.forEach(Watch::close);
  }

  @Test
  void theWatchesAndReadsOfTheWritingLayerShareTheWrittenResourceInsteadOfDecodingIt() {
    List<Application> events = new CopyOnWriteArrayList<>();
    Watch watch =
        apps.watch(
            0,
            new ResourceListener<>() {
              @Override
              public void onEvent(ResourceEvent<Application> event) {
                events.add(event.resource());
              }

              @Override
              public void onCompacted(long compactRevision) {}

              @Override
              public void onClosed(KrakeException cause) {}
            });
    try {
      Application input = app(0);
      Application created = apps.create(input);
      // the cache keeps one revision per key: a watch still behind the next write decodes
      await().until(() -> events.size() == 1);
      Application written =
          apps.modifyStatus(
              "tenant", "app-0", a -> a.status().withState(ApplicationState.CREATING));
      await().until(() -> events.size() == 2);

      assertThat(events.get(0)).isSameAs(created);
      assertThat(events.get(1)).isSameAs(written);
      // not decoded: a decoding would hold new trees, not the very spec the caller passed in
      assertThat(events.get(0).spec()).isSameAs(input.spec());
      assertThat(events.get(1).spec()).isSameAs(input.spec());
      assertThat(apps.get("tenant", "app-0").orElseThrow()).isSameAs(written);
      // what the layer keeps is what any other layer decodes from the stored document
      assertThat(new Applications(store, clock).get("tenant", "app-0").orElseThrow())
          .isEqualTo(written)
          .isNotSameAs(written);
    } finally {
      watch.close();
    }
  }

  @Test
  void aWriteDoesNotReplaceALaterRevisionInTheDecodeCache() {
    Watch watch = watchAll();
    try {
      Application created = apps.create(app(0));
      Applications otherHost = new Applications(store, clock);
      Application later =
          otherHost.modifyStatus(
              "tenant", "app-0", a -> a.status().withState(ApplicationState.CREATING));
      Application read = apps.get("tenant", "app-0").orElseThrow();
      assertThat(read).isEqualTo(later);

      apps.decodeCache().written(ResourceType.APPLICATION.keys().key("tenant", "app-0"), created);

      assertThat(apps.get("tenant", "app-0").orElseThrow()).isSameAs(read);
    } finally {
      watch.close();
    }
  }

  @Test
  void theDecodeCacheKeepsOnlyTheMostRecentlyUsedKeys() {
    Watch watch = watchAll();
    for (int i = 0; i < APPLICATIONS; i++) {
      apps.create(app(i));
      apps.get("tenant", "app-" + i);
    }
    Application recent = apps.get("tenant", "app-" + (APPLICATIONS - 1)).orElseThrow();

    assertThat(apps.decodeCacheSize()).isEqualTo(Resources.DECODE_CACHE_LIMIT);
    assertThat(apps.get("tenant", "app-" + (APPLICATIONS - 1)).orElseThrow()).isSameAs(recent);
    Application old = apps.get("tenant", "app-0").orElseThrow();
    assertThat(old).isEqualTo(apps.get("tenant", "app-0").orElseThrow());
    watch.close();
  }

  @Test
  void aLayerWithoutAWatchKeepsNothingOfApplicationsDeletedElsewhere() {
    // As a hook endpoint's own Applications: it reads each application once and never learns of
    // its deletion by the controllers' layer.
    Applications controllers = new Applications(store, clock);
    for (int i = 0; i < APPLICATIONS; i++) {
      controllers.create(app(i));
      assertThat(apps.get("tenant", "app-" + i)).isPresent();
      controllers.forceDelete("tenant", "app-" + i);
    }

    assertThat(apps.decodeCacheSize()).isZero();
  }

  @Test
  void closingTheLastWatchDropsWhatItCovered() {
    Watch watch = watchAll();
    for (int i = 0; i < 10; i++) {
      apps.create(app(i));
      apps.get("tenant", "app-" + i);
    }
    assertThat(apps.decodeCacheSize()).isEqualTo(10);

    watch.close();

    assertThat(apps.decodeCacheSize()).isZero();
  }

  @Test
  void applicationsRemovedByTheirLastFinalizerLeaveNothingInTheDecodeCache() {
    Watch watch = watchAll();
    for (int i = 0; i < 100; i++) {
      apps.create(app(i));
      apps.delete("tenant", "app-" + i);
      apps.modify(
          "tenant", "app-" + i, a -> a.withMetadata(a.metadata().withFinalizers(List.of())));
      assertThat(apps.get("tenant", "app-" + i)).isEmpty();
    }

    // a watch behind the writes decodes their events and then sees the deletions: none stays
    await().until(() -> apps.decodeCacheSize() == 0);
    watch.close();
  }

  @Test
  void deletionsSeenByAWatchLeaveNothingInTheDecodeCache() {
    Applications otherHost = new Applications(store, clock);
    AtomicInteger deleted = new AtomicInteger();
    Watch watch =
        apps.watch(
            0,
            new ResourceListener<>() {
              @Override
              public void onEvent(ResourceEvent<Application> event) {
                if (event.type() == WatchEvent.Type.DELETED) {
                  deleted.incrementAndGet();
                }
              }

              @Override
              public void onCompacted(long compactRevision) {}

              @Override
              public void onClosed(KrakeException cause) {}
            });
    try {
      for (int i = 0; i < APPLICATIONS; i++) {
        otherHost.create(app(i));
        otherHost.forceDelete("tenant", "app-" + i);
      }
      await().until(() -> deleted.get() == APPLICATIONS);
    } finally {
      watch.close();
    }

    assertThat(apps.decodeCacheSize()).isZero();
  }

  @Test
  void aWatchLosingHistoryToACompactionDropsWhatItCouldNotSeeDeleted() {
    Watch other = watchAll();
    for (int i = 0; i < 10; i++) {
      apps.create(app(i));
      apps.get("tenant", "app-" + i);
    }
    long before = store.revision();
    for (int i = 0; i < 10; i++) {
      // Deleted behind the typed layer's back (another host, without a watch open here).
      String key = ResourceType.APPLICATION.keys().key("tenant", "app-" + i);
      store.delete(key, store.get(key).orElseThrow().modRevision());
    }
    store.compact(store.revision());
    AtomicLong compacted = new AtomicLong();

    Watch watch =
        apps.watch(
            before,
            new ResourceListener<>() {
              @Override
              public void onEvent(ResourceEvent<Application> event) {}

              @Override
              public void onCompacted(long compactRevision) {
                compacted.set(compactRevision);
              }

              @Override
              public void onClosed(KrakeException cause) {}
            });
    try {
      await().until(() -> compacted.get() > 0);
      assertThat(apps.decodeCacheSize()).isZero();
    } finally {
      watch.close();
      other.close();
    }
  }

  /**
   * Watches that record the DELETED events they deliver; each holds its first event until {@code
   * release} opens, so that none delivers a later one before the test's writes have returned.
   */
  private List<Watch> deletionWatches(List<List<Application>> into, CountDownLatch release) {
    List<Watch> watches = new ArrayList<>();
    for (List<Application> deletions : into) {
      watches.add(
          apps.watch(
              0,
              new ResourceListener<>() {
                @Override
                public void onEvent(ResourceEvent<Application> event) {
                  if (event.type() == WatchEvent.Type.ADDED) {
                    awaitRelease(release);
                  }
                  if (event.type() == WatchEvent.Type.DELETED) {
                    deletions.add(event.resource());
                  }
                }

                @Override
                public void onCompacted(long compactRevision) {}

                @Override
                public void onClosed(KrakeException cause) {}
              }));
    }
    return watches;
  }

  @Test
  void theWatchesOfTheRemovingLayerDeliverItsLastResourceInsteadOfDecodingTheDeletedDocument() {
    List<List<Application>> seen =
        List.of(
            new CopyOnWriteArrayList<>(),
            new CopyOnWriteArrayList<>(),
            new CopyOnWriteArrayList<>());
    CountDownLatch release = new CountDownLatch(1);
    List<Watch> watches = deletionWatches(seen, release);
    try {
      Application input = app(0);
      apps.create(input);
      apps.delete("tenant", "app-0");
      KeyValue last = store.get(KEY_0).orElseThrow();
      Application removed =
          apps.modify(
              "tenant", "app-0", a -> a.withMetadata(a.metadata().withFinalizers(List.of())));
      release.countDown();
      await().until(() -> seen.stream().allMatch(l -> l.size() == 1));

      Application delivered = seen.get(0).get(0);
      for (List<Application> deletions : seen) {
        assertThat(deletions.get(0)).isSameAs(delivered);
      }
      // not decoded: a decoding would hold new trees, not the very spec the caller passed in
      assertThat(delivered.spec()).isSameAs(input.spec());
      assertThat(delivered.metadata().revision()).isEqualTo(removed.metadata().revision());
      assertThat(delivered.metadata().finalizers()).isNotEmpty();
      // what a decoding of the deleted document gives, as a layer without the record decodes it
      assertThat(delivered).isEqualTo(decodedDeletion(last, delivered.metadata().revision()));
      assertThat(apps.decodeCache().removalsSize()).isZero();
    } finally {
      watches.forEach(Watch::close);
    }
  }

  @Test
  void theWatchesOfALayerShareOneDecodingOfADeletionMadeElsewhere() {
    Applications otherHost = new Applications(store, clock);
    List<List<Application>> seen =
        List.of(
            new CopyOnWriteArrayList<>(),
            new CopyOnWriteArrayList<>(),
            new CopyOnWriteArrayList<>());
    CountDownLatch release = new CountDownLatch(1);
    List<Watch> watches = deletionWatches(seen, release);
    try {
      Application input = app(0);
      otherHost.create(input);
      KeyValue last = store.get(KEY_0).orElseThrow();
      otherHost.forceDelete("tenant", "app-0");
      release.countDown();
      await().until(() -> seen.stream().allMatch(l -> l.size() == 1));

      Application delivered = seen.get(0).get(0);
      for (List<Application> deletions : seen) {
        assertThat(deletions.get(0)).isSameAs(delivered);
      }
      assertThat(delivered.spec()).isNotSameAs(input.spec()).isEqualTo(input.spec());
      assertThat(delivered).isEqualTo(decodedDeletion(last, delivered.metadata().revision()));
      assertThat(apps.decodeCache().removalsSize()).isZero();
    } finally {
      watches.forEach(Watch::close);
    }
  }

  @Test
  void deletionsKeptForWatchesAreBoundedAndDroppedWithTheWatch() {
    Watch watch = watchAll();
    Watch second = watchAll();
    // a removal whose watches never deliver it (as one that lags far behind) is kept at most
    // REMOVALS_LIMIT times
    for (int i = 0; i < 3 * DecodeCache.REMOVALS_LIMIT; i++) {
      apps.decodeCache()
          .removed(ResourceType.APPLICATION.keys().key("tenant", "gone-" + i), app(i), 1_000 + i);
    }
    assertThat(apps.decodeCache().removalsSize()).isEqualTo(DecodeCache.REMOVALS_LIMIT);

    second.close();

    assertThat(apps.decodeCache().removalsSize()).isZero();
    watch.close();
  }

  private static void awaitRelease(CountDownLatch release) {
    try {
      if (!release.await(30, TimeUnit.SECONDS)) {
        throw new AssertionError("the test never released the watch");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static final String KEY_0 = ResourceType.APPLICATION.keys().key("tenant", "app-0");

  /** The DELETED event of {@code last}'s removal at {@code revision}, decoded. */
  private static Application decodedDeletion(KeyValue last, long revision) {
    return ResourceType.APPLICATION.decode(
        new KeyValue(last.key(), last.value(), last.createRevision(), revision, 0));
  }
}
