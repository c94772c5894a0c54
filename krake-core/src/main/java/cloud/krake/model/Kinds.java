package cloud.krake.model;

import java.util.ArrayList;
import java.util.List;

/** Checks of the fixed {@code api} and {@code kind} of the top-level resources. */
final class Kinds {

  private Kinds() {}

  /**
   * Accepts an absent ({@code null}) api or kind and the expected values.
   *
   * @throws InvalidResourceException naming {@code api} and/or {@code kind} if a value differs
   */
  static void check(String api, String expectedApi, String kind, String expectedKind) {
    List<FieldError> errors = new ArrayList<>();
    if (api != null && !api.equals(expectedApi)) {
      errors.add(new FieldError("api", "must be '" + expectedApi + "', was '" + api + "'"));
    }
    if (kind != null && !kind.equals(expectedKind)) {
      errors.add(new FieldError("kind", "must be '" + expectedKind + "', was '" + kind + "'"));
    }
    if (!errors.isEmpty()) {
      throw new InvalidResourceException(errors);
    }
  }

  static Metadata metadata(Metadata metadata) {
    return metadata == null ? Metadata.global("") : metadata;
  }

  /** Validates metadata and rejects a namespace on a global resource. */
  static List<FieldError> validateMetadata(Metadata metadata, boolean namespaced) {
    List<FieldError> errors = new ArrayList<>(metadata.validate());
    if (!namespaced && metadata.namespace().isPresent()) {
      errors.add(new FieldError("metadata.namespace", "must be absent: the resource is global"));
    }
    return errors;
  }
}
