package cloud.krake.testing.junit;

import cloud.krake.Krake;
import cloud.krake.model.Application;
import cloud.krake.model.Cluster;
import cloud.krake.model.GlobalMetric;
import cloud.krake.model.GlobalMetricsProvider;
import cloud.krake.model.KrakeJson;
import cloud.krake.model.Metric;
import cloud.krake.model.MetricsProvider;
import cloud.krake.model.Resource;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Krake resources from the documents a test writes, for {@link KrakeTestExtension#create} and
 * {@link KrakeTestExtension#createApplication}: a YAML (or JSON) stream of any of Krake's kinds, as
 * {@code rok kube ... create -f} reads it, and an Application made of a Kubernetes manifest and
 * cluster label constraints. The contracts are those methods'. Stateless.
 */
final class KrakeDocuments {

  private KrakeDocuments() {}

  /**
   * Creates each document's resource in the store of {@code krake}, namespaced kinds without {@code
   * metadata.namespace} in {@code namespace}.
   */
  static List<Resource<?>> create(Krake krake, String namespace, String yamlOrJson) {
    List<Resource<?>> created = new ArrayList<>();
    for (ObjectNode doc : KrakeJson.readAll(yamlOrJson, ObjectNode.class)) {
      if (doc == null || doc.isEmpty()) {
        continue;
      }
      if (!doc.path("kind").asText().startsWith("Global")
          && doc.path("metadata").path("namespace").asText("").isEmpty()) {
        ObjectNode metadata =
            doc.path("metadata").isObject()
                ? (ObjectNode) doc.get("metadata")
                : doc.putObject("metadata");
        metadata.put("namespace", namespace);
      }
      Resource<?> resource = KrakeJson.readResource(KrakeJson.write(doc));
      if (resource instanceof Application a) {
        created.add(krake.applications().create(a));
      } else if (resource instanceof Cluster c) {
        created.add(krake.clusters().create(c));
      } else if (resource instanceof Metric m) {
        created.add(krake.metrics().create(m));
      } else if (resource instanceof MetricsProvider p) {
        created.add(krake.metricsProviders().create(p));
      } else if (resource instanceof GlobalMetric m) {
        created.add(krake.globalMetrics().create(m));
      } else if (resource instanceof GlobalMetricsProvider p) {
        created.add(krake.globalMetricsProviders().create(p));
      } else {
        throw new IllegalArgumentException("cannot create a " + resource.getClass().getName());
      }
    }
    return List.copyOf(created);
  }

  /** The Application {@code namespace/name} running the manifest, placed by the constraints. */
  static Application application(
      String namespace, String name, String manifestYaml, String... labelConstraints) {
    ObjectNode doc = JsonNodeFactory.instance.objectNode();
    doc.putObject("metadata").put("name", name).put("namespace", namespace);
    ObjectNode spec = doc.putObject("spec");
    var manifest = spec.putArray("manifest");
    for (ObjectNode resource : KrakeJson.readAll(manifestYaml, ObjectNode.class)) {
      if (resource != null && !resource.isEmpty()) {
        manifest.add(resource);
      }
    }
    var labels = spec.putObject("constraints").putObject("cluster").putArray("labels");
    for (String constraint : labelConstraints) {
      labels.add(Objects.requireNonNull(constraint, "labelConstraints"));
    }
    return KrakeJson.convert(doc, Application.class);
  }
}
