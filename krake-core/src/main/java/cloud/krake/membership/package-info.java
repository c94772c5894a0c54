/**
 * Several {@code Krake} instances on one store: membership by leases, the partition of applications
 * and clusters into shards, and the fence that keeps an instance that lost a shard from writing for
 * it ({@link cloud.krake.membership.KrakeMembership}, configured by {@link
 * cloud.krake.membership.MembershipConfig}). Without a configuration an instance is {@link
 * cloud.krake.membership.KrakeMembership#standalone() standalone}: it owns everything and the store
 * sees no extra traffic.
 *
 * <p>Nothing in this package accepts or returns {@code null}.
 */
package cloud.krake.membership;
