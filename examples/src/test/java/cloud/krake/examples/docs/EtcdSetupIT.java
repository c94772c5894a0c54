package cloud.krake.examples.docs;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.krake.store.KeyValue;
import cloud.krake.store.etcd.EtcdStore;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the etcd command of docs/stores.md ("etcd setup") and talks to the etcd it starts with an
 * {@code EtcdStore}. Two substitutions keep it off shared resources: the data directory becomes a
 * temporary one and port 2379 a free one; the peer URL, which the page leaves at etcd's default,
 * gets a free port too.
 */
class EtcdSetupIT {

  @TempDir Path dataDir;

  @Test
  void documentedCommandStartsAnEtcdTheStoreCanUse() throws Exception {
    String page = Files.readString(Path.of("..", "docs", "stores.md"), UTF_8);
    String command =
        String.join(" ", DocsCommandsTest.block(page, "etcd --name krake")).replace("\\", " ");
    int client = freePort();
    int peer = freePort();
    String substituted =
        command
                .replace("/var/lib/krake-etcd", dataDir.resolve("data").toString())
                .replace("2379", Integer.toString(client))
            + " --listen-peer-urls http://127.0.0.1:"
            + peer
            + " --initial-advertise-peer-urls http://127.0.0.1:"
            + peer
            + " --initial-cluster krake=http://127.0.0.1:"
            + peer;

    Process etcd =
        new ProcessBuilder(List.of("sh", "-c", "exec " + substituted))
            .redirectErrorStream(true)
            .redirectOutput(dataDir.resolve("etcd.log").toFile())
            .start();
    try (EtcdStore store =
        EtcdStore.builder().endpoint(URI.create("http://127.0.0.1:" + client)).build()) {
      await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> store.revision() > 0);
      KeyValue created = store.create("/docs/setup", "ok".getBytes(UTF_8));
      assertThat(store.get("/docs/setup"))
          .hasValueSatisfying(kv -> assertThat(kv.modRevision()).isEqualTo(created.modRevision()));
    } finally {
      etcd.destroy();
      if (!etcd.waitFor(10, TimeUnit.SECONDS)) {
        etcd.destroyForcibly();
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
