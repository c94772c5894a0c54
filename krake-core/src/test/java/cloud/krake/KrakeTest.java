package cloud.krake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.krake.dispatcher.DispatcherHookPoint;
import cloud.krake.model.FieldError;
import cloud.krake.store.KeyValue;
import cloud.krake.store.Page;
import cloud.krake.store.PageRequest;
import cloud.krake.store.Store;
import cloud.krake.store.Watch;
import cloud.krake.store.WatchListener;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class KrakeTest {

  /** The builder needs a store object; these tests never call it. */
  private static final Store UNUSED_STORE =
      new Store() {
        @Override
        public Optional<KeyValue> get(String key) {
          throw new AssertionError("not called");
        }

        @Override
        public Page list(String prefix, PageRequest request) {
          throw new AssertionError("not called");
        }

        @Override
        public KeyValue create(String key, byte[] value) {
          throw new AssertionError("not called");
        }

        @Override
        public KeyValue update(String key, byte[] value, long expectedRevision) {
          throw new AssertionError("not called");
        }

        @Override
        public long delete(String key, long expectedRevision) {
          throw new AssertionError("not called");
        }

        @Override
        public long revision() {
          throw new AssertionError("not called");
        }

        @Override
        public Watch watch(String prefix, long fromRevision, WatchListener listener) {
          throw new AssertionError("not called");
        }

        @Override
        public void compact(long revision) {
          throw new AssertionError("not called");
        }

        @Override
        public void close() {}
      };

  @Test
  void buildRequiresAStoreAndNamesIt() {
    assertThatThrownBy(() -> Krake.builder().build())
        .isInstanceOfSatisfying(
            InvalidConfigurationException.class,
            e -> assertThat(e.errors()).extracting(FieldError::field).containsExactly("store"));
  }

  @Test
  void hostHandlersRegisteredOnTheBuilderReachTheDispatcherInOrder() {
    Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

    Krake krake =
        Krake.builder()
            .store(UNUSED_STORE)
            .clock(clock)
            .dispatcherHook(DispatcherHookPoint.APPLICATION_MANGLING, "host-first", ctx -> ctx)
            .dispatcherHook(DispatcherHookPoint.APPLICATION_MANGLING, "host-second", ctx -> ctx)
            .build();

    assertThat(krake.dispatcher().handlers(DispatcherHookPoint.APPLICATION_MANGLING))
        .containsExactly("host-first", "host-second");
    assertThat(krake.clock()).isSameAs(clock);
    assertThat(krake.store()).isSameAs(UNUSED_STORE);
    assertThat(krake.applications().type().type().getSimpleName()).isEqualTo("Application");
  }
}
