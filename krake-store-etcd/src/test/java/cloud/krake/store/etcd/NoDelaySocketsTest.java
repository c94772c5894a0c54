package cloud.krake.store.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.Call;
import okhttp3.Connection;
import okhttp3.EventListener;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/**
 * The store's connections disable Nagle's algorithm: okhttp writes a request's headers and its body
 * in separate segments, and with Nagle the body of a write waits for the delayed ACK of the headers
 * (about 40 ms on Linux) once the document is larger than one segment. Checked on the sockets
 * themselves, not on timings.
 */
class NoDelaySocketsTest {

  @Test
  void everySocketTheStoreOpensHasTcpNoDelay() throws IOException {
    try (EtcdStore store =
            EtcdStore.builder().endpoint(URI.create("http://127.0.0.1:2379")).build();
        Socket unary = store.unaryClient().socketFactory().createSocket();
        Socket watch = store.watchClient().socketFactory().createSocket()) {
      assertThat(unary.getTcpNoDelay()).as("unary calls' sockets").isTrue();
      assertThat(watch.getTcpNoDelay()).as("watch streams' sockets").isTrue();
    }
  }

  @Test
  void aConnectionTheStoreMakesHasTcpNoDelay() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        EtcdStore store =
            EtcdStore.builder()
                .endpoint(URI.create("http://127.0.0.1:" + server.getLocalPort()))
                .build()) {
      Thread answering = new Thread(() -> answerOnce(server), "answer-once");
      answering.start();
      List<Boolean> noDelay = new CopyOnWriteArrayList<>();
      OkHttpClient observed =
          store
              .unaryClient()
              .newBuilder()
              .eventListener(
                  new EventListener() {
                    @Override
                    public void connectionAcquired(Call call, Connection connection) {
                      try {
                        noDelay.add(connection.socket().getTcpNoDelay());
                      } catch (IOException e) {
                        throw new IllegalStateException(e);
                      }
                    }
                  })
              .build();
      Request request =
          new Request.Builder()
              .url("http://127.0.0.1:" + server.getLocalPort() + "/v3/kv/range")
              .build();
      try (Response response = observed.newCall(request).execute()) {
        assertThat(response.code()).isEqualTo(200);
      }
      answering.join();
      assertThat(noDelay).containsExactly(true);
    }
  }

  private static void answerOnce(ServerSocket server) {
    try (Socket socket = server.accept();
        InputStream in = socket.getInputStream();
        OutputStream out = socket.getOutputStream()) {
      byte[] buffer = new byte[4096];
      StringBuilder head = new StringBuilder();
      while (head.indexOf("\r\n\r\n") < 0) {
        int n = in.read(buffer);
        if (n < 0) {
          return;
        }
        head.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
      }
      out.write(
          "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"
              .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
