package cloud.krake.k8s;

/**
 * A running list-and-watch of one kind of object in one cluster, started by {@link
 * ClusterClient#watch}. Resumes after a dropped connection from the last resource version it
 * delivered and re-lists after 410 Gone, so nothing is missed and nothing is delivered twice.
 */
public interface ObjectWatch extends AutoCloseable {

  /** Returns whether the first list has been delivered ({@link ObjectListener#onResync}). */
  boolean hasSynced();

  /** Stops the watch; no call to the listener starts after it returns. Idempotent. */
  @Override
  void close();
}
