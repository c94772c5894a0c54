package cloud.krake.hooks.execution;

import cloud.krake.dispatcher.HookException;
import cloud.krake.model.FieldError;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * {@code KubeExec}, as Kanister's: runs {@code command} in a container of a running pod through the
 * {@link PodRunner} and publishes the {@value PhaseOutput#MARKER} lines of its stdout as the
 * phase's outputs.
 *
 * <p>Arguments: {@code pod} (required), {@code command} (required, list of strings, no implicit
 * shell), {@code container} (default: the pod's first container), {@code namespace} (default:
 * {@code .Namespace.Name} of the execution). A non-zero exit code fails the phase with the last
 * {@value KubeTaskFunction#LOG_TAIL} characters of stderr in the message.
 */
public final class KubeExecFunction implements HookFunction {

  /** The function's name. */
  public static final String NAME = "KubeExec";

  private final PodRunner runner;

  /**
   * Creates the function.
   *
   * @param runner runs the commands
   */
  public KubeExecFunction(PodRunner runner) {
    this.runner = Objects.requireNonNull(runner, "runner");
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<FieldError> validate(ObjectNode args) {
    List<FieldError> errors = new ArrayList<>();
    Args.requireText(args, "pod", errors);
    Args.requireCommand(args, "command", errors);
    Args.optionalText(args, "container", errors);
    Args.optionalText(args, "namespace", errors);
    return errors;
  }

  @Override
  public PhaseOutput execute(FunctionContext context) throws InterruptedException {
    ObjectNode args = context.args();
    PodRunner.ExecResult result =
        runner.exec(
            new PodRunner.ExecRequest(
                KubeTaskFunction.requireCluster(context, NAME),
                KubeTaskFunction.namespace(args, context, NAME),
                args.get("pod").asText(),
                Args.text(args, "container"),
                Args.strings((ArrayNode) args.get("command")),
                context.deadline()),
            context.cancellation());
    if (result.exitCode() != 0) {
      throw new HookException(
          NAME,
          "command exited with code "
              + result.exitCode()
              + "; stderr tail: "
              + Args.tail(result.stderr(), KubeTaskFunction.LOG_TAIL),
          null);
    }
    return PhaseOutput.parse(result.stdout());
  }
}
