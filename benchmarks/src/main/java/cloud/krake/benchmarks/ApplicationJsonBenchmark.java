package cloud.krake.benchmarks;

import cloud.krake.model.Application;
import cloud.krake.model.KrakeJson;
import cloud.krake.testing.SampleDocuments;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Decoding and encoding a stored RUNNING application (the 23,580-byte {@link
 * SampleDocuments#runningApplication()}: manifest, last applied and last observed manifests,
 * mangled observer schema), the library next to plain Jackson on the same bytes in the same run.
 *
 * <ul>
 *   <li>{@code decode}: {@link KrakeJson#read(byte[], Class)} to an {@link Application}; baseline
 *       {@code decodeTree}, Jackson's {@code readTree} of the same bytes (a mutable tree, no
 *       model).
 *   <li>{@code encode}: {@link KrakeJson#writeBytes} of the decoded application, written before (as
 *       a stored application is written again by its next updates); baseline {@code encodeTree},
 *       Jackson's {@code writeValueAsBytes} of the tree.
 *   <li>{@code decodeEncode}: a decoding followed by the first write of what it decoded (the write
 *       after a read that missed the decode cache); baseline {@code decodeEncodeTree}.
 * </ul>
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar ApplicationJson -prof gc}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
public class ApplicationJsonBenchmark {

  private static final ObjectMapper PLAIN = new ObjectMapper();

  private byte[] stored;
  private Application application;
  private JsonNode tree;

  /** Reads the sample and decodes it once for the encoding benchmarks. */
  @Setup
  public void setUp() throws IOException {
    stored = SampleDocuments.runningApplication();
    application = KrakeJson.read(stored, Application.class);
    KrakeJson.writeBytes(application);
    KrakeJson.writeBytes(application);
    tree = PLAIN.readTree(stored);
  }

  /** The library's decoding of the stored bytes. */
  @Benchmark
  public Application decode() {
    return KrakeJson.read(stored, Application.class);
  }

  /** Baseline: Jackson's tree of the same bytes. */
  @Benchmark
  public JsonNode decodeTree() throws IOException {
    return PLAIN.readTree(stored);
  }

  /** The library's encoding of an application decoded and written before. */
  @Benchmark
  public byte[] encode() {
    return KrakeJson.writeBytes(application);
  }

  /** Baseline: Jackson's encoding of the tree of the same bytes. */
  @Benchmark
  public byte[] encodeTree() throws IOException {
    return PLAIN.writeValueAsBytes(tree);
  }

  /** A decoding and the first encoding of what it decoded. */
  @Benchmark
  public byte[] decodeEncode() {
    return KrakeJson.writeBytes(KrakeJson.read(stored, Application.class));
  }

  /** Baseline: Jackson's tree of the bytes, encoded. */
  @Benchmark
  public byte[] decodeEncodeTree() throws IOException {
    return PLAIN.writeValueAsBytes(PLAIN.readTree(stored));
  }
}
