package cloud.krake.k8s.internal;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A kubeconfig user's {@code exec} section, as client-go's credential plugin protocol defines it.
 *
 * <p>{@link #toString()} names the command only: arguments and environment may carry secrets.
 *
 * @param apiVersion {@code client.authentication.k8s.io/v1} or {@code .../v1beta1}
 * @param command the program: a name looked up on {@code PATH}, or an absolute path
 * @param args its arguments
 * @param env extra environment variables, in order
 */
public record ExecConfig(
    String apiVersion, String command, List<String> args, Map<String, String> env) {

  /** Checks and copies the components. */
  public ExecConfig {
    Objects.requireNonNull(apiVersion, "apiVersion");
    Objects.requireNonNull(command, "command");
    args = List.copyOf(args);
    env = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(env));
  }

  @Override
  public String toString() {
    return "ExecConfig[command=" + command + "]";
  }
}
