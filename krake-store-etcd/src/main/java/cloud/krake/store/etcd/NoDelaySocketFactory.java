package cloud.krake.store.etcd;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import javax.net.SocketFactory;

/**
 * Plain sockets with {@code TCP_NODELAY} set, so that Nagle's algorithm never holds back a request.
 * okhttp writes a request's headers and its body separately; with Nagle, the last partial segment
 * of a body larger than one segment waits for the server's delayed ACK (about 40 ms on Linux),
 * which capped a compare-and-set of a 23 KiB document at about 20 per second per thread. Under TLS
 * okhttp layers its {@code SSLSocket} over these sockets, so the option holds there too.
 * Thread-safe.
 */
final class NoDelaySocketFactory extends SocketFactory {
  static final NoDelaySocketFactory INSTANCE = new NoDelaySocketFactory();

  private final SocketFactory plain = SocketFactory.getDefault();

  private NoDelaySocketFactory() {}

  private static Socket noDelay(Socket socket) throws IOException {
    socket.setTcpNoDelay(true);
    return socket;
  }

  @Override
  public Socket createSocket() throws IOException {
    return noDelay(plain.createSocket());
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return noDelay(plain.createSocket(host, port));
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
      throws IOException {
    return noDelay(plain.createSocket(host, port, localHost, localPort));
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return noDelay(plain.createSocket(host, port));
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
      throws IOException {
    return noDelay(plain.createSocket(address, port, localAddress, localPort));
  }
}
