package cloud.krake.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/** {@link EtcdServer} runs, restarts with its data, and cleans up. */
class EtcdServerIT {
  private static final OkHttpClient client = new OkHttpClient();

  private static String post(EtcdServer server, String path, String json) throws IOException {
    Request request =
        new Request.Builder()
            .url(server.endpoint() + path)
            .post(RequestBody.create(json, MediaType.get("application/json")))
            .build();
    try (Response response = client.newCall(request).execute()) {
      return response.body().string();
    }
  }

  @Test
  void restartsOnTheSamePortWithTheSameDataAndDeletesItOnClose() throws IOException {
    Path dataDir;
    try (EtcdServer server = EtcdServer.builder().build()) {
      server.start();
      dataDir = server.dataDir();
      post(server, "/v3/kv/put", "{\"key\":\"a2V5\",\"value\":\"dmFsdWU=\"}");

      server.stop();
      assertThat(server.running()).isFalse();
      server.start();
      assertThat(server.running()).isTrue();

      assertThat(post(server, "/v3/kv/range", "{\"key\":\"a2V5\"}")).contains("dmFsdWU=");
      assertThat(Files.readString(server.logFile())).isNotEmpty();
    }
    assertThat(dataDir).doesNotExist();
  }

  @Test
  void tlsServerExposesClientMaterialAndRequiresIt() throws IOException {
    try (EtcdServer server = EtcdServer.builder().tls(true).build()) {
      server.start();
      assertThat(server.endpoint().getScheme()).isEqualTo("https");
      EtcdServer.Tls tls = server.tls().orElseThrow();
      assertThat(tls.clientKeyPem()).startsWith("-----BEGIN PRIVATE KEY-----");
      assertThat(tls.toString()).doesNotContain("PRIVATE KEY");
      assertThat(Files.readString(tls.caCertificateFile())).isEqualTo(tls.caCertificatePem());
    }
  }

  @Test
  void failsWithAnInstallHintWhenEtcdIsMissing() {
    assertThatThrownBy(() -> EtcdServer.builder().binary(Path.of("/nonexistent/etcd")).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("apt-get install etcd-server");
  }

  @Test
  void cannotStartAfterClose() {
    EtcdServer server = EtcdServer.builder().build();
    server.close();
    server.close();
    assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class);
  }
}
