package cloud.krake.hooks.mangling;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link HookManglingSamplesTest} over Krake's own sample files, read from the directory the {@code
 * krake-samples} Maven profile gives as {@code krake.samples.dir}: every workload manifest Krake
 * publishes, with each of its observer schemas, for each hook combination, TLS on and off.
 */
class HookManglingSamplesConformanceTest {

  static Stream<Arguments> cases() throws IOException {
    return HookManglingSamplesTest.casesIn(
        Mangling.krakeSamples(),
        7,
        List.of(
            "echo-demo-observer-schema-custom-1.yaml",
            "echo-demo-observer-schema-standard.yaml",
            "hook-shutdown-observer.yaml",
            "pvc-pod-observer-schema.yaml"));
  }

  @ParameterizedTest(name = "{1} with {2} schema, hooks {3}, tls {4}")
  @MethodSource("cases")
  void manglingItsOwnOutputAgainChangesNothing(
      Path dir, String manifestFile, String schemaFile, List<String> hooks, boolean tls) {
    HookManglingSamplesTest.assertManglingIsIdempotent(dir, manifestFile, schemaFile, hooks, tls);
  }
}
