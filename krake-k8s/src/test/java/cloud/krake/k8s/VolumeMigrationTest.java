package cloud.krake.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.krake.model.Application;
import cloud.krake.model.KrakeJson;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which volumes a migration moves, and the checks of its configuration. */
class VolumeMigrationTest {

  private static Application app(String manifest) {
    return KrakeJson.read(
        """
        metadata: {name: app, namespace: tenant}
        spec:
          manifest:
        """
            + manifest.indent(4),
        Application.class);
  }

  @Test
  void movesTheWritableDataVolumesOfEveryPodTemplateKind() {
    Application app =
        app(
            """
            - apiVersion: v1
              kind: Pod
              metadata: {name: pod}
              spec:
                containers:
                - name: main
                  volumeMounts:
                  - {name: claim, mountPath: /claim}
                  - {name: scratch, mountPath: /scratch}
                  - {name: config, mountPath: /config}
                  - {name: shared, mountPath: /ro, readOnly: true}
                volumes:
                - {name: claim, persistentVolumeClaim: {claimName: c}}
                - {name: scratch, emptyDir: {}}
                - {name: config, configMap: {name: cm}}
                - {name: shared, persistentVolumeClaim: {claimName: s}}
            - apiVersion: apps/v1
              kind: StatefulSet
              metadata: {name: db}
              spec:
                template:
                  spec:
                    containers:
                    - name: db
                      volumeMounts: [{name: data, mountPath: /var/lib/db}]
                volumeClaimTemplates:
                - metadata: {name: data}
            - apiVersion: apps/v1
              kind: Deployment
              metadata: {name: web}
              spec:
                template:
                  spec:
                    containers: [{name: web}]
            - apiVersion: v1
              kind: ConfigMap
              metadata: {name: cm}
            """);

    List<VolumeMigration.DataWorkload> workloads = VolumeMigration.workloads(app);

    assertThat(workloads)
        .extracting(VolumeMigration.DataWorkload::name)
        .containsExactly("pod", "db");
    assertThat(workloads.get(0).volumes())
        .containsExactly(
            new VolumeMigration.DataVolume("claim", "main", "/claim"),
            new VolumeMigration.DataVolume("scratch", "main", "/scratch"));
    assertThat(workloads.get(1).volumes())
        .containsExactly(new VolumeMigration.DataVolume("data", "db", "/var/lib/db"));
  }

  @Test
  void anApplicationWithoutDataVolumesIsMigratedAsBefore() {
    Application app =
        app(
            """
            - apiVersion: apps/v1
              kind: Deployment
              metadata: {name: web}
              spec:
                template:
                  spec:
                    containers:
                    - name: web
                      volumeMounts: [{name: config, mountPath: /config}]
                    volumes: [{name: config, configMap: {name: cm}}]
            """);

    assertThat(VolumeMigration.workloads(app)).isEmpty();
  }

  @Test
  void theBackOffIsTheRetryTimeoutTimesTheRetries() {
    assertThat(VolumeMigration.backOff(MigrationConfig.DEFAULTS, 3))
        .isEqualTo(Duration.ofSeconds(180));
  }

  @Test
  void rejectsOutOfRangeSettingsNamingTheKey() {
    assertThatThrownBy(() -> MigrationConfig.DEFAULTS.withRetryMax(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("migration.retry.max");
    assertThatThrownBy(() -> MigrationConfig.DEFAULTS.withRetryTimeout(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("migration.retry.timeout");
    assertThatThrownBy(() -> MigrationConfig.DEFAULTS.withCopyTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("copyTimeout");
  }
}
