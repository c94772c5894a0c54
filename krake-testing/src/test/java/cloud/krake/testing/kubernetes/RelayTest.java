package cloud.krake.testing.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RelayTest {
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  private final ExecutorService upstreams = Executors.newCachedThreadPool();
  private Relay relay;

  @TempDir Path directory;

  @AfterEach
  void close() {
    if (relay != null) {
      relay.close();
    }
    upstreams.shutdownNow();
  }

  /** An upstream that reads everything until end of stream, then answers it upper-cased. */
  private ServerSocket shouting() throws IOException {
    ServerSocket server = new ServerSocket(0, 8, LOOPBACK);
    upstreams.execute(
        () -> {
          while (!server.isClosed()) {
            try (Socket socket = server.accept()) {
              String text = new String(socket.getInputStream().readAllBytes(), UTF8);
              socket.getOutputStream().write(text.toUpperCase().getBytes(UTF8));
            } catch (IOException e) {
              return;
            }
          }
        });
    return server;
  }

  private static final java.nio.charset.Charset UTF8 = StandardCharsets.UTF_8;

  @Test
  void relaysBothWaysAndPassesEndOfStreamOn() throws Exception {
    relay = new Relay("relay-test");
    try (ServerSocket upstream = shouting()) {
      Relay.Listener listener =
          relay.listen(
              new InetSocketAddress(LOOPBACK, 0),
              () -> Optional.of(upstream.getLocalSocketAddress()));
      int port = boundPort(listener);
      String big = "relayed ".repeat(40_000); // larger than a relay buffer

      String answer = roundTrip(new InetSocketAddress(LOOPBACK, port), big);

      assertThat(answer).isEqualTo(big.toUpperCase());
    }
  }

  @Test
  void servesAUnixSocketRelayingToTcp() throws Exception {
    relay = new Relay("relay-test");
    try (ServerSocket upstream = shouting()) {
      UnixDomainSocketAddress socket = UnixDomainSocketAddress.of(directory.resolve("h.sock"));
      relay.listen(socket, () -> Optional.of(upstream.getLocalSocketAddress()));

      assertThat(roundTrip(socket, "through a unix socket")).isEqualTo("THROUGH A UNIX SOCKET");
    }
  }

  @Test
  void closesTheClientWhenThereIsNoTarget() throws Exception {
    relay = new Relay("relay-test");
    Relay.Listener listener =
        relay.listen(new InetSocketAddress(LOOPBACK, 0), Optional::<SocketAddress>empty);

    try (Socket client = new Socket(LOOPBACK, boundPort(listener))) {
      client.setSoTimeout(5000);
      assertThat(client.getInputStream().read()).isEqualTo(-1);
    }
  }

  @Test
  void stopsListeningWhenTheListenerIsClosed() throws Exception {
    relay = new Relay("relay-test");
    Relay.Listener listener =
        relay.listen(new InetSocketAddress(LOOPBACK, 0), Optional::<SocketAddress>empty);
    int port = boundPort(listener);

    listener.close();

    try (ServerSocket again = new ServerSocket()) {
      again.setReuseAddress(true);
      again.bind(new InetSocketAddress(LOOPBACK, port));
      assertThat(again.isBound()).isTrue();
    }
  }

  private String roundTrip(SocketAddress address, String text) throws Exception {
    try (SocketChannel channel =
        SocketChannel.open(
            address instanceof UnixDomainSocketAddress
                ? StandardProtocolFamily.UNIX
                : StandardProtocolFamily.INET)) {
      channel.connect(address);
      CompletableFuture<Void> writing =
          CompletableFuture.runAsync(
              () -> {
                try {
                  ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(UTF8));
                  while (bytes.hasRemaining()) {
                    channel.write(bytes);
                  }
                  channel.shutdownOutput();
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              },
              upstreams);
      java.io.ByteArrayOutputStream answer = new java.io.ByteArrayOutputStream();
      ByteBuffer buffer = ByteBuffer.allocate(8192);
      while (channel.read(buffer) >= 0) {
        answer.write(buffer.array(), 0, buffer.position());
        buffer.clear();
      }
      writing.get(10, TimeUnit.SECONDS);
      return answer.toString(UTF8);
    }
  }

  private static int boundPort(Relay.Listener listener) throws IOException {
    return listener.port();
  }
}
