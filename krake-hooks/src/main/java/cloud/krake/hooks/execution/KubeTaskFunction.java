package cloud.krake.hooks.execution;

import cloud.krake.dispatcher.HookException;
import cloud.krake.model.FieldError;
import cloud.krake.model.ResourceRef;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * {@code KubeTask}, as Kanister's: runs a new pod from {@code image} and {@code command} in the
 * target cluster to completion through the {@link PodRunner}, collects its log and publishes the
 * {@value PhaseOutput#MARKER} lines in it as the phase's outputs.
 *
 * <p>Arguments: {@code image} (required), {@code command} (required, list of strings, no implicit
 * shell), {@code namespace} (default: {@code .Namespace.Name} of the execution), {@code
 * podOverride} (a pod-spec fragment). Unlike Kanister, the pod runs as non-root by default: {@code
 * podOverride.securityContext.runAsNonRoot} is set to {@code true} unless the blueprint sets it;
 * {@code runAsUser: 0} is rejected unless {@code runAsNonRoot: false} is given explicitly.
 *
 * <p>A non-zero exit code fails the phase with the last {@value #LOG_TAIL} characters of the log in
 * the message.
 */
public final class KubeTaskFunction implements HookFunction {

  /** The function's name. */
  public static final String NAME = "KubeTask";

  /** How much of the log's end a failure message carries. */
  public static final int LOG_TAIL = 1024;

  private final PodRunner runner;

  /**
   * Creates the function.
   *
   * @param runner runs the pods
   */
  public KubeTaskFunction(PodRunner runner) {
    this.runner = Objects.requireNonNull(runner, "runner");
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<FieldError> validate(ObjectNode args) {
    List<FieldError> errors = new ArrayList<>();
    Args.requireText(args, "image", errors);
    Args.requireCommand(args, "command", errors);
    Args.optionalText(args, "namespace", errors);
    JsonNode override = args.get("podOverride");
    if (override != null && !override.isNull()) {
      if (!override.isObject()) {
        errors.add(new FieldError("podOverride", "must be an object (a pod-spec fragment)"));
      } else {
        JsonNode security = override.get("securityContext");
        if (security != null && !security.isNull() && !security.isObject()) {
          errors.add(new FieldError("podOverride.securityContext", "must be an object"));
        } else if (security != null && !security.isNull()) {
          JsonNode nonRoot = security.get("runAsNonRoot");
          JsonNode user = security.get("runAsUser");
          boolean optedOut = nonRoot != null && nonRoot.isBoolean() && !nonRoot.asBoolean();
          if (user != null && user.isIntegralNumber() && user.asLong() == 0 && !optedOut) {
            errors.add(
                new FieldError(
                    "podOverride.securityContext.runAsUser",
                    "is 0 (root), but task pods run as non-root by default; set"
                        + " podOverride.securityContext.runAsNonRoot: false to allow root"));
          }
        }
      }
    }
    return errors;
  }

  @Override
  public PhaseOutput execute(FunctionContext context) throws InterruptedException {
    ObjectNode args = context.args();
    ResourceRef cluster = requireCluster(context, NAME);
    String namespace = namespace(args, context, NAME);
    PodRunner.PodResult result =
        runner.run(
            new PodRunner.PodTask(
                cluster,
                namespace,
                args.get("image").asText(),
                Args.strings((ArrayNode) args.get("command")),
                podOverride(args),
                context.deadline()),
            context.cancellation());
    if (result.exitCode() != 0) {
      throw new HookException(
          NAME,
          "pod exited with code "
              + result.exitCode()
              + "; log tail: "
              + Args.tail(result.logs(), LOG_TAIL),
          null);
    }
    return PhaseOutput.parse(result.logs());
  }

  /** The pod override with the non-root default applied. */
  static ObjectNode podOverride(ObjectNode args) {
    JsonNode given = args.get("podOverride");
    ObjectNode override =
        given instanceof ObjectNode object
            ? object.deepCopy()
            : JsonNodeFactory.instance.objectNode();
    JsonNode security = override.get("securityContext");
    ObjectNode securityContext =
        security instanceof ObjectNode object ? object : override.putObject("securityContext");
    if (!securityContext.has("runAsNonRoot")) {
      securityContext.put("runAsNonRoot", true);
    }
    return override;
  }

  /** The target cluster, in the application's namespace. */
  static ResourceRef requireCluster(FunctionContext context, String function) {
    return context
        .execution()
        .clusterRef()
        .orElseThrow(
            () -> new HookException(function, "the execution context names no cluster", null));
  }

  static String namespace(ObjectNode args, FunctionContext context, String function) {
    return Args.text(args, "namespace")
        .or(() -> context.execution().namespace())
        .orElseThrow(
            () ->
                new HookException(
                    function,
                    "no namespace: give args.namespace or a namespace in the execution context",
                    null));
  }
}
