package cloud.krake.model;

import java.util.Objects;

/**
 * One reason a document was rejected.
 *
 * @param field the path of the offending field in the document's JSON names, for example {@code
 *     metadata.name} or {@code spec.manifest[1] (Service echo-demo).apiVersion}
 * @param message what is wrong with it; never contains a secret value
 */
public record FieldError(String field, String message) {

  /** Checks the components. */
  public FieldError {
    Objects.requireNonNull(field, "field");
    Objects.requireNonNull(message, "message");
  }

  @Override
  public String toString() {
    return field + ": " + message;
  }
}
