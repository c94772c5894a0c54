package cloud.krake.action;

/**
 * Krake's four actions on an application's resources, as its Kubernetes application controller
 * carries them out: each one runs through an {@link ActionChain}.
 */
public enum KrakeAction {
  /** The first apply of the application's manifest to its cluster (CREATING). */
  DEPLOY("deploy"),
  /** An apply after the application's spec changed, on the cluster it runs on (RECONCILING). */
  UPDATE("update"),
  /** The move from the cluster it runs on to the one it is scheduled to (MIGRATING). */
  MIGRATE("migrate"),
  /** The deletion of its resources from its cluster once it is deleted (DELETING). */
  DELETE("delete");

  private final String jsonName;

  KrakeAction(String jsonName) {
    this.jsonName = jsonName;
  }

  /** Returns the action's name in Krake's documents, for example {@code deploy}. */
  public String jsonName() {
    return jsonName;
  }
}
