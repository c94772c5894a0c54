package cloud.krake;

import cloud.krake.model.FieldError;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A configuration was rejected when it was built: a required key is missing or a value is out of
 * range. Carries every problem found, each naming its key in Krake's configuration names (for
 * example {@code hooks.shutdown.failure_strategy}). Never quotes a secret value.
 */
public class InvalidConfigurationException extends KrakeException {
  private static final long serialVersionUID = 1L;

  private final transient List<FieldError> errors;

  /**
   * Creates the exception.
   *
   * @param errors every problem found, each naming its key; not empty
   * @throws IllegalArgumentException if {@code errors} is empty
   */
  public InvalidConfigurationException(List<FieldError> errors) {
    super(message(errors));
    this.errors = List.copyOf(errors);
  }

  /**
   * Creates the exception with the underlying cause, for a value that could not be parsed (a PEM
   * file, a URL).
   *
   * @param errors every problem found, each naming its key; not empty
   * @param cause the exception of the parser underneath, kept for diagnosis
   * @throws IllegalArgumentException if {@code errors} is empty
   */
  public InvalidConfigurationException(List<FieldError> errors, Throwable cause) {
    super(message(errors), cause);
    this.errors = List.copyOf(errors);
  }

  private static String message(List<FieldError> errors) {
    if (errors.isEmpty()) {
      throw new IllegalArgumentException("an InvalidConfigurationException needs an error");
    }
    return "invalid configuration: "
        + errors.stream().map(FieldError::toString).collect(Collectors.joining("; "));
  }

  /** Returns every problem found, each naming its key. */
  public List<FieldError> errors() {
    return errors;
  }
}
