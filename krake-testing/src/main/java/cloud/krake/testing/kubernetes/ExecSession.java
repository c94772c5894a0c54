package cloud.krake.testing.kubernetes;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.ByteString;

/**
 * The server side of one {@code pods/exec} WebSocket in Kubernetes' channel protocol ({@code
 * v4.channel.k8s.io}, {@code v5.channel.k8s.io}): every binary message starts with its channel, 0
 * stdin (client to server), 1 stdout, 2 stderr, 3 the final {@code Status} (JSON: {@code Success},
 * or {@code Failure} with reason {@code NonZeroExitCode} and the exit code as the cause {@code
 * ExitCode}), 4 terminal resize (ignored); v5 adds 255, whose {@code [255, 0]} closes stdin. After
 * the status the server closes the socket (1000), as the kubelet's stream server does.
 *
 * <p>Threading: okhttp calls the listener methods on the socket's reader thread; the output pumps
 * run on the kubelet's I/O pool.
 */
final class ExecSession extends WebSocketListener {
  private final Process process;
  private final boolean stdin;
  private final boolean tty;
  private final boolean v5;
  private final Executor io;
  private final Consumer<Process> onEnd;
  private final AtomicInteger openPumps = new AtomicInteger(2);

  ExecSession(
      Process process,
      boolean stdin,
      boolean tty,
      String protocol,
      Executor io,
      Consumer<Process> onEnd) {
    this.process = process;
    this.stdin = stdin;
    this.tty = tty;
    this.v5 = protocol.equals(LocalKubelet.EXEC_PROTOCOL_V5);
    this.io = io;
    this.onEnd = onEnd;
  }

  @Override
  public void onOpen(WebSocket webSocket, Response response) {
    if (!stdin) {
      closeStdin();
    }
    try {
      io.execute(() -> pump(webSocket, process.getInputStream(), 1));
      io.execute(() -> pump(webSocket, process.getErrorStream(), tty ? 1 : 2));
    } catch (RejectedExecutionException e) {
      process.destroyForcibly();
      webSocket.close(1011, "no I/O thread left");
      onEnd.accept(process);
    }
  }

  private void pump(WebSocket webSocket, InputStream output, int channel) {
    byte[] chunk = new byte[8192];
    try (output) {
      int n;
      while ((n = output.read(chunk, 1, chunk.length - 1)) > 0) {
        chunk[0] = (byte) channel;
        webSocket.send(ByteString.of(chunk, 0, n + 1));
      }
    } catch (IOException e) {
      // the process or the socket went away
    }
    if (openPumps.decrementAndGet() == 0) {
      finish(webSocket);
    }
  }

  private void finish(WebSocket webSocket) {
    int exitCode;
    try {
      exitCode = process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      webSocket.close(1011, "interrupted");
      onEnd.accept(process);
      return;
    }
    byte[] status = Json.bytes(status(exitCode));
    byte[] message = new byte[status.length + 1];
    message[0] = 3;
    System.arraycopy(status, 0, message, 1, status.length);
    webSocket.send(ByteString.of(message));
    webSocket.close(1000, null);
    onEnd.accept(process);
  }

  /** The final status as the kubelet's stream server writes it. */
  static ObjectNode status(int exitCode) {
    ObjectNode status = JsonNodeFactory.instance.objectNode();
    status.putObject("metadata");
    if (exitCode == 0) {
      status.put("status", "Success");
      return status;
    }
    status.put("status", "Failure");
    status.put("message", "command terminated with non-zero exit code: exit status " + exitCode);
    status.put("reason", "NonZeroExitCode");
    ObjectNode cause = status.putObject("details").putArray("causes").addObject();
    cause.put("reason", "ExitCode");
    cause.put("message", Integer.toString(exitCode));
    return status;
  }

  @Override
  public void onMessage(WebSocket webSocket, ByteString bytes) {
    if (bytes.size() == 0) {
      return;
    }
    int channel = bytes.getByte(0) & 0xff;
    if (channel == 0 && stdin) {
      try {
        OutputStream in = process.getOutputStream();
        in.write(bytes.substring(1).toByteArray());
        in.flush();
      } catch (IOException e) {
        // the process closed its stdin
      }
    } else if (channel == 255 && v5 && bytes.size() > 1 && bytes.getByte(1) == 0) {
      closeStdin();
    }
  }

  @Override
  public void onClosing(WebSocket webSocket, int code, String reason) {
    webSocket.close(1000, null);
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }

  @Override
  public void onFailure(WebSocket webSocket, Throwable t, Response response) {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }

  private void closeStdin() {
    try {
      process.getOutputStream().close();
    } catch (IOException e) {
      // already closed
    }
  }
}
