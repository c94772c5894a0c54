package cloud.krake.store;

import cloud.krake.model.Application;
import cloud.krake.model.ApplicationStatus;
import cloud.krake.model.Cloud;
import cloud.krake.model.CloudStatus;
import cloud.krake.model.Cluster;
import cloud.krake.model.ClusterStatus;
import cloud.krake.model.GlobalCloud;
import cloud.krake.model.GlobalMetric;
import cloud.krake.model.GlobalMetricsProvider;
import cloud.krake.model.InvalidResourceException;
import cloud.krake.model.KrakeJson;
import cloud.krake.model.Metadata;
import cloud.krake.model.Metric;
import cloud.krake.model.MetricsProvider;
import cloud.krake.model.Resource;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Describes one kind of resource to the typed layer: its Java type, its keys ({@link StoreKeys})
 * and how a new resource's server-side fields are initialised (Krake's default status).
 *
 * @param <T> the resource type
 */
public final class ResourceType<T extends Resource<T>> {

  /** Applications, initialised with {@link ApplicationStatus#initial()} (PENDING). */
  public static final ResourceType<Application> APPLICATION =
      of(Application.class, StoreKeys.APPLICATIONS, a -> a.withStatus(ApplicationStatus.initial()));

  /** Clusters, initialised with {@link ClusterStatus#initial()} (PENDING). */
  public static final ResourceType<Cluster> CLUSTER =
      of(Cluster.class, StoreKeys.CLUSTERS, c -> c.withStatus(ClusterStatus.initial()));

  /** Namespaced metrics. */
  public static final ResourceType<Metric> METRIC =
      of(Metric.class, StoreKeys.METRICS, UnaryOperator.identity());

  /** Global metrics. */
  public static final ResourceType<GlobalMetric> GLOBAL_METRIC =
      of(GlobalMetric.class, StoreKeys.GLOBAL_METRICS, UnaryOperator.identity());

  /** Namespaced metrics providers. */
  public static final ResourceType<MetricsProvider> METRICS_PROVIDER =
      of(MetricsProvider.class, StoreKeys.METRICS_PROVIDERS, UnaryOperator.identity());

  /** Global metrics providers. */
  public static final ResourceType<GlobalMetricsProvider> GLOBAL_METRICS_PROVIDER =
      of(GlobalMetricsProvider.class, StoreKeys.GLOBAL_METRICS_PROVIDERS, UnaryOperator.identity());

  /** Namespaced clouds, initialised with {@link CloudStatus#initial()} (ONLINE). */
  public static final ResourceType<Cloud> CLOUD =
      of(Cloud.class, StoreKeys.CLOUDS, c -> c.withStatus(CloudStatus.initial()));

  /** Global clouds, initialised with {@link CloudStatus#initial()} (ONLINE). */
  public static final ResourceType<GlobalCloud> GLOBAL_CLOUD =
      of(GlobalCloud.class, StoreKeys.GLOBAL_CLOUDS, c -> c.withStatus(CloudStatus.initial()));

  private final Class<T> type;
  private final StoreKeys keys;
  private final UnaryOperator<T> initialise;

  private ResourceType(Class<T> type, StoreKeys keys, UnaryOperator<T> initialise) {
    this.type = Objects.requireNonNull(type, "type");
    this.keys = Objects.requireNonNull(keys, "keys");
    this.initialise = Objects.requireNonNull(initialise, "initialise");
  }

  /**
   * Describes a resource type.
   *
   * @param type the record class, read and written with {@link KrakeJson}
   * @param keys where its documents live
   * @param initialise applied to a resource on creation, after the metadata was set; resets the
   *     server-written parts (for status resources: the initial status)
   * @param <T> the resource type
   */
  public static <T extends Resource<T>> ResourceType<T> of(
      Class<T> type, StoreKeys keys, UnaryOperator<T> initialise) {
    return new ResourceType<>(type, keys, initialise);
  }

  /** Returns the record class. */
  public Class<T> type() {
    return type;
  }

  /** Returns where the documents of this type live. */
  public StoreKeys keys() {
    return keys;
  }

  /** Returns the resource with its server-written parts initialised, as on creation. */
  T initialise(T resource) {
    return initialise.apply(resource);
  }

  /**
   * Returns the key of a resource, from its metadata.
   *
   * @throws InvalidResourceException naming {@code metadata.namespace} when a namespaced type has
   *     none or a global type has one, or naming the field with characters keys cannot hold
   */
  String key(Metadata metadata) {
    Optional<String> namespace = metadata.namespace();
    if (keys.namespaced() && namespace.isEmpty()) {
      throw InvalidResourceException.of(
          "metadata.namespace", "required for a " + type.getSimpleName());
    }
    if (!keys.namespaced() && namespace.isPresent()) {
      throw InvalidResourceException.of(
          "metadata.namespace", "must be empty: a " + type.getSimpleName() + " is global");
    }
    return keys.key(namespace.orElse(""), metadata.name());
  }

  /** Decodes a stored document, stamping the revision it was read at. */
  T decode(KeyValue kv) {
    T resource;
    try {
      resource = KrakeJson.read(kv.value(), type);
    } catch (InvalidResourceException e) {
      throw new CorruptDocumentException(kv.key(), e);
    }
    return resource.withMetadata(resource.metadata().withRevision(kv.modRevision()));
  }

  /** Encodes a resource for the store. */
  byte[] encode(T resource) {
    return KrakeJson.writeBytes(resource);
  }

  @Override
  public String toString() {
    return "ResourceType[" + type.getSimpleName() + " at " + keys.prefix() + "]";
  }
}
