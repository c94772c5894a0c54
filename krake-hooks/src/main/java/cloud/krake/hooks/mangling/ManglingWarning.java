package cloud.krake.hooks.mangling;

import java.util.Objects;

/**
 * An entry the mangling wanted to inject but left alone, because the manifest already holds a
 * different entry under the same name (for example a user-written {@code KRAKE_COMPLETE_TOKEN}
 * environment variable). The application may then not be able to call its hook. Names no value.
 *
 * @param application the application, as {@code <namespace>/<name>}
 * @param hook {@code complete} or {@code shutdown}
 * @param resource the workload, as {@code <kind> <name>} (with {@code in <namespace>} if it has
 *     one)
 * @param field the path of the list in the workload, for example {@code
 *     spec.template.spec.containers[0].env}
 * @param entry the name of the entry left alone
 */
public record ManglingWarning(
    String application, String hook, String resource, String field, String entry) {

  /** Checks the components. */
  public ManglingWarning {
    Objects.requireNonNull(application, "application");
    Objects.requireNonNull(hook, "hook");
    Objects.requireNonNull(resource, "resource");
    Objects.requireNonNull(field, "field");
    Objects.requireNonNull(entry, "entry");
  }

  /** Returns a one-line description, as logged. */
  public String message() {
    return "application "
        + application
        + ": "
        + resource
        + " already has an entry named "
        + entry
        + " in "
        + field
        + "; left unchanged, so the "
        + hook
        + " hook may not reach the application";
  }
}
