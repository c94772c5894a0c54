package cloud.krake.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import cloud.krake.store.ConflictException;
import cloud.krake.store.Guard;
import cloud.krake.store.KeyValue;
import cloud.krake.store.Lease;
import cloud.krake.store.LeaseNotFoundException;
import cloud.krake.store.WatchEvent;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * The lease and guard part of {@link StoreContract}: granting, keeping alive, revoking and expiring
 * leases (their keys deleted with watch events), and writes fenced by a {@link Guard}.
 * Package-private; run through {@link StoreContract}.
 *
 * <p>Time: expiry is observed through {@link #passTime(Duration)}, which a store on a manual clock
 * overrides to advance it, then awaited with Awaitility; a store on real time (etcd) keeps the
 * default, which lets real time pass while the suite waits.
 */
abstract class StoreLeaseContract extends StoreWatchContract {

  /**
   * Lets {@code duration} pass for the store's leases. The default does nothing: real time passes
   * while the suite awaits (bounded by {@link #AWAIT}). A store on a manual clock advances it (and
   * runs its due timer tasks) here.
   *
   * @param duration how much time passes
   */
  protected void passTime(Duration duration) {}

  // ---------------------------------------------------------------- leases

  @Test
  void grantLeaseGivesAtLeastTheTtlAskedFor() {
    Lease lease = store.grantLease(Duration.ofSeconds(5));

    assertThat(lease.id()).isPositive();
    assertThat(lease.ttl()).isGreaterThanOrEqualTo(Duration.ofSeconds(5));
    assertThat(store.leaseTimeToLive(lease))
        .hasValueSatisfying(left -> assertThat(left).isBetween(Duration.ZERO, lease.ttl()));
    assertThat(store.grantLease(Duration.ofSeconds(5)).id()).isNotEqualTo(lease.id());
  }

  @Test
  void grantLeaseRejectsNonPositiveTtl() {
    assertThatThrownBy(() -> store.grantLease(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ttl");
  }

  @Test
  void createWithLeaseAttachesTheKey() {
    Lease lease = store.grantLease(Duration.ofSeconds(30));

    KeyValue leased = store.create(prefix + "leased", bytes("1"), lease);
    store.create(prefix + "plain", bytes("2"));

    assertThat(store.get(prefix + "leased")).contains(leased);
    assertThat(store.leaseId(prefix + "leased")).isEqualTo(OptionalLong.of(lease.id()));
    assertThat(store.leaseId(prefix + "plain")).isEmpty();
    assertThat(store.leaseId(prefix + "missing")).isEmpty();
    assertThatThrownBy(() -> store.create(prefix + "leased", bytes("3"), lease))
        .isInstanceOf(ConflictException.class);
  }

  @Test
  void revokeLeaseDeletesItsKeysWithDeleteEvents() {
    Lease lease = store.grantLease(Duration.ofSeconds(30));
    store.create(prefix + "a", bytes("1"), lease);
    store.create(prefix + "b", bytes("2"), lease);
    KeyValue plain = store.create(prefix + "plain", bytes("3"));
    RecordingWatchListener listener = new RecordingWatchListener();
    watch(prefix, store.revision() + 1, listener);

    store.revokeLease(lease);

    assertThat(store.get(prefix + "a")).isEmpty();
    assertThat(store.get(prefix + "b")).isEmpty();
    assertThat(store.get(prefix + "plain")).contains(plain);
    await().atMost(AWAIT).until(() -> listener.count() == 2);
    assertThat(listener.events())
        .allSatisfy(e -> assertThat(e.type()).isEqualTo(WatchEvent.Type.DELETED))
        .extracting(WatchEvent::key)
        .containsExactlyInAnyOrder(prefix + "a", prefix + "b");
    assertThat(store.leaseTimeToLive(lease)).isEmpty();
  }

  @Test
  void revokedLeaseIsNotFound() {
    Lease lease = store.grantLease(Duration.ofSeconds(30));
    store.revokeLease(lease);

    assertThatThrownBy(() -> store.revokeLease(lease))
        .isInstanceOfSatisfying(
            LeaseNotFoundException.class, e -> assertThat(e.leaseId()).isEqualTo(lease.id()));
    assertThatThrownBy(() -> store.keepAliveLease(lease))
        .isInstanceOf(LeaseNotFoundException.class);
    assertThatThrownBy(() -> store.create(prefix + "a", bytes("1"), lease))
        .isInstanceOf(LeaseNotFoundException.class);
    assertThat(store.get(prefix + "a")).isEmpty();
  }

  @Test
  void leaseThatWasNeverGrantedIsNotFound() {
    Lease unknown = new Lease(4_242_424_242L, Duration.ofSeconds(10));

    assertThat(store.leaseTimeToLive(unknown)).isEmpty();
    assertThatThrownBy(() -> store.keepAliveLease(unknown))
        .isInstanceOf(LeaseNotFoundException.class);
    assertThatThrownBy(() -> store.revokeLease(unknown)).isInstanceOf(LeaseNotFoundException.class);
  }

  @Test
  void expiredLeaseDeletesItsKeysWithDeleteEvents() {
    Lease lease = store.grantLease(Duration.ofSeconds(1));
    store.create(prefix + "member", bytes("1"), lease);
    RecordingWatchListener listener = new RecordingWatchListener();
    watch(prefix, store.revision() + 1, listener);

    passTime(lease.ttl().plusSeconds(1));

    await().atMost(AWAIT).until(() -> store.get(prefix + "member").isEmpty());
    await().atMost(AWAIT).until(() -> listener.count() == 1);
    assertThat(listener.events().get(0).type()).isEqualTo(WatchEvent.Type.DELETED);
    assertThat(listener.events().get(0).key()).isEqualTo(prefix + "member");
    assertThat(store.leaseTimeToLive(lease)).isEmpty();
    assertThatThrownBy(() -> store.keepAliveLease(lease))
        .isInstanceOf(LeaseNotFoundException.class);
  }

  @Test
  void keepAliveRestartsTheTimeToLive() {
    Lease lease = store.grantLease(Duration.ofSeconds(5));
    store.create(prefix + "member", bytes("1"), lease);
    long ttl = lease.ttlSeconds();

    passTime(Duration.ofSeconds(2));
    await().atMost(AWAIT).until(() -> secondsLeft(lease) <= ttl - 2);
    Lease kept = store.keepAliveLease(lease);

    assertThat(kept.id()).isEqualTo(lease.id());
    assertThat(kept.ttl()).isEqualTo(lease.ttl());
    assertThat(secondsLeft(lease)).isGreaterThanOrEqualTo(ttl - 1);
    assertThat(store.get(prefix + "member")).isPresent();
  }

  @Test
  void updateDetachesTheKeyFromItsLeaseAsEtcdPutDoes() {
    Lease lease = store.grantLease(Duration.ofSeconds(30));
    KeyValue created = store.create(prefix + "a", bytes("1"), lease);

    KeyValue updated = store.update(prefix + "a", bytes("2"), created.modRevision());
    store.revokeLease(lease);

    assertThat(store.leaseId(prefix + "a")).isEmpty();
    assertThat(store.get(prefix + "a")).contains(updated);
  }

  private long secondsLeft(Lease lease) {
    return store.leaseTimeToLive(lease).map(Duration::getSeconds).orElse(-1L);
  }

  // ---------------------------------------------------------------- guarded writes

  @Test
  void guardedWritesSucceedWhileTheGuardHolds() {
    Guard guard = Guard.of(store.create(prefix + "owner", bytes("me")));

    KeyValue created = store.create(prefix + "a", bytes("1"), guard);
    KeyValue updated = store.update(prefix + "a", bytes("2"), created.modRevision(), guard);
    store.delete(prefix + "a", updated.modRevision(), guard);

    assertThat(updated.valueAsString()).isEqualTo("2");
    assertThat(updated.version()).isEqualTo(2);
    assertThat(store.get(prefix + "a")).isEmpty();
  }

  @Test
  void guardedWritesConflictOnTheGuardKeyOnceItChanged() {
    KeyValue owner = store.create(prefix + "owner", bytes("me"));
    Guard stale = Guard.of(owner);
    KeyValue target = store.create(prefix + "a", bytes("1"));
    KeyValue newOwner = store.update(prefix + "owner", bytes("other"), owner.modRevision());

    List<Runnable> writes =
        List.of(
            () -> store.create(prefix + "b", bytes("1"), stale),
            () -> store.update(prefix + "a", bytes("2"), target.modRevision(), stale),
            () -> store.delete(prefix + "a", target.modRevision(), stale));
    for (Runnable write : writes) {
      assertThatThrownBy(write::run)
          .isInstanceOfSatisfying(
              ConflictException.class,
              e -> {
                assertThat(e.key()).isEqualTo(prefix + "owner");
                assertThat(e.expectedRevision()).isEqualTo(owner.modRevision());
                assertThat(e.actualRevision()).isEqualTo(newOwner.modRevision());
              });
    }
    assertThat(store.get(prefix + "b")).isEmpty();
    assertThat(store.get(prefix + "a")).contains(target);
  }

  @Test
  void guardedWritesConflictOnTheGuardKeyOnceItsLeaseEnded() {
    Lease lease = store.grantLease(Duration.ofSeconds(30));
    KeyValue owner = store.create(prefix + "owner", bytes("me"), lease);
    KeyValue target = store.create(prefix + "a", bytes("1"));
    store.revokeLease(lease);

    assertThatThrownBy(
            () -> store.update(prefix + "a", bytes("2"), target.modRevision(), Guard.of(owner)))
        .isInstanceOfSatisfying(
            ConflictException.class,
            e -> {
              assertThat(e.key()).isEqualTo(prefix + "owner");
              assertThat(e.actualRevision()).isZero();
            });
    assertThat(store.get(prefix + "a")).contains(target);
  }

  @Test
  void guardedWritesConflictOnTheTargetWhenOnlyItChanged() {
    Guard guard = Guard.of(store.create(prefix + "owner", bytes("me")));
    KeyValue created = store.create(prefix + "a", bytes("1"));
    KeyValue updated = store.update(prefix + "a", bytes("2"), created.modRevision());

    assertThatThrownBy(() -> store.create(prefix + "a", bytes("3"), guard))
        .isInstanceOfSatisfying(
            ConflictException.class,
            e -> {
              assertThat(e.key()).isEqualTo(prefix + "a");
              assertThat(e.expectedRevision()).isZero();
              assertThat(e.actualRevision()).isEqualTo(updated.modRevision());
            });
    assertThatThrownBy(() -> store.update(prefix + "a", bytes("3"), created.modRevision(), guard))
        .isInstanceOfSatisfying(
            ConflictException.class,
            e -> {
              assertThat(e.key()).isEqualTo(prefix + "a");
              assertThat(e.actualRevision()).isEqualTo(updated.modRevision());
            });
    assertThatThrownBy(() -> store.delete(prefix + "missing", 5, guard))
        .isInstanceOfSatisfying(
            ConflictException.class,
            e -> {
              assertThat(e.key()).isEqualTo(prefix + "missing");
              assertThat(e.actualRevision()).isZero();
            });
    assertThat(store.get(prefix + "a")).contains(updated);
  }
}
