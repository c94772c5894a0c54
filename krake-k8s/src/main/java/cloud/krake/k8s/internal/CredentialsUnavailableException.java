package cloud.krake.k8s.internal;

import java.io.IOException;

/**
 * A request could not be given its credentials: the {@code exec} credential plugin failed, timed
 * out or printed no usable {@code ExecCredential}, or the token file could not be read. An {@link
 * IOException} so that okhttp fails the call with it; {@link Failures} turns it into a {@code
 * KubernetesException} keeping its message. The message never quotes a token.
 */
final class CredentialsUnavailableException extends IOException {

  private static final long serialVersionUID = 1L;

  CredentialsUnavailableException(String message) {
    super(message);
  }
}
