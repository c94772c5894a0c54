package cloud.krake.scheduler;

import cloud.krake.KrakeContext;
import cloud.krake.model.Cloud;
import cloud.krake.model.CloudConstraints;
import cloud.krake.model.Cluster;
import cloud.krake.model.ClusterSpec;
import cloud.krake.model.GlobalCloud;
import cloud.krake.model.LabelConstraint;
import cloud.krake.model.MetricConstraint;
import cloud.krake.model.MetricRef;
import cloud.krake.model.ResourceRef;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cluster's effective labels and metrics for scheduling: its own, plus what it takes from the
 * cloud it was placed on, as Krake's scheduler ({@code update_inherited_cluster_values}) computes
 * them before filtering and ranking. Nothing is written: the scheduler works on the returned copy,
 * and the stored cluster keeps only its own labels and metrics.
 *
 * <p>The cloud is the one named by the cluster's {@code status.scheduled_to}: a {@link Cloud} when
 * the reference has a namespace, a {@link GlobalCloud} otherwise, as in Krake. It is read only if
 * the cluster asks for something from it:
 *
 * <ul>
 *   <li>{@code metadata.inherit_labels}: every label of the cloud is added; on a conflicting key
 *       the cloud's value wins (Krake merges the cloud's labels over the cluster's);
 *   <li>{@code spec.constraints.cloud.labels}: for each label constraint, the cloud's label of the
 *       constraint's key is added (the cloud's value wins);
 *   <li>{@code spec.inherit_metrics}: every metric of the cloud ({@code spec.openstack.metrics}) is
 *       appended to the cluster's metrics;
 *   <li>{@code spec.constraints.cloud.metrics}: for each metric constraint, the cloud's metric of
 *       the constraint's metric name is appended.
 * </ul>
 *
 * <p>A metric reference already among the cluster's is not added twice. A cluster not placed on a
 * cloud, or whose cloud does not exist (any more), is returned unchanged.
 *
 * <p>Differences from Krake (see docs/differences.md): Krake matches {@code constraints.cloud}
 * entries against the constraint's <em>value</em> and walks the metric constraints for labels, so
 * that in Krake these two rules never add anything; here they follow Krake's user stories 7 and 8
 * ("a cluster with a metric constraint on its cloud inherits the referenced metric"). A missing
 * cloud fails Krake's scheduling pass with an API error; here the cluster keeps its own values.
 *
 * <p>Thread-safe: it holds only the context; each call reads the store.
 */
public final class CloudInheritance {

  private static final Logger log = LoggerFactory.getLogger(CloudInheritance.class);

  private final KrakeContext krake;

  /**
   * Creates the inheritance over a context's clouds.
   *
   * @param krake the context whose {@code clouds()} and {@code globalClouds()} are read
   */
  public CloudInheritance(KrakeContext krake) {
    this.krake = Objects.requireNonNull(krake, "krake");
  }

  /**
   * Returns each cluster as the scheduler sees it, in the same order (see {@link #effective}).
   *
   * @param clusters the stored clusters
   */
  public List<Cluster> effective(List<Cluster> clusters) {
    Objects.requireNonNull(clusters, "clusters");
    return clusters.stream().map(this::effective).toList();
  }

  /**
   * Returns the cluster with its inherited labels and metrics added, or the cluster itself when it
   * inherits nothing. The copy has the same metadata (name, namespace, revision) and status.
   *
   * @param cluster the stored cluster
   */
  public Cluster effective(Cluster cluster) {
    Objects.requireNonNull(cluster, "cluster");
    CloudConstraints wanted = cluster.spec().constraints().cloud();
    boolean inheritLabels = cluster.metadata().inheritLabels();
    boolean inheritMetrics = cluster.spec().inheritMetrics();
    if (!inheritLabels
        && !inheritMetrics
        && wanted.labels().isEmpty()
        && wanted.metrics().isEmpty()) {
      return cluster;
    }
    Optional<ResourceRef> placedOn = cluster.status().scheduledTo();
    if (placedOn.isEmpty()) {
      return cluster;
    }
    Optional<CloudValues> cloud = read(placedOn.get());
    if (cloud.isEmpty()) {
      log.debug(
          "cluster {} inherits nothing: its cloud {} does not exist",
          cluster.metadata().name(),
          placedOn.get().name());
      return cluster;
    }
    Map<String, String> cloudLabels = cloud.get().labels();
    Map<String, String> labels = new LinkedHashMap<>(cluster.metadata().labels());
    if (inheritLabels) {
      labels.putAll(cloudLabels);
    }
    for (LabelConstraint constraint : wanted.labels()) {
      String value = cloudLabels.get(constraint.key());
      if (value != null) {
        labels.put(constraint.key(), value);
      }
    }
    List<MetricRef> metrics = new ArrayList<>(cluster.spec().metrics());
    List<MetricRef> cloudMetrics = cloud.get().metrics();
    if (inheritMetrics) {
      cloudMetrics.forEach(m -> addOnce(metrics, m));
    }
    Set<String> named =
        wanted.metrics().stream().map(MetricConstraint::metric).collect(Collectors.toSet());
    cloudMetrics.stream().filter(m -> named.contains(m.name())).forEach(m -> addOnce(metrics, m));
    ClusterSpec spec = cluster.spec().withMetrics(metrics);
    return cluster.withMetadata(cluster.metadata().withLabels(labels)).withSpec(spec);
  }

  private static void addOnce(List<MetricRef> metrics, MetricRef metric) {
    if (!metrics.contains(metric)) {
      metrics.add(metric);
    }
  }

  private Optional<CloudValues> read(ResourceRef ref) {
    if (ref.namespace().filter(n -> !n.isEmpty()).isPresent()) {
      return krake
          .clouds()
          .get(ref.namespace().get(), ref.name())
          .map(c -> new CloudValues(c.metadata().labels(), c.spec().metrics()));
    }
    return krake
        .globalClouds()
        .get("", ref.name())
        .map(c -> new CloudValues(c.metadata().labels(), c.spec().metrics()));
  }

  private record CloudValues(Map<String, String> labels, List<MetricRef> metrics) {}
}
