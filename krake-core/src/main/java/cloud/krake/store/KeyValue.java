package cloud.krake.store;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One versioned document of a {@link Store}, as etcd's {@code mvccpb.KeyValue}.
 *
 * <p>Ownership of the value: the constructor copies the array it is given (the one copy, where a
 * store makes the instance from a write or from the wire), and the instance owns that copy from
 * then on. {@link #value()} returns the owned array itself, without copying, so that decoding a
 * stored document (23 KiB for a running application) does not copy it first: callers must treat it
 * as read-only and copy it themselves before changing it. Changing it would change what every other
 * reader of this instance sees (a store hands the same instance to its reads and watches). {@link
 * #toString()} shows the key, the revisions and the value's size, never its content: documents may
 * hold tokens and private keys.
 *
 * @param key the document's key, for example {@code /kubernetes/applications/default/echo}
 * @param value the document's bytes (UTF-8 JSON for the typed layer)
 * @param createRevision the store revision at which this key was last created (&gt; 0)
 * @param modRevision the store revision of the last write to this key (&ge; {@code
 *     createRevision}); the value to pass as the expected revision of a compare-and-set
 * @param version how many times the key was written since it was last created (1 after a create)
 */
public record KeyValue(
    String key, byte[] value, long createRevision, long modRevision, long version) {

  /**
   * Checks the components and copies {@code value} (the instance owns the copy).
   *
   * @throws IllegalArgumentException if a revision or the version is negative, or {@code
   *     modRevision < createRevision}
   */
  public KeyValue {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    if (createRevision < 0 || modRevision < createRevision || version < 0) {
      throw new IllegalArgumentException(
          "inconsistent revisions for "
              + key
              + ": create="
              + createRevision
              + " mod="
              + modRevision
              + " version="
              + version);
    }
    value = value.clone();
  }

  /**
   * Returns the document's bytes: the instance's own array, not a copy (see the class
   * documentation). Read-only by contract: copy it before changing it.
   */
  @Override
  public byte[] value() {
    return value;
  }

  /** Returns the document decoded as UTF-8. */
  public String valueAsString() {
    return new String(value, StandardCharsets.UTF_8);
  }

  /** Returns the size of the document in bytes, without copying it. */
  public int valueSize() {
    return value.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KeyValue kv
        && key.equals(kv.key)
        && createRevision == kv.createRevision
        && modRevision == kv.modRevision
        && version == kv.version
        && Arrays.equals(value, kv.value);
  }

  @Override
  public int hashCode() {
    return Objects.hash(key, createRevision, modRevision, version) * 31 + Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    return "KeyValue[key="
        + key
        + ", createRevision="
        + createRevision
        + ", modRevision="
        + modRevision
        + ", version="
        + version
        + ", value=<"
        + value.length
        + " bytes>]";
  }
}
