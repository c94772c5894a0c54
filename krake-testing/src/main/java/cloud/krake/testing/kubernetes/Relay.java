package cloud.krake.testing.kubernetes;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A byte relay for the local kubelet's network: listeners on TCP or Unix-domain sockets whose
 * connections are forwarded, both ways and with half-close, to a target chosen per connection.
 * Everything runs on one selector thread (non-blocking I/O), so any number of listeners and
 * connections cost one thread.
 *
 * <p>Thread-safe: {@link #listen} and {@link Listener#close} may be called from any thread. A
 * target supplier runs on the relay's thread and must not block. A connection whose target is
 * absent or refuses is closed (the client sees end of stream).
 */
final class Relay implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Relay.class);

  /** Bytes buffered per direction of a connection. */
  static final int BUFFER_BYTES = 64 * 1024;

  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(2);

  private final Selector selector;
  private final Thread thread;
  private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private volatile boolean closed;

  /**
   * Starts the relay's thread.
   *
   * @throws IOException if no selector can be opened
   */
  Relay(String threadName) throws IOException {
    this.selector = Selector.open();
    this.thread = new Thread(this::loop, threadName);
    thread.setDaemon(true);
    thread.start();
  }

  /** A listening socket of the relay. */
  final class Listener implements AutoCloseable {
    private final ServerSocketChannel channel;
    private final Supplier<Optional<SocketAddress>> target;
    private final Path socketFile;

    private Listener(
        ServerSocketChannel channel, Supplier<Optional<SocketAddress>> target, Path socketFile) {
      this.channel = channel;
      this.target = target;
      this.socketFile = socketFile;
    }

    /** The TCP port it listens on. */
    int port() throws IOException {
      return ((java.net.InetSocketAddress) channel.getLocalAddress()).getPort();
    }

    /** Stops listening (connections already relayed go on); idempotent. */
    @Override
    public void close() {
      try {
        channel.close();
        if (socketFile != null) {
          Files.deleteIfExists(socketFile);
        }
      } catch (IOException e) {
        log.debug("cannot close listener: {}", e.getMessage());
      }
      selector.wakeup();
    }
  }

  /**
   * Listens at {@code address} (a TCP address, bound with {@code SO_REUSEADDR}, or a {@link
   * UnixDomainSocketAddress}, whose file is deleted first and on close) and relays every accepted
   * connection to the address {@code target} returns for it.
   *
   * @throws IOException if the address cannot be bound (a {@link java.net.BindException} when it is
   *     in use)
   * @throws IllegalStateException if the relay is closed
   */
  Listener listen(SocketAddress address, Supplier<Optional<SocketAddress>> target)
      throws IOException {
    if (closed) {
      throw new IllegalStateException("the relay is closed");
    }
    ServerSocketChannel server;
    Path socketFile = null;
    if (address instanceof UnixDomainSocketAddress unix) {
      socketFile = unix.getPath();
      Files.deleteIfExists(socketFile);
      server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    } else {
      server = ServerSocketChannel.open();
      server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
    }
    try {
      server.bind(address, 128);
      server.configureBlocking(false);
    } catch (IOException | RuntimeException e) {
      server.close();
      throw e;
    }
    Listener listener = new Listener(server, target, socketFile);
    submit(
        () -> {
          try {
            server.register(selector, SelectionKey.OP_ACCEPT, listener);
          } catch (IOException | RuntimeException e) {
            listener.close(); // closed meanwhile
          }
        });
    return listener;
  }

  private void submit(Runnable task) {
    tasks.add(task);
    selector.wakeup();
  }

  /** Closes every listener and connection and stops the thread (waits up to 2 s); idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    selector.wakeup();
    try {
      thread.join(CLOSE_TIMEOUT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void loop() {
    try {
      while (!closed) {
        selector.select();
        Runnable task;
        while ((task = tasks.poll()) != null) {
          task.run();
        }
        for (SelectionKey key : selector.selectedKeys()) {
          handle(key);
        }
        selector.selectedKeys().clear();
      }
    } catch (IOException | ClosedSelectorException e) {
      log.warn("relay {} failed", thread.getName(), e);
    } finally {
      for (SelectionKey key : new ArrayList<>(selector.keys())) {
        if (key.attachment() instanceof Listener listener) {
          listener.close();
        } else if (key.attachment() instanceof Connection connection) {
          connection.close();
        }
      }
      try {
        selector.close();
      } catch (IOException e) {
        // nothing left to do
      }
    }
  }

  private void handle(SelectionKey key) {
    Object attachment = key.attachment();
    try {
      if (attachment instanceof Listener listener) {
        if (key.isValid() && key.isAcceptable()) {
          accept(listener);
        }
      } else if (attachment instanceof Connection connection) {
        connection.handle(key);
      }
    } catch (IOException | CancelledKeyException e) {
      if (attachment instanceof Connection connection) {
        log.debug("relayed connection ended: {}", e.toString());
        connection.close();
      }
    }
  }

  private void accept(Listener listener) throws IOException {
    SocketChannel client = listener.channel.accept();
    if (client == null) {
      return;
    }
    Optional<SocketAddress> target;
    try {
      target = listener.target.get();
    } catch (RuntimeException e) {
      log.warn("relay target lookup failed", e);
      target = Optional.empty();
    }
    if (target.isEmpty()) {
      client.close();
      return;
    }
    client.configureBlocking(false);
    SocketChannel upstream =
        target.get() instanceof UnixDomainSocketAddress
            ? SocketChannel.open(StandardProtocolFamily.UNIX)
            : SocketChannel.open();
    Connection connection = new Connection(client, upstream);
    try {
      noDelay(client);
      noDelay(upstream);
      upstream.configureBlocking(false);
      connection.clientKey = client.register(selector, 0, connection);
      connection.upstreamKey = upstream.register(selector, 0, connection);
      connection.connected = upstream.connect(target.get());
      connection.update();
    } catch (IOException e) {
      log.debug("cannot relay to {}: {}", target.get(), e.toString());
      connection.close();
    }
  }

  private static void noDelay(SocketChannel channel) throws IOException {
    if (channel.supportedOptions().contains(StandardSocketOptions.TCP_NODELAY)) {
      channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
    }
  }

  /** One relayed connection; confined to the relay's thread. */
  private static final class Connection {
    final SocketChannel client;
    final SocketChannel upstream;
    // Both in "fill" mode: position = bytes waiting to be written to the other side
    final ByteBuffer toUpstream = ByteBuffer.allocate(BUFFER_BYTES);
    final ByteBuffer toClient = ByteBuffer.allocate(BUFFER_BYTES);
    SelectionKey clientKey;
    SelectionKey upstreamKey;
    boolean connected;
    boolean clientEof;
    boolean upstreamEof;
    boolean clientOutputShut;
    boolean upstreamOutputShut;
    boolean closed;

    Connection(SocketChannel client, SocketChannel upstream) {
      this.client = client;
      this.upstream = upstream;
    }

    void handle(SelectionKey key) throws IOException {
      if (closed || !key.isValid()) {
        return;
      }
      boolean fromClient = key.channel() == client;
      if (!fromClient && key.isConnectable()) {
        connected = upstream.finishConnect();
      }
      if (key.isValid() && key.isReadable()) {
        ByteBuffer buffer = fromClient ? toUpstream : toClient;
        if (((SocketChannel) key.channel()).read(buffer) < 0) {
          if (fromClient) {
            clientEof = true;
          } else {
            upstreamEof = true;
          }
        }
      }
      if (key.isValid() && key.isWritable()) {
        ByteBuffer buffer = fromClient ? toClient : toUpstream;
        buffer.flip();
        ((SocketChannel) key.channel()).write(buffer);
        buffer.compact();
      }
      update();
    }

    /** Propagates end of stream once its bytes are out, and sets what to wait for next. */
    void update() throws IOException {
      if (closed) {
        return;
      }
      if (clientEof && toUpstream.position() == 0 && !upstreamOutputShut && connected) {
        upstream.shutdownOutput();
        upstreamOutputShut = true;
      }
      if (upstreamEof && toClient.position() == 0 && !clientOutputShut) {
        client.shutdownOutput();
        clientOutputShut = true;
      }
      if (clientOutputShut && upstreamOutputShut) {
        close();
        return;
      }
      int clientOps = 0;
      int upstreamOps;
      if (connected) {
        if (!clientEof && toUpstream.hasRemaining()) {
          clientOps |= SelectionKey.OP_READ;
        }
        upstreamOps = 0;
        if (!upstreamEof && toClient.hasRemaining()) {
          upstreamOps |= SelectionKey.OP_READ;
        }
        if (toUpstream.position() > 0) {
          upstreamOps |= SelectionKey.OP_WRITE;
        }
      } else {
        upstreamOps = SelectionKey.OP_CONNECT;
      }
      if (toClient.position() > 0) {
        clientOps |= SelectionKey.OP_WRITE;
      }
      clientKey.interestOps(clientOps);
      upstreamKey.interestOps(upstreamOps);
    }

    void close() {
      closed = true;
      for (SocketChannel channel : new SocketChannel[] {client, upstream}) {
        try {
          channel.close();
        } catch (IOException e) {
          // closing anyway
        }
      }
    }
  }
}
