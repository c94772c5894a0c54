package cloud.krake.k8s;

import java.time.Duration;
import java.util.Objects;

/**
 * Krake's {@code migration} configuration section, for the volume migration: when the scheduler
 * moves an application whose workloads mount writable volumes, the controller copies each volume's
 * files from the old cluster's pods to the new cluster's pods before it deletes the old workload
 * (see the Kubernetes backend's documentation, "Migration that moves the data").
 *
 * <pre>{@code
 * KubernetesBackend.builder()
 *     .connector(connector)
 *     .migration(new MigrationConfig(10, Duration.ofSeconds(60), Duration.ofMinutes(5)))
 *     .build();
 * }</pre>
 *
 * @param retryMax Krake's {@code migration.retry.max}: how many times a volume's copy is tried
 *     before the migration is given up (Krake counts per file; here each try copies again the files
 *     whose sha256 still differs); at least 1
 * @param retryTimeout Krake's {@code migration.retry.timeout}: after a failed migration the
 *     scheduler leaves the application on its old cluster until {@code migration_timeout}, that is
 *     this duration times {@code migration_retries} after the failure; whole seconds are used, not
 *     negative
 * @param copyTimeout the library's bound on waiting for the new cluster's pods to run and on each
 *     command run in a pod during the copy (Krake has none); positive
 */
public record MigrationConfig(int retryMax, Duration retryTimeout, Duration copyTimeout) {

  /** Krake's defaults: 10 tries, 60 s back-off per failed migration; 5 minutes per step. */
  public static final MigrationConfig DEFAULTS =
      new MigrationConfig(10, Duration.ofSeconds(60), Duration.ofMinutes(5));

  /**
   * Checks the components.
   *
   * @throws IllegalArgumentException naming the component that is out of range
   */
  public MigrationConfig {
    Objects.requireNonNull(retryTimeout, "retryTimeout");
    Objects.requireNonNull(copyTimeout, "copyTimeout");
    if (retryMax < 1) {
      throw new IllegalArgumentException("migration.retry.max must be at least 1: " + retryMax);
    }
    if (retryTimeout.isNegative()) {
      throw new IllegalArgumentException(
          "migration.retry.timeout must not be negative: " + retryTimeout);
    }
    if (copyTimeout.isNegative() || copyTimeout.isZero()) {
      throw new IllegalArgumentException("copyTimeout must be positive: " + copyTimeout);
    }
  }

  /** Returns a copy with another {@code migration.retry.max}. */
  public MigrationConfig withRetryMax(int retryMax) {
    return new MigrationConfig(retryMax, retryTimeout, copyTimeout);
  }

  /** Returns a copy with another {@code migration.retry.timeout}. */
  public MigrationConfig withRetryTimeout(Duration retryTimeout) {
    return new MigrationConfig(retryMax, retryTimeout, copyTimeout);
  }

  /** Returns a copy with another copy timeout. */
  public MigrationConfig withCopyTimeout(Duration copyTimeout) {
    return new MigrationConfig(retryMax, retryTimeout, copyTimeout);
  }
}
