package cloud.krake.hooks.execution;

import java.util.Optional;

/**
 * The actions of an application that execution hooks can surround, with their names in {@code
 * spec.execution_hooks} and in the store keys of {@link HookRecords}.
 */
public enum HookAction {
  /** The first deployment of the application to a cluster. */
  DEPLOY("deploy"),
  /** An update of the application's resources on its cluster. */
  UPDATE("update"),
  /** A migration of the application to another cluster. */
  MIGRATE("migrate"),
  /** The deletion of the application's resources. */
  DELETE("delete");

  private final String jsonName;

  HookAction(String jsonName) {
    this.jsonName = jsonName;
  }

  /** Returns the name used in JSON and in store keys, for example {@code deploy}. */
  public String jsonName() {
    return jsonName;
  }

  /**
   * Returns the action with a JSON name.
   *
   * @param jsonName for example {@code migrate}
   * @return the action, or empty if no action has that name
   */
  public static Optional<HookAction> fromJsonName(String jsonName) {
    for (HookAction action : values()) {
      if (action.jsonName.equals(jsonName)) {
        return Optional.of(action);
      }
    }
    return Optional.empty();
  }
}
