package cloud.krake.store;

import cloud.krake.model.InvalidResourceException;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Krake's etcd key layout (Krake's {@code krake/api/database.py} key templates): {@code
 * /kubernetes/applications/{namespace}/{name}}, {@code /kubernetes/clusters/{namespace}/{name}},
 * {@code /core/metrics/{namespace}/{name}}, {@code /core/globalmetrics/{name}}, and so on. A store
 * shared with Krake's own API server therefore holds the same keys.
 *
 * <p>Each constant describes one resource collection; {@link #key} builds the key of one resource
 * and {@link #prefix} the prefix that lists a namespace or the whole collection. Key parameters may
 * contain only {@code [.a-zA-Z0-9_:-]}, as in Krake, so that no name can reach into another
 * collection's keys.
 */
public enum StoreKeys {
  /** Applications: {@code /kubernetes/applications/{namespace}/{name}}. */
  APPLICATIONS("/kubernetes/applications/", true),
  /** Clusters: {@code /kubernetes/clusters/{namespace}/{name}}. */
  CLUSTERS("/kubernetes/clusters/", true),
  /** Namespaced metrics: {@code /core/metrics/{namespace}/{name}}. */
  METRICS("/core/metrics/", true),
  /** Global metrics: {@code /core/globalmetrics/{name}}. */
  GLOBAL_METRICS("/core/globalmetrics/", false),
  /** Namespaced metrics providers: {@code /core/metricsproviders/{namespace}/{name}}. */
  METRICS_PROVIDERS("/core/metricsproviders/", true),
  /** Global metrics providers: {@code /core/globalmetricsproviders/{name}}. */
  GLOBAL_METRICS_PROVIDERS("/core/globalmetricsproviders/", false),
  /** Namespaced clouds: {@code /infrastructure/clouds/{namespace}/{name}}. */
  CLOUDS("/infrastructure/clouds/", true),
  /** Global clouds: {@code /infrastructure/globalclouds/{name}}. */
  GLOBAL_CLOUDS("/infrastructure/globalclouds/", false);

  private static final Pattern PARAMETER = Pattern.compile("[.a-zA-Z0-9_:-]+");

  private final String base;
  private final boolean namespaced;

  StoreKeys(String base, boolean namespaced) {
    this.base = base;
    this.namespaced = namespaced;
  }

  /** Returns whether keys of this collection carry a namespace. */
  public boolean namespaced() {
    return namespaced;
  }

  /** Returns the prefix of the whole collection, for example {@code /kubernetes/applications/}. */
  public String prefix() {
    return base;
  }

  /**
   * Returns the prefix of one namespace of a namespaced collection.
   *
   * @param namespace the namespace
   * @throws InvalidResourceException naming {@code metadata.namespace} if it has characters a key
   *     parameter may not have
   * @throws IllegalStateException if the collection is global
   */
  public String prefix(String namespace) {
    if (!namespaced) {
      throw new IllegalStateException(name() + " is not namespaced");
    }
    return base + parameter("metadata.namespace", namespace) + '/';
  }

  /**
   * Returns the key of one resource.
   *
   * @param namespace the namespace; ignored (may be empty) for global collections
   * @param name the name
   * @throws InvalidResourceException naming the field whose value has characters a key parameter
   *     may not have, or {@code metadata.namespace} if a namespaced collection gets none
   */
  public String key(String namespace, String name) {
    Objects.requireNonNull(namespace, "namespace");
    if (!namespaced) {
      return base + parameter("metadata.name", name);
    }
    return prefix(namespace) + parameter("metadata.name", name);
  }

  private static String parameter(String field, String value) {
    Objects.requireNonNull(value, field);
    if (!PARAMETER.matcher(value).matches()) {
      throw InvalidResourceException.of(
          field, "must be non-empty and contain only [.a-zA-Z0-9_:-]: '" + value + "'");
    }
    return value;
  }
}
