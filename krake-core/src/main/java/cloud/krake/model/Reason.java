package cloud.krake.model;

import java.util.Objects;

/**
 * Why a resource is in an error state, as Krake's {@code Reason}: a code and a human-readable
 * message. Written to {@code status.reason} by the scheduler and the controllers and cleared when
 * the resource recovers.
 *
 * @param code the kind of error
 * @param message what went wrong; never contains a secret; a JSON {@code null} is read as {@code
 *     ""}
 */
public record Reason(ReasonCode code, String message) {

  /** Checks the components; {@code code} is required. */
  public Reason {
    if (code == null) {
      throw InvalidResourceException.of("code", "is required");
    }
    message = message == null ? "" : message;
  }

  /**
   * Returns a reason.
   *
   * @param code the kind of error
   * @param message what went wrong
   */
  public static Reason of(ReasonCode code, String message) {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(message, "message");
    return new Reason(code, message);
  }
}
