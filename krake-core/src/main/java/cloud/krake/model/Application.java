package cloud.krake.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A Kubernetes application managed by Krake, as Krake's {@code Application} ({@code api:
 * kubernetes}, {@code kind: Application}); stored under {@code
 * /kubernetes/applications/{namespace}/{name}}.
 *
 * <p>Reading a document of another kind or api (a Cluster read as an Application, {@code kind:
 * Deployment}) fails with an {@link InvalidResourceException} naming {@code kind} / {@code api}.
 * {@link #toString()} masks the secrets of the status (hook tokens, private keys).
 *
 * <pre>{@code
 * Application app = KrakeJson.read(yaml, Application.class);
 * List<FieldError> errors = app.validate();       // empty when valid
 * app = app.withStatus(app.status().withState(ApplicationState.RUNNING));
 * }</pre>
 *
 * @param api always {@value #API}; defaults to it when absent
 * @param kind always {@value #KIND}; defaults to it when absent
 * @param metadata the metadata
 * @param spec what to run and where
 * @param status the observed state; {@link ApplicationStatus#initial()} when absent
 */
public record Application(
    String api, String kind, Metadata metadata, ApplicationSpec spec, ApplicationStatus status)
    implements StatusResource<Application, ApplicationStatus> {

  /** The api of every application. */
  public static final String API = "kubernetes";

  /** The kind of every application. */
  public static final String KIND = "Application";

  /**
   * Normalises absent values.
   *
   * @throws InvalidResourceException naming {@code api} or {@code kind} if one is not the fixed
   *     value, or naming {@code spec} if the spec is absent
   */
  public Application {
    Kinds.check(api, API, kind, KIND);
    api = API;
    kind = KIND;
    metadata = Kinds.metadata(metadata);
    if (spec == null) {
      throw InvalidResourceException.of("spec", "is required");
    }
    status = status == null ? ApplicationStatus.initial() : status;
  }

  /**
   * Returns a new application with the initial status.
   *
   * @param metadata the metadata
   * @param spec the spec
   */
  public static Application of(Metadata metadata, ApplicationSpec spec) {
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(spec, "spec");
    return new Application(API, KIND, metadata, spec, ApplicationStatus.initial());
  }

  @Override
  public Application withMetadata(Metadata metadata) {
    Objects.requireNonNull(metadata, "metadata");
    return new Application(api, kind, metadata, spec, status);
  }

  /**
   * Returns a copy with another spec.
   *
   * @param spec the new spec
   */
  public Application withSpec(ApplicationSpec spec) {
    Objects.requireNonNull(spec, "spec");
    return new Application(api, kind, metadata, spec, status);
  }

  @Override
  public Application withStatus(ApplicationStatus status) {
    Objects.requireNonNull(status, "status");
    return new Application(api, kind, metadata, spec, status);
  }

  /**
   * Checks metadata and spec against Krake's rules: {@link Metadata#validate()} and {@link
   * ApplicationSpec#validate(String)}. The status is not checked (it is written by the library).
   */
  @Override
  public List<FieldError> validate() {
    List<FieldError> errors = new ArrayList<>(Kinds.validateMetadata(metadata, true));
    errors.addAll(spec.validate("spec"));
    return errors;
  }
}
