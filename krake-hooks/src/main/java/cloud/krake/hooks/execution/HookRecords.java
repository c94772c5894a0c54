package cloud.krake.hooks.execution;

import cloud.krake.KrakeException;
import cloud.krake.model.InvalidResourceException;
import cloud.krake.model.KrakeJson;
import cloud.krake.store.ConflictException;
import cloud.krake.store.KeyValue;
import cloud.krake.store.Store;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The store of {@link HookRecord}s on the core {@link Store} SPI: one document per application,
 * action and hook, under {@code /krake/hookruns/{namespace}/{application}/{action}/{hook}} (for
 * example {@code /krake/hookruns/default/mysql/deploy/preHook}), holding the latest occurrence of
 * that action. Writes are compare-and-set on the document's revision, so of two hosts (or a host
 * and its restarted self) only one starts an attempt or records its outcome.
 *
 * <p>Thread-safe, as the store. Every method may throw what the store throws ({@code
 * StoreUnavailableException}).
 */
public final class HookRecords {

  /** The key prefix of every hook record. */
  public static final String PREFIX = "/krake/hookruns/";

  private static final Pattern PARAMETER = Pattern.compile("[.a-zA-Z0-9_:-]+");

  private final Store store;

  /**
   * Creates the typed layer.
   *
   * @param store the store; stays the caller's
   */
  public HookRecords(Store store) {
    this.store = Objects.requireNonNull(store, "store");
  }

  /**
   * A record with the store revision to pass to {@link #update}.
   *
   * @param record the record
   * @param revision the document's modification revision
   */
  public record Versioned(HookRecord record, long revision) {
    /** Checks the components. */
    public Versioned {
      Objects.requireNonNull(record, "record");
    }
  }

  /**
   * Returns the key of a record.
   *
   * @param namespace the application's namespace
   * @param application the application's name
   * @param action the action
   * @param hook the hook
   * @throws IllegalArgumentException if the namespace or name has characters other than {@code
   *     [.a-zA-Z0-9_:-]}
   */
  public static String key(String namespace, String application, HookAction action, HookKind hook) {
    return prefix(namespace, application) + action.jsonName() + "/" + hook.jsonName();
  }

  private static String prefix(String namespace, String application) {
    return PREFIX
        + parameter(namespace, "namespace")
        + "/"
        + parameter(application, "application")
        + "/";
  }

  private static String parameter(String value, String what) {
    Objects.requireNonNull(value, what);
    if (!PARAMETER.matcher(value).matches()) {
      throw new IllegalArgumentException(
          "a hook record's " + what + " must match [.a-zA-Z0-9_:-]+: '" + value + "'");
    }
    return value;
  }

  /**
   * Reads a record.
   *
   * @param namespace the application's namespace
   * @param application the application's name
   * @param action the action
   * @param hook the hook
   * @return the record with its revision, or empty if there is none
   * @throws KrakeException if the stored document is not a hook record
   */
  public Optional<Versioned> find(
      String namespace, String application, HookAction action, HookKind hook) {
    return store.get(key(namespace, application, action, hook)).map(HookRecords::decode);
  }

  /**
   * Creates a record that must not exist yet.
   *
   * @param record the record
   * @return it with its revision
   * @throws ConflictException if a record exists under its key
   */
  public Versioned create(HookRecord record) {
    Objects.requireNonNull(record, "record");
    KeyValue kv = store.create(keyOf(record), KrakeJson.writeBytes(record.toJson()));
    return new Versioned(record, kv.modRevision());
  }

  /**
   * Replaces a record if its revision is still {@code expectedRevision}.
   *
   * @param record the new record
   * @param expectedRevision the revision read
   * @return it with its new revision
   * @throws ConflictException if the record changed or vanished since
   */
  public Versioned update(HookRecord record, long expectedRevision) {
    Objects.requireNonNull(record, "record");
    KeyValue kv =
        store.update(keyOf(record), KrakeJson.writeBytes(record.toJson()), expectedRevision);
    return new Versioned(record, kv.modRevision());
  }

  /**
   * Lists the records of one application.
   *
   * @param namespace the application's namespace
   * @param application the application's name
   * @return its records in key order
   */
  public List<HookRecord> list(String namespace, String application) {
    List<HookRecord> records = new ArrayList<>();
    for (KeyValue kv : store.listAll(prefix(namespace, application))) {
      records.add(decode(kv).record());
    }
    return records;
  }

  /**
   * Deletes the records of one application (once it is gone); a record changed concurrently is
   * left.
   *
   * @param namespace the application's namespace
   * @param application the application's name
   * @return how many were deleted
   */
  public int deleteAll(String namespace, String application) {
    int deleted = 0;
    for (KeyValue kv : store.listAll(prefix(namespace, application))) {
      try {
        store.delete(kv.key(), kv.modRevision());
        deleted++;
      } catch (ConflictException e) {
        // written meanwhile: left for the next clean-up
      }
    }
    return deleted;
  }

  private static String keyOf(HookRecord record) {
    return key(record.namespace(), record.application(), record.action(), record.hook());
  }

  private static Versioned decode(KeyValue kv) {
    try {
      return new Versioned(HookRecord.fromJson(kv.value()), kv.modRevision());
    } catch (InvalidResourceException | IllegalArgumentException | java.time.DateTimeException e) {
      throw new KrakeException("not a hook record: " + kv.key(), e);
    } catch (java.util.NoSuchElementException e) {
      throw new KrakeException("not a hook record: " + kv.key(), e);
    }
  }
}
