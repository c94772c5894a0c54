package cloud.krake.model;

import cloud.krake.KrakeException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A document was rejected: malformed JSON or YAML, a document of the wrong kind, or values that
 * break Krake's validation rules. Carries every error found, each naming its field, so that a
 * caller can fix all of them at once (as Krake's HTTP 422 answers). Nothing was stored.
 */
public class InvalidResourceException extends KrakeException {
  private static final long serialVersionUID = 1L;

  private final transient List<FieldError> errors;

  /**
   * Creates the exception.
   *
   * @param errors every error found; not empty
   * @throws IllegalArgumentException if {@code errors} is empty
   */
  public InvalidResourceException(List<FieldError> errors) {
    this(errors, null);
  }

  /**
   * Creates the exception with the parser's exception as cause.
   *
   * @param errors every error found; not empty
   * @param cause the parser's exception, or {@code null}
   * @throws IllegalArgumentException if {@code errors} is empty
   */
  public InvalidResourceException(List<FieldError> errors, Throwable cause) {
    super(message(errors), cause);
    this.errors = List.copyOf(errors);
  }

  /**
   * Creates the exception for one field.
   *
   * @param field the offending field's path
   * @param message what is wrong with it
   */
  public static InvalidResourceException of(String field, String message) {
    return new InvalidResourceException(List.of(new FieldError(field, message)));
  }

  private static String message(List<FieldError> errors) {
    if (errors.isEmpty()) {
      throw new IllegalArgumentException("an InvalidResourceException needs at least one error");
    }
    return "invalid resource: "
        + errors.stream().map(FieldError::toString).collect(Collectors.joining("; "));
  }

  /** Returns every error found, in document order. */
  public List<FieldError> errors() {
    return errors;
  }
}
