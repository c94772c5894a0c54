package cloud.krake.store;

import cloud.krake.KrakeException;

/**
 * The lease does not exist (any more): it expired, was revoked, or was never granted by this store.
 * As etcd's "requested lease not found". Whatever depended on the lease (its keys, the membership
 * or ownership it stood for) is gone; the holder grants a new lease and re-creates its keys.
 */
public class LeaseNotFoundException extends KrakeException {
  private static final long serialVersionUID = 1L;

  private final long leaseId;

  /**
   * Creates the exception.
   *
   * @param leaseId the lease asked for
   */
  public LeaseNotFoundException(long leaseId) {
    super("lease not found (expired or revoked): " + leaseId);
    this.leaseId = leaseId;
  }

  /** Returns the id of the lease asked for. */
  public long leaseId() {
    return leaseId;
  }
}
