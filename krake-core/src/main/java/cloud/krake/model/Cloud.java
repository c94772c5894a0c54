package cloud.krake.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A cloud in a namespace, as Krake's {@code Cloud} ({@code api: infrastructure}, {@code kind:
 * Cloud}); stored under {@code /infrastructure/clouds/{namespace}/{name}}. It lives in a namespace.
 *
 * <p>A cluster refers to the cloud it was placed on through its {@code status.scheduled_to} (and
 * {@code running_on}), and Krake lists the cloud among the cluster's {@code metadata.owners}. The
 * scheduler uses the cloud's labels and metrics as the cluster's when the cluster asks for them
 * ({@code metadata.inherit_labels}, {@code spec.inherit_metrics}, {@code spec.constraints.cloud});
 * see {@code cloud.krake.scheduler.CloudInheritance}. Creating clusters on a cloud (Krake's
 * infrastructure providers: OpenStack Magnum, IM, TOSCA) is not part of this library.
 *
 * @param api always {@value #API}; defaults to it when absent
 * @param kind always {@value #KIND}; defaults to it when absent
 * @param metadata the metadata; its labels are the ones clusters inherit
 * @param spec the cloud's type and settings
 * @param status the observed state; {@link CloudStatus#initial()} when absent
 */
public record Cloud(String api, String kind, Metadata metadata, CloudSpec spec, CloudStatus status)
    implements StatusResource<Cloud, CloudStatus> {

  /** The api of every cloud. */
  public static final String API = "infrastructure";

  /** The kind of this resource. */
  public static final String KIND = "Cloud";

  /**
   * Normalises absent values.
   *
   * @throws InvalidResourceException naming {@code api} or {@code kind} if one is not the fixed
   *     value, or naming {@code spec} if the spec is absent
   */
  public Cloud {
    Kinds.check(api, API, kind, KIND);
    api = API;
    kind = KIND;
    metadata = Kinds.metadata(metadata);
    if (spec == null) {
      throw InvalidResourceException.of("spec", "is required");
    }
    status = status == null ? CloudStatus.initial() : status;
  }

  /**
   * Returns a new cloud with the initial status.
   *
   * @param metadata the metadata
   * @param spec the spec
   */
  public static Cloud of(Metadata metadata, CloudSpec spec) {
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(spec, "spec");
    return new Cloud(API, KIND, metadata, spec, CloudStatus.initial());
  }

  @Override
  public Cloud withMetadata(Metadata metadata) {
    Objects.requireNonNull(metadata, "metadata");
    return new Cloud(api, kind, metadata, spec, status);
  }

  @Override
  public Cloud withStatus(CloudStatus status) {
    Objects.requireNonNull(status, "status");
    return new Cloud(api, kind, metadata, spec, status);
  }

  /**
   * Checks metadata and spec: {@link Metadata#validate()} and {@link CloudSpec#validate(String,
   * boolean)}.
   */
  @Override
  public List<FieldError> validate() {
    List<FieldError> errors = new ArrayList<>(Kinds.validateMetadata(metadata, true));
    errors.addAll(spec.validate("spec", false));
    return errors;
  }
}
