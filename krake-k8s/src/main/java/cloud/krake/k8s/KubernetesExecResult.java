package cloud.krake.k8s;

import java.util.Objects;

/**
 * What a command run by {@link ClusterClient#exec} left behind, as the {@code pods/exec} channel
 * protocol reports it: the exit code from the final {@code Status} (0 on {@code Success}, the
 * {@code ExitCode} cause of {@code NonZeroExitCode}) and the two output channels.
 *
 * <p>{@link #toString()} gives sizes only: the output may carry secrets.
 *
 * @param exitCode the command's exit code
 * @param stdout what it wrote to stdout (UTF-8), at most {@link #MAX_OUTPUT_BYTES} bytes of it, the
 *     start kept
 * @param stderr what it wrote to stderr (UTF-8), limited in the same way
 */
public record KubernetesExecResult(int exitCode, String stdout, String stderr) {

  /** How much of each output channel is kept; the rest is read and dropped. */
  public static final int MAX_OUTPUT_BYTES = 4 * 1024 * 1024;

  /** Checks the components. */
  public KubernetesExecResult {
    Objects.requireNonNull(stdout, "stdout");
    Objects.requireNonNull(stderr, "stderr");
  }

  @Override
  public String toString() {
    return "KubernetesExecResult[exitCode="
        + exitCode
        + ", stdout=<"
        + stdout.length()
        + " chars>, stderr=<"
        + stderr.length()
        + " chars>]";
  }
}
