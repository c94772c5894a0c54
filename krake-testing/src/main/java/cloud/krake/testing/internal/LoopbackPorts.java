package cloud.krake.testing.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free loopback ports for the fixtures that start servers (etcd, Prometheus, control planes).
 *
 * <p>A port is chosen before the server process binds it, so something else could take it in
 * between. The kernel gives the local end of every outgoing connection a port of its ephemeral
 * range ({@code /proc/sys/net/ipv4/ip_local_port_range}, 32768–60999 by default on Linux), and a
 * test run opens thousands of connections: a port of that range chosen for a server can be taken by
 * a client socket before the server starts ({@code bind: address already in use}, seen once with
 * {@code kube-apiserver}). So ports are taken below the ephemeral range, from {@value #LOWEST} up,
 * where the kernel never puts a client socket; each call continues after the ports the previous one
 * returned (from a random start), so fixtures of one JVM do not get the same port twice. Where the
 * range cannot be read or leaves too little room below it, the kernel picks (port 0), as before.
 */
public final class LoopbackPorts {

  /** The lowest port handed out below the ephemeral range. */
  static final int LOWEST = 10_000;

  /**
   * The first port of Kubernetes' default NodePort range (30000–32767): the local kubelet's
   * kube-proxy relays bind NodePorts on the host, so fixtures stay below it.
   */
  static final int NODE_PORTS = 30_000;

  private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

  private static int next = -1; // guarded by LoopbackPorts.class

  private LoopbackPorts() {}

  /**
   * Returns {@code count} distinct free ports on the loopback address: every socket is held until
   * all are known, so no port is returned twice in one call.
   *
   * @param count how many ports; at least one
   * @throws IOException if a socket cannot be bound
   */
  public static int[] free(int count) throws IOException {
    return free(count, ephemeralLow());
  }

  /**
   * As {@link #free(int)}, below {@code ephemeralLow}; with an empty bound, the kernel's choice.
   */
  static synchronized int[] free(int count, OptionalInt ephemeralLow) throws IOException {
    if (count < 1) {
      throw new IllegalArgumentException("count must be at least 1: " + count);
    }
    InetAddress loopback = InetAddress.getLoopbackAddress();
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      int[] ports = new int[count];
      if (ephemeralLow.isEmpty()
          || Math.min(ephemeralLow.getAsInt(), NODE_PORTS) - LOWEST < 100 * count) {
        for (int i = 0; i < count; i++) {
          ServerSocket socket = new ServerSocket(0, 1, loopback);
          sockets.add(socket);
          ports[i] = socket.getLocalPort();
        }
        return ports;
      }
      int size = Math.min(ephemeralLow.getAsInt(), NODE_PORTS) - LOWEST;
      if (next < LOWEST || next >= LOWEST + size) {
        next = LOWEST + ThreadLocalRandom.current().nextInt(size);
      }
      int found = 0;
      for (int tried = 0; found < count && tried < size; tried++) {
        int port = next;
        next = next + 1 >= LOWEST + size ? LOWEST : next + 1;
        ServerSocket socket = new ServerSocket();
        try {
          socket.bind(new InetSocketAddress(loopback, port), 1);
        } catch (IOException inUse) {
          socket.close();
          continue;
        }
        sockets.add(socket);
        ports[found++] = port;
      }
      if (found < count) {
        throw new IOException(
            "no " + count + " free loopback ports between " + LOWEST + " and " + (LOWEST + size));
      }
      return ports;
    } finally {
      for (ServerSocket socket : sockets) {
        socket.close();
      }
    }
  }

  /** The lowest port of the kernel's ephemeral range, if it can be read. */
  private static OptionalInt ephemeralLow() {
    try {
      // not readString: the JDK reads a procfs file of size 0 by its size and gets 1 byte
      String[] range = Files.readAllLines(EPHEMERAL_RANGE).get(0).trim().split("\\s+");
      return OptionalInt.of(Integer.parseInt(range[0]));
    } catch (IOException | RuntimeException e) {
      return OptionalInt.empty();
    }
  }
}
