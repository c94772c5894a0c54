package cloud.krake.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.testing.SampleDocuments;
import java.io.IOException;
import java.net.Socket;
import org.junit.jupiter.api.Test;

/** The benchmark compares like with like: a raw baseline without Nagle, an application's size. */
class EtcdStoreBenchmarkTest {

  @Test
  void theRawBaselinesSocketsSetTcpNoDelayAsTheStoresDo() throws IOException {
    try (Socket socket = EtcdStoreBenchmark.noDelay().createSocket()) {
      assertThat(socket.getTcpNoDelay()).isTrue();
    }
  }

  @Test
  void theValueIsAnApplicationSizedDocument() {
    assertThat(SampleDocuments.runningApplication().length).isGreaterThan(23 * 1024);
  }
}
