package cloud.krake.hooks.lifecycle;

import cloud.krake.KrakeException;
import cloud.krake.model.KrakeJson;
import cloud.krake.store.ConflictException;
import cloud.krake.store.KeyValue;
import cloud.krake.store.Store;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The durable records of lifecycle hook runs on the core {@link Store} SPI: one document per run
 * under {@code /krake/lifecycle/{namespace}/{application}/{hook}/{run}} (for example {@code
 * /krake/lifecycle/default/echo/post_start/0000000003}), the run number zero-padded so that key
 * order is run order. A run is created before its handler starts and updated when it ends, both
 * compare-and-set, so a record still {@link LifecycleRun.State#RUNNING} after a restart means the
 * outcome is unknown and the hook must run again (at-least-once). The newest {@value #KEPT_RUNS}
 * runs of each hook are kept; older ones are deleted when a run is created.
 *
 * <p>Thread-safe, as the store. Every method may throw what the store throws ({@code
 * StoreUnavailableException}).
 */
public final class LifecycleRecords {

  /** The key prefix of every lifecycle record. */
  public static final String PREFIX = "/krake/lifecycle/";

  /** How many runs of one hook of one application are kept. */
  public static final int KEPT_RUNS = 20;

  private static final Pattern PARAMETER = Pattern.compile("[.a-zA-Z0-9_:-]+");

  private final Store store;

  /**
   * Creates the typed layer.
   *
   * @param store the store; stays the caller's
   */
  public LifecycleRecords(Store store) {
    this.store = Objects.requireNonNull(store, "store");
  }

  /**
   * A run with the store revision to pass to {@link #update}.
   *
   * @param run the run
   * @param revision the document's modification revision
   */
  public record Versioned(LifecycleRun run, long revision) {
    /** Checks the components. */
    public Versioned {
      Objects.requireNonNull(run, "run");
    }
  }

  /**
   * Returns the key of a run.
   *
   * @param namespace the application's namespace
   * @param application the application's name
   * @param hook the hook
   * @param run the run's number
   * @throws IllegalArgumentException if the namespace or name has characters other than {@code
   *     [.a-zA-Z0-9_:-]}
   */
  public static String key(
      String namespace, String application, LifecycleHookPoint hook, long run) {
    return hookPrefix(namespace, application, hook) + String.format("%010d", run);
  }

  private static String prefix(String namespace, String application) {
    return PREFIX
        + parameter(namespace, "namespace")
        + "/"
        + parameter(application, "application")
        + "/";
  }

  private static String hookPrefix(String namespace, String application, LifecycleHookPoint hook) {
    return prefix(namespace, application) + Objects.requireNonNull(hook, "hook").jsonName() + "/";
  }

  private static String parameter(String value, String what) {
    Objects.requireNonNull(value, what);
    if (!PARAMETER.matcher(value).matches()) {
      throw new IllegalArgumentException(
          "a lifecycle record's " + what + " must match [.a-zA-Z0-9_:-]+: '" + value + "'");
    }
    return value;
  }

  /**
   * Lists the runs of one hook of an application, oldest first.
   *
   * @param namespace the application's namespace
   * @param application the application's name
   * @param hook the hook
   * @return its runs with their revisions
   * @throws KrakeException if a stored document is not a lifecycle record
   */
  public List<Versioned> runs(String namespace, String application, LifecycleHookPoint hook) {
    List<Versioned> runs = new ArrayList<>();
    for (KeyValue kv : store.listAll(hookPrefix(namespace, application, hook))) {
      runs.add(decode(kv));
    }
    runs.sort(Comparator.comparingLong(v -> v.run().run()));
    return runs;
  }

  /**
   * Returns the newest run of one hook of an application.
   *
   * @param namespace the application's namespace
   * @param application the application's name
   * @param hook the hook
   * @return the run, or empty if the hook never ran
   */
  public Optional<LifecycleRun> latest(
      String namespace, String application, LifecycleHookPoint hook) {
    List<Versioned> runs = runs(namespace, application, hook);
    return runs.isEmpty() ? Optional.empty() : Optional.of(runs.get(runs.size() - 1).run());
  }

  /**
   * Lists every run of an application's hooks, postStart runs before preStop runs, each oldest
   * first.
   *
   * @param namespace the application's namespace
   * @param application the application's name
   * @return the runs
   */
  public List<LifecycleRun> list(String namespace, String application) {
    List<LifecycleRun> all = new ArrayList<>();
    for (LifecycleHookPoint hook : LifecycleHookPoint.values()) {
      runs(namespace, application, hook).forEach(v -> all.add(v.run()));
    }
    return all;
  }

  /**
   * Returns the events of every recorded run of an application, oldest first: the Java API's view
   * of what {@code kubectl get events} shows for the kubelet's hooks.
   *
   * @param namespace the application's namespace
   * @param application the application's name
   * @return the events
   */
  public List<LifecycleEvent> events(String namespace, String application) {
    List<LifecycleEvent> events = new ArrayList<>();
    list(namespace, application).forEach(run -> events.addAll(run.events()));
    events.sort(Comparator.comparing(LifecycleEvent::time));
    return events;
  }

  /**
   * Creates a run that must not exist yet, then deletes this hook's runs beyond the newest {@value
   * #KEPT_RUNS}.
   *
   * @param run the run
   * @return it with its revision
   * @throws ConflictException if a run with its number exists
   */
  public Versioned create(LifecycleRun run) {
    Objects.requireNonNull(run, "run");
    KeyValue kv =
        store.create(
            key(run.namespace(), run.application(), run.hook(), run.run()),
            KrakeJson.writeBytes(run.toJson()));
    List<KeyValue> all = store.listAll(hookPrefix(run.namespace(), run.application(), run.hook()));
    for (int i = 0; i < all.size() - KEPT_RUNS; i++) {
      try {
        store.delete(all.get(i).key(), all.get(i).modRevision());
      } catch (ConflictException e) {
        // written meanwhile: left for the next run
      }
    }
    return new Versioned(run, kv.modRevision());
  }

  /**
   * Replaces a run if its revision is still {@code expectedRevision}.
   *
   * @param run the new state of the run
   * @param expectedRevision the revision read
   * @return it with its new revision
   * @throws ConflictException if the run changed or vanished since
   */
  public Versioned update(LifecycleRun run, long expectedRevision) {
    Objects.requireNonNull(run, "run");
    KeyValue kv =
        store.update(
            key(run.namespace(), run.application(), run.hook(), run.run()),
            KrakeJson.writeBytes(run.toJson()),
            expectedRevision);
    return new Versioned(run, kv.modRevision());
  }

  /**
   * Deletes the runs of one application (once it is gone); a run changed concurrently is left.
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

  private static Versioned decode(KeyValue kv) {
    try {
      return new Versioned(LifecycleRun.fromJson(kv.value()), kv.modRevision());
    } catch (RuntimeException e) {
      throw new KrakeException("not a lifecycle record: " + kv.key(), e);
    }
  }
}
