package cloud.krake.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.benchmarks.Profile.Sample;
import cloud.krake.benchmarks.Profile.Samples;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProfileTest {

  private final Samples samples =
      new Samples(
          List.of(
              new Sample(
                  "krake-reconcile-1",
                  List.of(
                      "java.util.HashMap.get",
                      "com.fasterxml.jackson.databind.ObjectMapper.readTree",
                      "cloud.krake.store.Resources.get",
                      "cloud.krake.k8s.ApplicationController.reconcile"),
                  false),
              new Sample(
                  "krake-reconcile-2",
                  List.of("java.util.HashMap.get", "okhttp3.internal.http.RealCall.execute"),
                  false),
              new Sample(
                  "MockWebServer 12345",
                  List.of("sun.security.ssl.SSLEngineImpl.wrap", "java.lang.Thread.run"),
                  true)));

  @Test
  void selfTimeCountsTheTopFrame() {
    assertThat(samples.selfByMethod())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("java.util.HashMap.get", 2L, "sun.security.ssl.SSLEngineImpl.wrap", 1L));
  }

  @Test
  void timeGoesToTheFirstLibraryFrameFromTheTopOrToTheJdk() {
    assertThat(samples.byFirstLibraryFrame())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "cloud.krake.store.Resources.get",
                1L,
                "okhttp3.internal.http.RealCall.execute",
                1L,
                Profile.JDK_ONLY,
                1L));
    assertThat(samples.byFirstLibraryPackage())
        .containsEntry("cloud.krake.store", 1L)
        .containsEntry("okhttp3.internal.http", 1L);
  }

  @Test
  void threadsOfOnePoolAreCountedTogether() {
    assertThat(samples.byThreadGroup())
        .containsExactlyInAnyOrderEntriesOf(Map.of("krake-reconcile-#", 2L, "MockWebServer #", 1L));
    assertThat(samples.truncated()).isEqualTo(1);
  }

  @Test
  void topOrdersByCountThenByName() {
    assertThat(Samples.top(Map.of("b", 2L, "a", 2L, "c", 5L, "d", 1L), 3))
        .extracting(Map.Entry::getKey)
        .containsExactly("c", "a", "b");
  }

  @Test
  void aRecordingOfBusyCodeIsReadBackWithItsFrames(@TempDir Path dir) {
    Profile profile = Profile.start();
    long until = System.nanoTime() + 300_000_000L;
    long sink = 0;
    while (System.nanoTime() < until) {
      sink += busy(sink);
    }

    Samples read = profile.stop(dir.resolve("test.jfr"));

    assertThat(sink).isNotZero();
    assertThat(read.count()).isPositive();
    assertThat(read.byFirstLibraryFrame().keySet())
        .anyMatch(frame -> frame.startsWith("cloud.krake.benchmarks.ProfileTest."));
  }

  private static long busy(long seed) {
    long x = seed | 1;
    for (int i = 0; i < 10_000; i++) {
      x ^= x << 13;
      x ^= x >>> 7;
      x ^= x << 17;
    }
    return x == 0 ? 1 : x;
  }
}
