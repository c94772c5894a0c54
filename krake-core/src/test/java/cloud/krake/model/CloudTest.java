package cloud.krake.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.krake.store.StoreKeys;
import org.junit.jupiter.api.Test;

/** Krake's Cloud and GlobalCloud: reading, validation naming the field, keys, redaction. */
class CloudTest {

  private static final String OPENSTACK =
      """
      spec:
        type: openstack
        openstack:
          url: https://keystone.example:5000/v3
          auth: {type: password, password: {user: {username: u, password: hunter2}}}
          metrics: [{name: load, weight: 2}]
          infrastructure_provider: {name: im-provider}
      """;

  @Test
  void readsACloudWithItsDefaults() {
    Cloud cloud =
        KrakeJson.read(
            "metadata: {name: c, namespace: ns, labels: {a: b}}\n" + OPENSTACK, Cloud.class);

    assertThat(cloud.api()).isEqualTo("infrastructure");
    assertThat(cloud.kind()).isEqualTo("Cloud");
    assertThat(cloud.status()).isEqualTo(CloudStatus.initial());
    assertThat(cloud.status().state()).isEqualTo(CloudState.ONLINE);
    assertThat(cloud.spec().metrics()).containsExactly(MetricRef.global("load", 2));
    assertThat(cloud.validate()).isEmpty();
    assertThat(KrakeJson.readResource(KrakeJson.write(cloud))).isEqualTo(cloud);
  }

  @Test
  void validationNamesEveryBadField() {
    Cloud cloud =
        KrakeJson.read(
            """
            metadata: {name: c, namespace: ns}
            spec:
              type: openstack
              openstack: {metrics: [{weight: 1}]}
            """,
            Cloud.class);

    assertThat(cloud.validate())
        .extracting(FieldError::field)
        .containsExactlyInAnyOrder(
            "spec.openstack.url",
            "spec.openstack.auth",
            "spec.openstack.infrastructure_provider.name",
            "spec.openstack.metrics[0].name");
  }

  @Test
  void anUnknownTypeOrMissingSettingsAreNamed() {
    assertThat(
            KrakeJson.read("metadata: {name: c, namespace: ns}\nspec: {type: aws}", Cloud.class)
                .validate())
        .extracting(FieldError::field)
        .containsExactly("spec.type");
    assertThat(
            KrakeJson.read(
                    "metadata: {name: c, namespace: ns}\nspec: {type: openstack}", Cloud.class)
                .validate())
        .extracting(FieldError::field)
        .containsExactly("spec.openstack");
    assertThatThrownBy(() -> KrakeJson.read("metadata: {name: c, namespace: ns}", Cloud.class))
        .isInstanceOf(InvalidResourceException.class)
        .hasMessageContaining("spec");
  }

  @Test
  void aGlobalCloudRefusesANamespaceAndNamespacedReferences() {
    GlobalCloud cloud =
        KrakeJson.read(
            """
            metadata: {name: g, namespace: ns}
            spec:
              type: openstack
              openstack:
                url: https://keystone.example:5000/v3
                auth: {type: password}
                metrics: [{name: load, weight: 1, namespaced: true}]
                infrastructure_provider: {name: im, namespaced: true}
            """,
            GlobalCloud.class);

    assertThat(cloud.validate())
        .extracting(FieldError::field)
        .containsExactlyInAnyOrder(
            "metadata.namespace",
            "spec.openstack.metrics[0].namespaced",
            "spec.openstack.infrastructure_provider.namespaced");
  }

  @Test
  void keysAreKrakes() {
    assertThat(StoreKeys.CLOUDS.key("ns", "c")).isEqualTo("/infrastructure/clouds/ns/c");
    assertThat(StoreKeys.GLOBAL_CLOUDS.key("", "g")).isEqualTo("/infrastructure/globalclouds/g");
  }

  @Test
  void toStringMasksTheOpenstackPassword() {
    Cloud cloud = KrakeJson.read("metadata: {name: c, namespace: ns}\n" + OPENSTACK, Cloud.class);

    assertThat(cloud.toString()).doesNotContain("hunter2").contains("type=password");
  }
}
