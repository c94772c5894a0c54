package cloud.krake.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A Kubernetes cluster registered with Krake, as Krake's {@code Cluster} ({@code api: kubernetes},
 * {@code kind: Cluster}); stored under {@code /kubernetes/clusters/{namespace}/{name}}.
 *
 * <p>Reading a document of another kind or api fails with an {@link InvalidResourceException}
 * naming {@code kind} / {@code api}. {@link #toString()} masks the kubeconfig's credentials (see
 * {@link ClusterSpec}).
 *
 * @param api always {@value #API}; defaults to it when absent
 * @param kind always {@value #KIND}; defaults to it when absent
 * @param metadata the metadata
 * @param spec how to reach and rank the cluster
 * @param status the observed state; {@link ClusterStatus#initial()} when absent
 */
public record Cluster(
    String api, String kind, Metadata metadata, ClusterSpec spec, ClusterStatus status)
    implements StatusResource<Cluster, ClusterStatus> {

  /** The api of every cluster. */
  public static final String API = "kubernetes";

  /** The kind of every cluster. */
  public static final String KIND = "Cluster";

  /**
   * Normalises absent values.
   *
   * @throws InvalidResourceException naming {@code api} or {@code kind} if one is not the fixed
   *     value, or naming {@code spec} if the spec is absent
   */
  public Cluster {
    Kinds.check(api, API, kind, KIND);
    api = API;
    kind = KIND;
    metadata = Kinds.metadata(metadata);
    if (spec == null) {
      throw InvalidResourceException.of("spec", "is required");
    }
    status = status == null ? ClusterStatus.initial() : status;
  }

  /**
   * Returns a new cluster with the initial status.
   *
   * @param metadata the metadata
   * @param spec the spec
   */
  public static Cluster of(Metadata metadata, ClusterSpec spec) {
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(spec, "spec");
    return new Cluster(API, KIND, metadata, spec, ClusterStatus.initial());
  }

  /**
   * Returns the reference to the cluster of a name in a namespace. A cluster name given in an
   * application's context (its {@code running_on}, an execution or lifecycle hook's target cluster)
   * always resolves within the application's namespace, never across namespaces: Krake's tenant
   * separation, under which two tenants may each own a cluster of the same name.
   *
   * @param namespace the Krake namespace, the application's; empty for none
   * @param name the cluster's name
   * @return the reference ({@value #API}, {@value #KIND})
   */
  public static ResourceRef ref(String namespace, String name) {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
    return ResourceRef.of(API, namespace, KIND, name);
  }

  @Override
  public Cluster withMetadata(Metadata metadata) {
    Objects.requireNonNull(metadata, "metadata");
    return new Cluster(api, kind, metadata, spec, status);
  }

  /**
   * Returns a copy with another spec.
   *
   * @param spec the new spec
   */
  public Cluster withSpec(ClusterSpec spec) {
    Objects.requireNonNull(spec, "spec");
    return new Cluster(api, kind, metadata, spec, status);
  }

  @Override
  public Cluster withStatus(ClusterStatus status) {
    Objects.requireNonNull(status, "status");
    return new Cluster(api, kind, metadata, spec, status);
  }

  /**
   * Checks metadata and spec: {@link Metadata#validate()} and {@link ClusterSpec#validate(String)}.
   */
  @Override
  public List<FieldError> validate() {
    List<FieldError> errors = new ArrayList<>(Kinds.validateMetadata(metadata, true));
    errors.addAll(spec.validate("spec"));
    return errors;
  }
}
