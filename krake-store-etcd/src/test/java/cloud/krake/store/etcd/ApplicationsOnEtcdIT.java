package cloud.krake.store.etcd;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.KrakeJson;
import cloud.krake.store.Applications;
import cloud.krake.store.CorruptDocumentException;
import cloud.krake.store.ResourceList;
import cloud.krake.store.Resources;
import cloud.krake.testing.EtcdExtension;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The typed layer on a real etcd: Krake's documents under Krake's keys, read back intact. */
class ApplicationsOnEtcdIT {

  @RegisterExtension static final EtcdExtension etcd = EtcdExtension.builder().build();

  private final EtcdStore store = EtcdStore.builder().endpoint(etcd.endpoint()).build();
  private final Applications apps = new Applications(store, Clock.systemUTC());

  @AfterEach
  void close() {
    store.close();
  }

  private static Application echoDemo() throws IOException {
    Path manifest =
        Path.of(
            URI.create(ApplicationsOnEtcdIT.class.getResource("/manifests/echo.yaml").toString()));
    Application app =
        KrakeJson.read(
            """
            metadata: {name: echo-demo, namespace: etcd-it}
            spec:
              constraints: {cluster: {labels: ["location is DE"]}}
              hooks: [shutdown]
              manifest: []
            """,
            Application.class);
    List<ObjectNode> resources = KrakeJson.readAll(Files.readString(manifest), ObjectNode.class);
    return app.withSpec(app.spec().withManifest(resources));
  }

  @Test
  void storesAndReadsTheEchoApplicationThroughItsLifecycle() throws IOException {
    Application created = apps.create(echoDemo());

    assertThat(store.get("/kubernetes/applications/etcd-it/echo-demo")).isPresent();
    assertThat(apps.require("etcd-it", "echo-demo")).isEqualTo(created);
    assertThat(created.spec().manifest()).hasSize(2);

    Application running =
        apps.modifyStatus(
            "etcd-it", "echo-demo", a -> a.status().withState(ApplicationState.RUNNING));
    Application deleted = apps.delete("etcd-it", "echo-demo");

    assertThat(running.metadata().revision()).isGreaterThan(created.metadata().revision());
    assertThat(deleted.status().state()).isEqualTo(ApplicationState.WAITING_FOR_CLEANING);
    assertThat(deleted.metadata().finalizers()).containsExactly(Resources.CASCADE_DELETION);
    ResourceList<Application> listed = apps.list("etcd-it");
    assertThat(listed.items()).containsExactly(deleted);
    apps.update(deleted.withMetadata(deleted.metadata().withFinalizers(List.of())));
    assertThat(apps.get("etcd-it", "echo-demo")).isEmpty();
  }

  @Test
  void aCorruptDocumentInEtcdNamesItsKey() {
    store.create("/kubernetes/applications/etcd-corrupt/corrupt", "{\"spec\": [".getBytes(UTF_8));

    assertThatThrownBy(() -> apps.get("etcd-corrupt", "corrupt"))
        .isInstanceOfSatisfying(
            CorruptDocumentException.class,
            e -> assertThat(e.key()).isEqualTo("/kubernetes/applications/etcd-corrupt/corrupt"))
        .hasMessageContaining("/kubernetes/applications/etcd-corrupt/corrupt");
    assertThatThrownBy(() -> apps.list("etcd-corrupt"))
        .isInstanceOf(CorruptDocumentException.class)
        .hasMessageContaining("/kubernetes/applications/etcd-corrupt/corrupt");
  }
}
