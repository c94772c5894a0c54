package cloud.krake.testing.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class LoopbackPortsTest {

  @Test
  void portsAreTakenBelowTheEphemeralAndTheNodePortRanges() throws IOException {
    int[] ports = LoopbackPorts.free(5, OptionalInt.of(32768));

    assertThat(boxed(ports)).hasSize(5).allSatisfy(p -> assertThat(p).isBetween(10_000, 29_999));
    assertThat(Arrays.stream(ports).distinct().count()).isEqualTo(5);
  }

  @Test
  void onThisMachineThePortsAreFreeAndBelowItsEphemeralRange() throws IOException {
    int low =
        Integer.parseInt(
            Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))
                .get(0)
                .trim()
                .split("\\s+")[0]);

    int[] ports = LoopbackPorts.free(3);

    assertThat(boxed(ports))
        .allSatisfy(p -> assertThat(p).isBetween(10_000, Math.min(low, 30_000) - 1));
    assertThat(boxed(ports)).allSatisfy(LoopbackPortsTest::bindable);
  }

  @Test
  void successiveCallsDoNotHandOutTheSamePortAgain() throws IOException {
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 20; i++) {
      IntStream.of(LoopbackPorts.free(3, OptionalInt.of(32768)))
          .forEach(p -> assertThat(seen.add(p)).as("port %d handed out twice", p).isTrue());
    }
  }

  @Test
  void aPortInUseIsSkipped() throws IOException {
    int[] first = LoopbackPorts.free(1, OptionalInt.of(32768));
    // the next call starts right after it: hold the port after it so that it must be skipped
    int held = first[0] + 1 < 30_000 ? first[0] + 1 : 10_000;
    try (ServerSocket socket = new ServerSocket(held, 1, InetAddress.getLoopbackAddress())) {
      int[] next = LoopbackPorts.free(1, OptionalInt.of(32768));

      assertThat(next[0]).isNotEqualTo(socket.getLocalPort());
    }
  }

  @Test
  void withoutARangeTheKernelChooses() throws IOException {
    assertThat(boxed(LoopbackPorts.free(2, OptionalInt.empty())))
        .allSatisfy(p -> assertThat(p).isPositive());
  }

  @Test
  void refusesACountBelowOne() {
    assertThatThrownBy(() -> LoopbackPorts.free(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("count");
  }

  private static java.util.List<Integer> boxed(int[] ports) {
    return Arrays.stream(ports).boxed().toList();
  }

  private static void bindable(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      assertThat(socket.getLocalPort()).isEqualTo(port);
    } catch (IOException e) {
      throw new AssertionError("port " + port + " is not free", e);
    }
  }
}
