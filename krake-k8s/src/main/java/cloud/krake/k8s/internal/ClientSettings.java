package cloud.krake.k8s.internal;

import cloud.krake.runtime.Timer;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * What every cluster client of one connector shares.
 *
 * @param requestTimeout the limit of every call but watches (connect, send, wait, read)
 * @param connectTimeout the limit of opening a connection
 * @param watchTimeout the {@code timeoutSeconds} a watch asks the server for, before jitter
 * @param minBackoff the first re-connect delay of a failed watch
 * @param maxBackoff the longest re-connect delay of a failed watch
 * @param timer runs the watches' re-connect delays
 * @param watchExecutor runs the watches' blocking streams, one task per stream
 * @param credentials what a cluster's kubeconfig may make the host run or read
 */
public record ClientSettings(
    Duration requestTimeout,
    Duration connectTimeout,
    Duration watchTimeout,
    Duration minBackoff,
    Duration maxBackoff,
    Timer timer,
    Executor watchExecutor,
    CredentialPolicy credentials) {

  /** Checks the components. */
  public ClientSettings {
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(watchTimeout, "watchTimeout");
    Objects.requireNonNull(minBackoff, "minBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    Objects.requireNonNull(timer, "timer");
    Objects.requireNonNull(watchExecutor, "watchExecutor");
    Objects.requireNonNull(credentials, "credentials");
  }
}
