/**
 * Test fixtures for host platforms and for store implementers: the {@link
 * cloud.krake.testing.StoreContract} suite every {@link cloud.krake.store.Store} must pass, and a
 * launcher for a real etcd server.
 *
 * <p>Nothing in this package accepts or returns {@code null}.
 */
package cloud.krake.testing;
