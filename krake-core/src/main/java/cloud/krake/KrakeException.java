package cloud.krake;

/**
 * The root of every exception this library throws on purpose. Unchecked.
 *
 * <p>Subtypes exist only where callers branch on them (a missing resource, a lost compare-and-set,
 * an unreachable store, invalid input). Exceptions of the libraries underneath (Jackson, okhttp,
 * the Kubernetes client) are translated into a {@code KrakeException} once, at the module boundary,
 * and kept as the cause. Messages never contain secrets (tokens, private keys, credentials).
 */
public class KrakeException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with a message.
   *
   * @param message what went wrong, naming the resource, key or field concerned
   */
  public KrakeException(String message) {
    super(message);
  }

  /**
   * Creates an exception with a message and the underlying cause.
   *
   * @param message what went wrong, naming the resource, key or field concerned
   * @param cause the exception of the library underneath, kept for diagnosis
   */
  public KrakeException(String message, Throwable cause) {
    super(message, cause);
  }
}
