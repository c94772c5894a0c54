package cloud.krake.model;

import java.util.List;

/** The retry settings shared by application and cluster specs. */
final class Backoff {

  private Backoff() {}

  static void validate(
      String prefix, int backoff, int backoffDelay, int backoffLimit, List<FieldError> errors) {
    if (backoff < 1) {
      errors.add(new FieldError(prefix + ".backoff", "must be >= 1"));
    }
    if (backoffDelay < 0) {
      errors.add(new FieldError(prefix + ".backoff_delay", "must be >= 0 (seconds)"));
    }
    if (backoffLimit < -1) {
      errors.add(new FieldError(prefix + ".backoff_limit", "must be >= -1 (-1: unlimited)"));
    }
  }
}
