package cloud.krake.store.etcd;

import static cloud.krake.store.etcd.Gateway.utf8;

import cloud.krake.store.ConflictException;
import cloud.krake.store.Guard;
import cloud.krake.store.KeyValue;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@link EtcdStore}'s guarded writes: each one etcd transaction comparing the guard key's and the
 * target's mod revision, whose failure branch reads both keys so that the conflict names the
 * comparison that failed. The store checks arguments and that it is open first. Thread-safe.
 */
final class EtcdGuardedWrites {

  private final Gateway gateway;

  EtcdGuardedWrites(Gateway gateway) {
    this.gateway = gateway;
  }

  KeyValue create(String key, byte[] value, Guard guard) {
    String operation = "create " + key + " guarded by " + guard.key();
    String body = EtcdRequests.create(key, value, guard.key(), guard.modRevision());
    JsonNode answer = gateway.post(Gateway.TXN, utf8(body), operation, false);
    if (!answer.path("succeeded").asBoolean(false)) {
      throw guardedConflict(answer, guard, key, 0);
    }
    long revision = Gateway.revision(answer);
    return new KeyValue(key, value, revision, revision, 1);
  }

  KeyValue update(String key, byte[] value, long expectedRevision, Guard guard) {
    String operation = "update " + key + " guarded by " + guard.key();
    String body =
        EtcdRequests.update(key, value, expectedRevision, guard.key(), guard.modRevision());
    JsonNode answer = gateway.post(Gateway.TXN, utf8(body), operation, false);
    if (!answer.path("succeeded").asBoolean(false)) {
      throw guardedConflict(answer, guard, key, expectedRevision);
    }
    JsonNode previous = answer.path("responses").path(0).path("response_put").path("prev_kv");
    long revision = Gateway.revision(answer);
    return new KeyValue(
        key,
        value,
        previous.path("create_revision").asLong(revision),
        revision,
        previous.path("version").asLong(0) + 1);
  }

  long delete(String key, long expectedRevision, Guard guard) {
    String operation = "delete " + key + " guarded by " + guard.key();
    String body = EtcdRequests.delete(key, expectedRevision, guard.key(), guard.modRevision());
    JsonNode answer = gateway.post(Gateway.TXN, utf8(body), operation, false);
    if (!answer.path("succeeded").asBoolean(false)) {
      throw guardedConflict(answer, guard, key, expectedRevision);
    }
    return Gateway.revision(answer);
  }

  /** The conflict of a failed guarded transaction: the guard's if it moved, else the target's. */
  private static ConflictException guardedConflict(
      JsonNode answer, Guard guard, String key, long expectedRevision) {
    long guardActual = EtcdRequests.guardRevision(answer);
    if (guardActual != guard.modRevision()) {
      return new ConflictException(guard.key(), guard.modRevision(), guardActual);
    }
    return new ConflictException(key, expectedRevision, EtcdRequests.actualRevision(answer));
  }
}
