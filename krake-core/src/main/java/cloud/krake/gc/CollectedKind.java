package cloud.krake.gc;

import cloud.krake.KrakeContext;
import cloud.krake.model.Application;
import cloud.krake.model.Cloud;
import cloud.krake.model.Cluster;
import cloud.krake.model.GlobalCloud;
import cloud.krake.model.GlobalMetric;
import cloud.krake.model.GlobalMetricsProvider;
import cloud.krake.model.Metric;
import cloud.krake.model.MetricsProvider;
import cloud.krake.model.Resource;
import cloud.krake.model.ResourceRef;
import cloud.krake.runtime.ResourceKey;
import cloud.krake.store.Resources;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One kind of resource the {@link GarbageCollector} watches: its Krake {@code api} and {@code kind}
 * (as they appear in a {@link ResourceRef} of {@code metadata.owners}) and the typed layer that
 * reads and writes it. Krake's garbage collector has one reflector per kind of its API; {@link
 * #all(KrakeContext)} lists the kinds this library stores, and a host with kinds of its own adds
 * one {@code CollectedKind} per kind.
 *
 * @param api Krake's API group, for example {@code "kubernetes"}
 * @param kind Krake's kind, for example {@code "Cluster"}
 * @param resources the typed layer of that kind
 * @param <T> the resource type
 */
public record CollectedKind<T extends Resource<T>>(
    String api, String kind, Resources<T> resources) {

  /** Checks the components. */
  public CollectedKind {
    Objects.requireNonNull(api, "api");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(resources, "resources");
  }

  /**
   * Returns a kind.
   *
   * @param api Krake's API group
   * @param kind Krake's kind
   * @param resources the typed layer of that kind
   * @param <T> the resource type
   */
  public static <T extends Resource<T>> CollectedKind<T> of(
      String api, String kind, Resources<T> resources) {
    return new CollectedKind<>(api, kind, resources);
  }

  /**
   * Returns every kind {@code krake} gives typed access to: applications, clusters, metrics,
   * metrics providers, global metrics, global metrics providers, clouds and global clouds. A
   * cluster Krake placed on a cloud lists it in {@code metadata.owners}, so that, as in Krake,
   * deleting the cloud cascades to its clusters and the cloud stays until they are gone.
   *
   * @param krake the context whose typed layers to use
   */
  public static List<CollectedKind<?>> all(KrakeContext krake) {
    Objects.requireNonNull(krake, "krake");
    return List.of(
        of(Application.API, Application.KIND, krake.applications()),
        of(Cluster.API, Cluster.KIND, krake.clusters()),
        of(Metric.API, Metric.KIND, krake.metrics()),
        of(MetricsProvider.API, MetricsProvider.KIND, krake.metricsProviders()),
        of(GlobalMetric.API, GlobalMetric.KIND, krake.globalMetrics()),
        of(GlobalMetricsProvider.API, GlobalMetricsProvider.KIND, krake.globalMetricsProviders()),
        of(Cloud.API, Cloud.KIND, krake.clouds()),
        of(GlobalCloud.API, GlobalCloud.KIND, krake.globalClouds()));
  }

  /** Returns whether resources of this kind live in a namespace. */
  public boolean namespaced() {
    return resources.type().keys().namespaced();
  }

  /**
   * Returns whether a reference points to this kind (same {@code api} and {@code kind}).
   *
   * @param ref the reference
   */
  public boolean matches(ResourceRef ref) {
    Objects.requireNonNull(ref, "ref");
    return api.equals(ref.api()) && kind.equals(ref.kind());
  }

  /**
   * Returns the reference to the resource of this kind with a work-queue key.
   *
   * @param key namespace ({@code ""} for a global kind) and name
   */
  public ResourceRef ref(ResourceKey key) {
    Objects.requireNonNull(key, "key");
    Optional<String> namespace =
        namespaced() && !key.namespace().isEmpty()
            ? Optional.of(key.namespace())
            : Optional.empty();
    return new ResourceRef(api, namespace, kind, key.name());
  }

  /** Returns {@code api/kind}. */
  @Override
  public String toString() {
    return api + "/" + kind;
  }
}
