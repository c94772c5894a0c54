package cloud.krake.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.runtime.KrakeExecutors;
import java.time.Duration;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

class SharedHttpClientTest {

  @Test
  void oneClientPerExecutorsAndDerivedClientsShareItsPool() {
    try (KrakeExecutors executors = KrakeExecutors.create()) {
      OkHttpClient shared = SharedHttpClient.of(executors);
      OkHttpClient derived = shared.newBuilder().callTimeout(Duration.ofSeconds(5)).build();

      assertThat(SharedHttpClient.of(executors)).isSameAs(shared);
      assertThat(derived.connectionPool()).isSameAs(shared.connectionPool());
      assertThat(derived.dispatcher()).isSameAs(shared.dispatcher());
    }
  }

  @Test
  void closingTheExecutorsShutsDownTheClientsDispatcher() {
    KrakeExecutors executors = KrakeExecutors.create();
    OkHttpClient shared = SharedHttpClient.of(executors);

    executors.close();

    assertThat(shared.dispatcher().executorService().isShutdown()).isTrue();
    assertThat(executors.created()).containsExactly(SharedHttpClient.NAME);
  }
}
