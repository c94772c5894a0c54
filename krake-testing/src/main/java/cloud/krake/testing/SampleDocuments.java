package cloud.krake.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Realistic stored documents for store tests and benchmarks, where an 80-byte value hides what an
 * application's real size costs (Nagle's algorithm stalled each etcd write of one by ~40 ms).
 */
public final class SampleDocuments {

  private static final String RUNNING_APPLICATION = "running-application.json";

  private SampleDocuments() {}

  /**
   * Returns a RUNNING application exactly as the typed layer stores it: 23,580 bytes of JSON, taken
   * from the controller load test (a Deployment and a NodePort Service with Krake's complete and
   * shutdown hooks over TLS, so its status holds the manifest three times, the mangled observer
   * schema, and both hooks' tokens, certificates and Secrets). Private keys and tokens are replaced
   * by placeholders of the same length. A new array on every call.
   *
   * @throws UncheckedIOException if the resource cannot be read
   */
  public static byte[] runningApplication() {
    try (InputStream in = SampleDocuments.class.getResourceAsStream(RUNNING_APPLICATION)) {
      if (in == null) {
        throw new UncheckedIOException(new IOException("missing resource " + RUNNING_APPLICATION));
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
