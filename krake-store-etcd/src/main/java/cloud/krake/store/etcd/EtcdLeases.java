package cloud.krake.store.etcd;

import static cloud.krake.store.etcd.Gateway.utf8;

import cloud.krake.store.ConflictException;
import cloud.krake.store.KeyValue;
import cloud.krake.store.Lease;
import cloud.krake.store.LeaseNotFoundException;
import cloud.krake.store.StoreUnavailableException;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * {@link EtcdStore}'s leases, on etcd's {@code /v3/lease} gateway: the calls and the reading of
 * their answers. The store checks arguments and that it is open first. Thread-safe.
 */
final class EtcdLeases {

  private final Gateway gateway;

  EtcdLeases(Gateway gateway) {
    this.gateway = gateway;
  }

  Lease grant(long seconds) {
    String operation = "grant lease";
    JsonNode answer =
        gateway.post(Gateway.LEASE_GRANT, utf8(EtcdRequests.grantLease(seconds)), operation, false);
    return new Lease(answer.path("ID").asLong(0), Duration.ofSeconds(answer.path("TTL").asLong()));
  }

  Lease keepAlive(Lease lease) {
    String operation = "keep lease " + lease.id() + " alive";
    JsonNode answer =
        gateway.post(
            Gateway.LEASE_KEEPALIVE, utf8(EtcdRequests.lease(lease.id())), operation, true);
    JsonNode result = answer.path("result");
    if (result.isMissingNode()) {
      // grpc-gateway reports stream errors as {"error":{"grpc_code":…,"message":…}}.
      throw new StoreUnavailableException(
          "etcd at "
              + gateway.endpoint
              + ": "
              + operation
              + " failed: "
              + answer.path("error").path("message").asText("no result"),
          null);
    }
    long ttl = result.path("TTL").asLong(0);
    if (ttl <= 0) {
      throw new LeaseNotFoundException(lease.id());
    }
    return new Lease(lease.id(), Duration.ofSeconds(ttl));
  }

  void revoke(Lease lease) {
    String operation = "revoke lease " + lease.id();
    try {
      gateway.post(Gateway.LEASE_REVOKE, utf8(EtcdRequests.lease(lease.id())), operation, false);
    } catch (Gateway.EtcdErrorException e) {
      throw leaseError(e, lease);
    }
  }

  Optional<Duration> timeToLive(Lease lease) {
    String operation = "time to live of lease " + lease.id();
    JsonNode answer =
        gateway.post(
            Gateway.LEASE_TIME_TO_LIVE, utf8(EtcdRequests.lease(lease.id())), operation, true);
    long ttl = answer.path("TTL").asLong(-1);
    return ttl < 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(ttl));
  }

  KeyValue create(String key, byte[] value, Lease lease) {
    String operation = "create " + key + " with lease " + lease.id();
    JsonNode answer;
    try {
      answer =
          gateway.post(
              Gateway.TXN, utf8(EtcdRequests.create(key, value, lease.id())), operation, false);
    } catch (Gateway.EtcdErrorException e) {
      throw leaseError(e, lease);
    }
    if (!answer.path("succeeded").asBoolean(false)) {
      throw new ConflictException(key, 0, EtcdRequests.actualRevision(answer));
    }
    long revision = Gateway.revision(answer);
    return new KeyValue(key, value, revision, revision, 1);
  }

  OptionalLong leaseId(String key) {
    String operation = "lease of " + key;
    JsonNode answer = gateway.post(Gateway.RANGE, utf8(EtcdRequests.get(key)), operation, true);
    long lease = answer.path("kvs").path(0).path("lease").asLong(0);
    return lease == 0 ? OptionalLong.empty() : OptionalLong.of(lease);
  }

  private static RuntimeException leaseError(Gateway.EtcdErrorException e, Lease lease) {
    if (e.code() == Gateway.CODE_NOT_FOUND && e.etcdMessage().contains("lease not found")) {
      LeaseNotFoundException notFound = new LeaseNotFoundException(lease.id());
      notFound.initCause(e);
      return notFound;
    }
    return e;
  }
}
