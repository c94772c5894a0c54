package cloud.krake.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What an {@link Application} should run and where, as Krake's {@code ApplicationSpec}, with its
 * JSON field names ({@code observer_schema}, {@code shutdown_grace_time}, {@code backoff_limit},
 * ...). Absent values read as the defaults documented per component.
 *
 * <p>The record is immutable: the JSON trees ({@code manifest}, {@code tosca}, {@code
 * observer_schema}) are copied once, when the record is built, into read-only trees ({@link
 * ReadOnlyJson}) that the accessors return as they are: their mutators throw {@link
 * UnsupportedOperationException}, and {@code deepCopy()} gives a tree to change. Trees that are
 * already read-only (another record's) are shared, not copied. Validation is separate ({@link
 * #validate(String)}), so that one call reports every error of a document.
 *
 * @param manifest the Kubernetes resources to apply; may be empty if {@code tosca} or {@code csar}
 *     is given
 * @param tosca a TOSCA template, as an object, or the URL of one (a string ending {@code .yaml} or
 *     {@code .yml}); an empty object when absent
 * @param csar the URL of a CSAR archive (ending {@code .csar} or {@code .zip})
 * @param observerSchema which fields of which manifest resources are observed (Krake's observer
 *     schema format, see {@link #validate(String)}); empty means "generate the default schema"
 * @param constraints the scheduling constraints; required, empty only in a document that fails
 *     {@link #validate(String)}
 * @param hooks the enabled hooks; Krake knows {@code "complete"} and {@code "shutdown"} and ignores
 *     other names
 * @param shutdownGraceTime seconds to wait for the application to acknowledge a shutdown; empty
 *     means the configured default
 * @param shutdownFailureStrategy what to do when the shutdown is not acknowledged: {@code "delete"}
 *     or {@code "give_up"}; empty means the configured default
 * @param shutdownRetryCount how often the shutdown is retried before the failure strategy; empty
 *     means the configured default
 * @param backoff the multiplier of {@code backoffDelay} between scheduling retries; default {@code
 *     1}
 * @param backoffDelay the base delay between scheduling retries, in seconds; default {@code 1}
 * @param backoffLimit how often scheduling is retried; {@code -1} (the default) means forever
 * @param storageMigration declared by Krake and unused; default {@code "none"}
 * @param autoClusterCreate whether the scheduler may create a cluster on a cloud when no cluster
 *     fits; default {@code false}
 * @param lifecycle the container lifecycle hooks ({@code post_start}, {@code pre_stop}), an object;
 *     empty when absent. Not a Krake field: its format and semantics are the hooks module's ({@code
 *     cloud.krake.hooks.lifecycle.LifecycleHooks}); here it is only checked to be an object, and an
 *     {@link ApplicationValidator} registered with {@code Krake.Builder} checks the rest when the
 *     application is created or its spec changes. Not serialised when empty, so documents stay
 *     Krake's. {@link #toString()} shows only how many hooks it holds (headers may carry secrets)
 * @param executionHooks the Kanister-style execution hooks by action ({@code deploy}, {@code
 *     update}, {@code migrate}, {@code delete}), an object; empty when absent. Not a Krake field:
 *     format and semantics are the hooks module's ({@code
 *     cloud.krake.hooks.execution.ExecutionHooks}), checked like {@code lifecycle}
 */
