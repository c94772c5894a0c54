package cloud.krake.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Krake's wire format, pinned: every stored document shape has a golden JSON document under {@code
 * src/test/resources/cloud/krake/model/wire}, written by the model as it was before the records
 * were reshaped (issue 14). Each golden is read as the store reads it ({@link
 * KrakeJson#read(byte[], Class)}) and written as the store writes it ({@link
 * KrakeJson#writeBytes(Object)}); the bytes must not change. A golden is never regenerated to make
 * this test pass: a difference is a change of the stored format, which Krake (and older Krake for
 * Java) instances read.
 *
 * <p>The {@code *-multi-entry*} goldens hold maps of several entries (labels, services, metrics
 * reasons, static metrics) in an order that is neither sorted nor a hash order: a map must be
 * written in the order it was read, as Krake's dicts are, in every JVM run (an immutable {@code
 * Map.copyOf} copy iterates in an order salted per run).
 */
class WireFormatTest {

  private static final String DIRECTORY = "/cloud/krake/model/wire";

  static List<Path> goldens() {
    try (Stream<Path> files =
        Files.list(Path.of(WireFormatTest.class.getResource(DIRECTORY).toURI()))) {
      return files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String golden(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goldens")
  void readsAndWritesEveryStoredDocumentByteForByte(Path file) {
    String golden = golden(file);
    Class<?> type = KrakeJson.readResource(golden).getClass();

    Object read = KrakeJson.read(golden.getBytes(StandardCharsets.UTF_8), type);
    byte[] written = KrakeJson.writeBytes(read);

    assertThat(new String(written, StandardCharsets.UTF_8)).isEqualTo(golden);
  }

  @Test
  void hasAGoldenForEveryStoredKindAndApplicationWithBothHooksCredentials() {
    Set<Class<?>> kinds =
        goldens().stream()
            .map(f -> KrakeJson.readResource(golden(f)).getClass())
            .collect(Collectors.toSet());

    assertThat(kinds)
        .containsExactlyInAnyOrder(
            Application.class,
            Cluster.class,
            Metric.class,
            GlobalMetric.class,
            MetricsProvider.class,
            GlobalMetricsProvider.class);
    assertThat(goldens())
        .map(WireFormatTest::golden)
        .anySatisfy(
            json ->
                assertThat(KrakeJson.read(json, Application.class).status().toString())
                    .doesNotContain(
                        "Token=Optional.empty", "Cert=Optional.empty", "Key=Optional.empty"));
  }
}
