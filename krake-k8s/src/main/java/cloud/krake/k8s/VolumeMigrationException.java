package cloud.krake.k8s;

/**
 * The data of a migration could not be moved (Krake's {@code MigrationError} and {@code
 * MaxTriesError}): the message names the volume, the pods, the clusters and the file that failed.
 * The controller keeps the application on its old cluster.
 */
final class VolumeMigrationException extends Exception {

  private static final long serialVersionUID = 1L;

  VolumeMigrationException(String message) {
    super(message);
  }
}