public record ApplicationSpec(
    List<ObjectNode> manifest,
    JsonNode tosca,
    Optional<String> csar,
    List<ObjectNode> observerSchema,
    Optional<Constraints> constraints,
    List<String> hooks,
    Optional<Integer> shutdownGraceTime,
    Optional<String> shutdownFailureStrategy,
    Optional<Integer> shutdownRetryCount,
    int backoff,
    int backoffDelay,
    int backoffLimit,
    String storageMigration,
    boolean autoClusterCreate,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) JsonNode lifecycle,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) JsonNode executionHooks) {

  /** The default of {@code backoff}. */
  public static final int DEFAULT_BACKOFF = 1;

  /** The default of {@code backoff_delay}, in seconds. */
  public static final int DEFAULT_BACKOFF_DELAY = 1;

  /** The default of {@code backoff_limit}: retry forever. */
  public static final int DEFAULT_BACKOFF_LIMIT = -1;

  /** The shutdown failure strategies Krake knows. */
  public static final Set<String> SHUTDOWN_FAILURE_STRATEGIES = Set.of("delete", "give_up");

  /**
   * Normalises absent values and copies the collections and JSON trees.
   *
   * @throws InvalidResourceException naming the element if a list holds a {@code null}
   */
  public ApplicationSpec {
    manifest = Values.nodes("manifest", manifest);
    tosca = Values.node(tosca);
    csar = Values.opt(csar);
    observerSchema = Values.nodes("observer_schema", observerSchema);
    constraints = Values.opt(constraints);
    hooks = Values.list("hooks", hooks);
    shutdownGraceTime = Values.opt(shutdownGraceTime);
    shutdownFailureStrategy = Values.opt(shutdownFailureStrategy);
    shutdownRetryCount = Values.opt(shutdownRetryCount);
    storageMigration = storageMigration == null ? "none" : storageMigration;
    lifecycle = Values.node(lifecycle);
    executionHooks = Values.node(executionHooks);
  }

  @JsonCreator
  static ApplicationSpec fromJson(
      @JsonProperty("manifest") List<ObjectNode> manifest,
      @JsonProperty("tosca") JsonNode tosca,
      @JsonProperty("csar") Optional<String> csar,
      @JsonProperty("observer_schema") List<ObjectNode> observerSchema,
      @JsonProperty("constraints") Optional<Constraints> constraints,
      @JsonProperty("hooks") List<String> hooks,
      @JsonProperty("shutdown_grace_time") Optional<Integer> shutdownGraceTime,
      @JsonProperty("shutdown_failure_strategy") Optional<String> shutdownFailureStrategy,
      @JsonProperty("shutdown_retry_count") Optional<Integer> shutdownRetryCount,
      @JsonProperty("backoff") Integer backoff,
      @JsonProperty("backoff_delay") Integer backoffDelay,
      @JsonProperty("backoff_limit") Integer backoffLimit,
      @JsonProperty("storage_migration") String storageMigration,
      @JsonProperty("auto_cluster_create") Boolean autoClusterCreate,
      @JsonProperty("lifecycle") JsonNode lifecycle,
      @JsonProperty("execution_hooks") JsonNode executionHooks) {
    return new ApplicationSpec(
        manifest,
        tosca,
        csar,
        observerSchema,
        constraints,
        hooks,
        shutdownGraceTime,
        shutdownFailureStrategy,
        shutdownRetryCount,
        backoff == null ? DEFAULT_BACKOFF : backoff,
        backoffDelay == null ? DEFAULT_BACKOFF_DELAY : backoffDelay,
        backoffLimit == null ? DEFAULT_BACKOFF_LIMIT : backoffLimit,
        storageMigration,
        autoClusterCreate != null && autoClusterCreate,
        lifecycle,
        executionHooks);
  }

  /**
   * Returns a spec with a manifest and constraints and every other field at its default.
   *
   * @param manifest the Kubernetes resources
   * @param constraints the scheduling constraints
   */
  public static ApplicationSpec of(List<ObjectNode> manifest, Constraints constraints) {
    Objects.requireNonNull(manifest, "manifest");
    Objects.requireNonNull(constraints, "constraints");
    return fromJson(
        manifest,
        null,
        null,
        null,
        Optional.of(constraints),
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null);
  }

  /**
   * Returns the manifest's resources, as an unmodifiable list of read-only trees (the same
   * instances on every call, never copied): their mutators throw {@link
   * UnsupportedOperationException}; call {@code deepCopy()} on a resource to get one to change.
   */
  @Override
  public List<ObjectNode> manifest() {
    return manifest;
  }

  /**
   * Returns the TOSCA template (an object, or a URL string), read-only and never copied (see {@link
   * ReadOnlyJson}); call {@code deepCopy()} on it to get a tree to change.
   */
  @Override
  public JsonNode tosca() {
    return tosca;
  }

  /**
   * Returns {@code lifecycle} (an object, empty when absent), read-only and never copied (see
   * {@link ReadOnlyJson}); call {@code deepCopy()} on it to get a tree to change.
   */
  @Override
  public JsonNode lifecycle() {
    return lifecycle;
  }

  /**
   * Returns {@code execution_hooks} (an object, empty when absent), read-only and never copied (see
   * {@link ReadOnlyJson}); call {@code deepCopy()} on it to get a tree to change.
   */
  @Override
  public JsonNode executionHooks() {
    return executionHooks;
  }

  /**
   * Returns a copy with other lifecycle hooks.
   *
   * @param lifecycle the {@code lifecycle} object; {@code null} or missing means none
   */
  public ApplicationSpec withLifecycle(JsonNode lifecycle) {
    Copy copy = new Copy(this);
    copy.lifecycle = lifecycle;
    return copy.build();
  }

  /**
   * Returns a copy with other execution hooks.
   *
   * @param executionHooks the {@code execution_hooks} object; {@code null} or missing means none
   */
  public ApplicationSpec withExecutionHooks(JsonNode executionHooks) {
    Copy copy = new Copy(this);
    copy.executionHooks = executionHooks;
    return copy.build();
  }

  /**
   * Returns the observer schema's entries, as an unmodifiable list of read-only trees (the same
   * instances on every call, never copied; see {@link ReadOnlyJson}); call {@code deepCopy()} on an
   * entry to get one to change.
   */
  @Override
  public List<ObjectNode> observerSchema() {
    return observerSchema;
  }

  /**
   * Checks the spec against Krake's rules and returns every violation, each naming its field below
   * {@code prefix}:
   *
   * <ul>
   *   <li>at least one of {@code manifest}, {@code tosca}, {@code csar} is non-empty;
   *   <li>every manifest resource has {@code apiVersion}, {@code kind}, {@code metadata} and {@code
   *       metadata.name}; every missing field of every resource is reported, named like {@code
   *       spec.manifest[1] (Service echo-demo).apiVersion};
   *   <li>when the manifest is non-empty, the observer schema follows Krake's format: each entry
   *       names {@code apiVersion}, {@code kind} and {@code metadata.name} of a manifest resource,
   *       every other leaf is {@code null}, and every list ends with a control dictionary {@code
   *       {observer_schema_list_min_length, observer_schema_list_max_length}} of integers {@code >=
   *       0} where a non-zero maximum is at least the minimum and the number of listed elements (a
   *       maximum of {@code 0} means unlimited); unlike Krake every error is reported, not the
   *       first;
   *   <li>a string {@code tosca} ends with {@code .yaml}/{@code .yml}, {@code csar} with {@code
   *       .csar}/{@code .zip}; a TOSCA object is not checked against the TOSCA specification here
   *       (Krake runs a TOSCA parser);
   *   <li>{@code constraints} is present;
   *   <li>{@code shutdown_grace_time > 0}, {@code shutdown_retry_count >= 0}, and {@code
   *       shutdown_failure_strategy} is {@code delete} or {@code give_up}. Krake does not check the
   *       strategy and silently treats any other value as {@code give_up}; we reject it;
   *   <li>{@code backoff >= 1}, {@code backoff_delay >= 0}, {@code backoff_limit >= -1} (Krake does
   *       not check these).
   * </ul>
   *
   * @param prefix the path of the spec in the document, normally {@code spec}
   * @return every violation; empty if valid
   */
  public List<FieldError> validate(String prefix) {
    Objects.requireNonNull(prefix, "prefix");
    List<FieldError> errors = new ArrayList<>();
    boolean hasTosca =
        tosca.isTextual() ? !tosca.asText().isEmpty() : tosca.isContainerNode() && !tosca.isEmpty();
    if (manifest.isEmpty() && !hasTosca && csar.map(String::isEmpty).orElse(true)) {
      errors.add(
          new FieldError(
              prefix + ".manifest",
              "the application must be defined by a manifest, a TOSCA template or a CSAR"
                  + " archive"));
    }
    errors.addAll(Manifests.validateManifest(prefix + ".manifest", manifest));
    if (!manifest.isEmpty()) {
      errors.addAll(
          Manifests.validateObserverSchema(prefix + ".observer_schema", observerSchema, manifest));
    }
    if (tosca.isTextual()) {
      String url = tosca.asText();
      if (!url.isEmpty() && !(url.endsWith(".yaml") || url.endsWith(".yml"))) {
        errors.add(new FieldError(prefix + ".tosca", "a TOSCA URL must end with .yaml or .yml"));
      }
    } else if (!tosca.isObject()) {
      errors.add(new FieldError(prefix + ".tosca", "must be an object or a URL"));
    }
    csar.ifPresent(
        url -> {
          if (!(url.endsWith(".csar") || url.endsWith(".zip"))) {
            errors.add(new FieldError(prefix + ".csar", "a CSAR URL must end with .csar or .zip"));
          }
        });
    if (constraints.isEmpty()) {
      errors.add(new FieldError(prefix + ".constraints", "is required"));
    }
    if (!lifecycle.isObject()) {
      errors.add(new FieldError(prefix + ".lifecycle", "must be an object"));
    }
    if (!executionHooks.isObject()) {
      errors.add(new FieldError(prefix + ".execution_hooks", "must be an object"));
    }
    shutdownGraceTime.ifPresent(
        t -> {
          if (t <= 0) {
            errors.add(new FieldError(prefix + ".shutdown_grace_time", "must be > 0 (seconds)"));
          }
        });
    shutdownRetryCount.ifPresent(
        c -> {
          if (c < 0) {
            errors.add(new FieldError(prefix + ".shutdown_retry_count", "must be >= 0"));
          }
        });
    shutdownFailureStrategy.ifPresent(
        s -> {
          if (!SHUTDOWN_FAILURE_STRATEGIES.contains(s)) {
            errors.add(
                new FieldError(
                    prefix + ".shutdown_failure_strategy", "must be 'delete' or 'give_up'"));
          }
        });
    Backoff.validate(prefix, backoff, backoffDelay, backoffLimit, errors);
    return errors;
  }

  /**
   * Returns a copy with another manifest.
   *
   * @param manifest the Kubernetes resources
   */
  public ApplicationSpec withManifest(List<ObjectNode> manifest) {
    Copy copy = new Copy(this);
    copy.manifest = manifest;
    return copy.build();
  }

  /**
   * Returns a copy with another observer schema.
   *
   * @param observerSchema the observer schema entries
   */
  public ApplicationSpec withObserverSchema(List<ObjectNode> observerSchema) {
    Copy copy = new Copy(this);
    copy.observerSchema = observerSchema;
    return copy.build();
  }

  /**
   * Returns a copy with other constraints.
   *
   * @param constraints the scheduling constraints
   */
  public ApplicationSpec withConstraints(Constraints constraints) {
    Copy copy = new Copy(this);
    copy.constraints = Optional.of(constraints);
    return copy.build();
  }

  /**
   * Returns a copy with other enabled hooks.
   *
   * @param hooks the hook names, for example {@code "complete"}, {@code "shutdown"}
   */
  public ApplicationSpec withHooks(List<String> hooks) {
    Copy copy = new Copy(this);
    copy.hooks = hooks;
    return copy.build();
  }

  /**
   * Returns a copy with other shutdown settings.
   *
   * @param graceTime seconds to wait for the acknowledgement; empty for the configured default
   * @param failureStrategy {@code "delete"} or {@code "give_up"}; empty for the configured default
   * @param retryCount retries before the failure strategy; empty for the configured default
   */
  public ApplicationSpec withShutdown(
      Optional<Integer> graceTime, Optional<String> failureStrategy, Optional<Integer> retryCount) {
    Copy copy = new Copy(this);
    copy.shutdownGraceTime = graceTime;
    copy.shutdownFailureStrategy = failureStrategy;
    copy.shutdownRetryCount = retryCount;
    return copy.build();
  }

  /**
   * Returns a copy with other scheduling retry settings.
   *
   * @param backoff the delay multiplier
   * @param backoffDelay the base delay, in seconds
   * @param backoffLimit the number of retries, {@code -1} for unlimited
   */
  public ApplicationSpec withBackoff(int backoff, int backoffDelay, int backoffLimit) {
    Copy copy = new Copy(this);
    copy.backoff = backoff;
    copy.backoffDelay = backoffDelay;
    copy.backoffLimit = backoffLimit;
    return copy.build();
  }

  /** Returns the spec with the data of Secret resources in the manifest masked. */
  @Override
  public String toString() {
    return "ApplicationSpec[manifest="
        + Redaction.manifests(manifest)
        + ", tosca="
        + tosca
        + ", csar="
        + csar
        + ", observerSchema="
        + observerSchema
        + ", constraints="
        + constraints
        + ", hooks="
        + hooks
        + ", shutdownGraceTime="
        + shutdownGraceTime
        + ", shutdownFailureStrategy="
        + shutdownFailureStrategy
        + ", shutdownRetryCount="
        + shutdownRetryCount
        + ", backoff="
        + backoff
        + ", backoffDelay="
        + backoffDelay
        + ", backoffLimit="
        + backoffLimit
        + ", storageMigration="
        + storageMigration
        + ", autoClusterCreate="
        + autoClusterCreate
        + ", lifecycle="
        + (lifecycle.isEmpty() ? "{}" : "<" + lifecycle.size() + " hooks>")
        + ", executionHooks="
        + (executionHooks.isEmpty() ? "{}" : "<" + executionHooks.size() + " actions>")
        + "]";
  }

  /** The components of a spec, changed one by one by the {@code with} methods. */
  private static final class Copy {
    List<ObjectNode> manifest;
    JsonNode tosca;
    Optional<String> csar;
    List<ObjectNode> observerSchema;
    Optional<Constraints> constraints;
    List<String> hooks;
    Optional<Integer> shutdownGraceTime;
    Optional<String> shutdownFailureStrategy;
    Optional<Integer> shutdownRetryCount;
    int backoff;
    int backoffDelay;
    int backoffLimit;
    String storageMigration;
    boolean autoClusterCreate;
    JsonNode lifecycle;
    JsonNode executionHooks;

    Copy(ApplicationSpec spec) {
      manifest = spec.manifest;
      tosca = spec.tosca;
      csar = spec.csar;
      observerSchema = spec.observerSchema;
      constraints = spec.constraints;
      hooks = spec.hooks;
      shutdownGraceTime = spec.shutdownGraceTime;
      shutdownFailureStrategy = spec.shutdownFailureStrategy;
      shutdownRetryCount = spec.shutdownRetryCount;
      backoff = spec.backoff;
      backoffDelay = spec.backoffDelay;
      backoffLimit = spec.backoffLimit;
      storageMigration = spec.storageMigration;
      autoClusterCreate = spec.autoClusterCreate;
      lifecycle = spec.lifecycle;
      executionHooks = spec.executionHooks;
    }

    ApplicationSpec build() {
      return new ApplicationSpec(
          manifest,
          tosca,
          csar,
          observerSchema,
          constraints,
          hooks,
          shutdownGraceTime,
          shutdownFailureStrategy,
          shutdownRetryCount,
          backoff,
          backoffDelay,
          backoffLimit,
          storageMigration,
          autoClusterCreate,
          lifecycle,
          executionHooks);
    }
  }
}
