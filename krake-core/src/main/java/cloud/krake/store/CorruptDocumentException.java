package cloud.krake.store;

import cloud.krake.KrakeException;
import java.util.Objects;

/**
 * A document read from the store is not a valid resource of the expected kind: not JSON, the wrong
 * kind, or fields that cannot be read. Names the key, so the document can be found and repaired;
 * the cause names the field.
 */
public class CorruptDocumentException extends KrakeException {
  private static final long serialVersionUID = 1L;

  private final String key;

  /**
   * Creates the exception.
   *
   * @param key the key of the corrupt document
   * @param cause the parse error, naming the field
   */
  public CorruptDocumentException(String key, Throwable cause) {
    super(
        "corrupt document at key " + Objects.requireNonNull(key, "key") + ": " + cause.getMessage(),
        cause);
    this.key = key;
  }

  /** Returns the key of the corrupt document. */
  public String key() {
    return key;
  }
}
