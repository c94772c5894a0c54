package cloud.krake.hooks.mangling;

import cloud.krake.model.Application;
import java.util.List;
import java.util.Objects;

/**
 * What {@link HookMangling#mangle(Application)} produced.
 *
 * @param application the mangled application (unchanged if the hook is not in {@code spec.hooks})
 * @param warnings the entries left alone because the manifest already held another entry of the
 *     same name, in manifest order; empty if none
 */
public record ManglingResult(Application application, List<ManglingWarning> warnings) {

  /** Checks the components and copies the warnings. */
  public ManglingResult {
    Objects.requireNonNull(application, "application");
    warnings = List.copyOf(warnings);
  }
}
