package cloud.krake.k8s.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * What a connector lets a stored cluster's kubeconfig make the host do: which {@code exec}
 * credential plugin commands it may run, and under which directories its {@code tokenFile} may lie.
 * Both are empty by default: a kubeconfig naming either is refused.
 *
 * @param execCommands the {@code exec.command} values allowed, compared as written
 * @param tokenFileDirectories the absolute, normalized directories a {@code tokenFile} may lie
 *     under
 * @param execTimeout the limit of one plugin run, from start to exit
 * @param execStreams reads a running plugin's stdout and stderr, one task per stream
 */
public record CredentialPolicy(
    Set<String> execCommands,
    List<Path> tokenFileDirectories,
    Duration execTimeout,
    Executor execStreams) {

  /** Checks and copies the components. */
  public CredentialPolicy {
    execCommands = Set.copyOf(execCommands);
    tokenFileDirectories = List.copyOf(tokenFileDirectories);
    Objects.requireNonNull(execTimeout, "execTimeout");
    Objects.requireNonNull(execStreams, "execStreams");
  }

  /** Whether a token file lies under an allowed directory. */
  boolean allowsTokenFile(Path file) {
    Path normalized = file.toAbsolutePath().normalize();
    return tokenFileDirectories.stream().anyMatch(normalized::startsWith);
  }
}
