package cloud.krake.k8s;

import cloud.krake.model.KrakeJson;
import cloud.krake.runtime.ResourceKey;
import cloud.krake.store.ConflictException;
import cloud.krake.store.KeyValue;
import cloud.krake.store.Store;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;
import java.util.Optional;

/**
 * How often each occurrence of an application's action has failed on a transient error, kept in the
 * store so that a restarted controller (or another host) goes on counting where the last one
 * stopped: one document per application under {@code /krake/actionfailures/{namespace}/{name}}, a
 * JSON object from the occurrence ({@code ActionChain.operation()}, for example {@code
 * <uid>/deploy}) to its count. Written by compare-and-set.
 *
 * <p>Thread-safe, as the store; every method may throw what the store throws.
 */
final class ActionAttempts {

  /** The key prefix of every document. */
  static final String PREFIX = "/krake/actionfailures/";

  private final Store store;

  ActionAttempts(Store store) {
    this.store = Objects.requireNonNull(store, "store");
  }

  private static String key(ResourceKey app) {
    return PREFIX + app.namespace() + "/" + app.name();
  }

  /** Counts one more failure of an occurrence and returns how many there were. */
  int recordFailure(ResourceKey app, String operation) {
    while (true) {
      Optional<KeyValue> read = store.get(key(app));
      ObjectNode counts =
          read.map(kv -> KrakeJson.read(kv.value(), ObjectNode.class))
              .orElseGet(() -> KrakeJson.mapper().createObjectNode());
      int attempts = counts.path(operation).asInt(0) + 1;
      counts.put(operation, attempts);
      try {
        if (read.isEmpty()) {
          store.create(key(app), KrakeJson.writeBytes(counts));
        } else {
          store.update(key(app), KrakeJson.writeBytes(counts), read.get().modRevision());
        }
        return attempts;
      } catch (ConflictException e) {
        // another writer: read again
      }
    }
  }

  /** Returns how many failures of an occurrence are recorded. */
  int failures(ResourceKey app, String operation) {
    return store
        .get(key(app))
        .map(kv -> KrakeJson.read(kv.value(), ObjectNode.class).path(operation).asInt(0))
        .orElse(0);
  }

  /** Forgets the failures of an occurrence (it succeeded, or its onFailure ran). */
  void reset(ResourceKey app, String operation) {
    while (true) {
      Optional<KeyValue> read = store.get(key(app));
      if (read.isEmpty()) {
        return;
      }
      ObjectNode counts = KrakeJson.read(read.get().value(), ObjectNode.class);
      if (!counts.has(operation)) {
        return;
      }
      counts.remove(operation);
      try {
        if (counts.isEmpty()) {
          store.delete(key(app), read.get().modRevision());
        } else {
          store.update(key(app), KrakeJson.writeBytes(counts), read.get().modRevision());
        }
        return;
      } catch (ConflictException e) {
        // another writer: read again
      }
    }
  }

  /** Forgets every count of an application (it is gone). */
  void forget(ResourceKey app) {
    while (true) {
      Optional<KeyValue> read = store.get(key(app));
      if (read.isEmpty()) {
        return;
      }
      try {
        store.delete(key(app), read.get().modRevision());
        return;
      } catch (ConflictException e) {
        // another writer: read again
      }
    }
  }
}
