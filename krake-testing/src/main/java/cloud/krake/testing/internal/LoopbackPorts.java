package cloud.krake.testing.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/** Free loopback ports for the fixtures that start servers (etcd, Prometheus, control planes). */
public final class LoopbackPorts {

  private LoopbackPorts() {}

  /**
   * Returns {@code count} distinct free ports on the loopback address: every socket is held until
   * all are known, so no port is returned twice.
   *
   * @param count how many ports; at least one
   * @throws IOException if a socket cannot be bound
   */
  public static int[] free(int count) throws IOException {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      int[] ports = new int[count];
      for (int i = 0; i < count; i++) {
        ServerSocket socket = new ServerSocket(0, 1, loopback);
        sockets.add(socket);
        ports[i] = socket.getLocalPort();
      }
      return ports;
    } finally {
      for (ServerSocket socket : sockets) {
        socket.close();
      }
    }
  }
}
