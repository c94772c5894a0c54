package cloud.krake.model;

import java.util.List;

/**
 * An extra check of applications, beyond {@link Application#validate()}, for fields whose format
 * another module owns: the hooks module checks {@code spec.lifecycle} and {@code
 * spec.execution_hooks} with one (the blueprints and functions it checks against are the host's).
 * Registered with {@code Krake.Builder.applicationValidator}; the typed store layer ({@code
 * Applications}) runs every registered validator when an application is created and when an update
 * changes its spec, and rejects the write with an {@link InvalidResourceException} listing every
 * error of every validator: nothing is stored.
 *
 * <p>Implementations must be thread-safe, fast (they run on the writer's thread, before the store
 * write) and must not write anything.
 */
@FunctionalInterface
public interface ApplicationValidator {

  /**
   * Checks an application.
   *
   * @param application the application about to be stored
   * @return every problem, each naming its field (for example {@code
   *     spec.lifecycle.post_start.exec.command}); empty if none
   */
  List<FieldError> validate(Application application);
}
