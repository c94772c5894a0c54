package cloud.krake.store;

import cloud.krake.KrakeException;
import java.util.Objects;

/**
 * The key or resource asked for does not exist (any more). Thrown by compare-and-set writes to a
 * missing key and by the typed layer's {@code require} lookups.
 */
public class NotFoundException extends KrakeException {
  private static final long serialVersionUID = 1L;

  private final String key;

  /**
   * Creates the exception for a key.
   *
   * @param key the store key that was not found
   */
  public NotFoundException(String key) {
    super("not found: " + Objects.requireNonNull(key, "key"));
    this.key = key;
  }

  /** Returns the store key that was not found. */
  public String key() {
    return key;
  }
}
