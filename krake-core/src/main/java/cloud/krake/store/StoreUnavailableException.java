package cloud.krake.store;

import cloud.krake.KrakeException;

/**
 * The store could not be reached or did not answer in time, or the store was closed. The operation
 * may or may not have been applied; callers re-read before writing again.
 */
public class StoreUnavailableException extends KrakeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed, naming the store endpoint and operation (never credentials)
   * @param cause the I/O failure underneath, or {@code null} if there is none
   */
  public StoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
