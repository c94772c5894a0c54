/**
 * The etcd implementation of {@link cloud.krake.store.Store}: {@link
 * cloud.krake.store.etcd.EtcdStore}, which talks to etcd 3.4+ through its v3 JSON gateway over
 * okhttp, and its TLS settings {@link cloud.krake.store.etcd.EtcdTls}.
 *
 * <p>Nothing in this package accepts or returns {@code null}; maybe-absent values are {@link
 * java.util.Optional}. Failures of okhttp and Jackson are translated into the store's exceptions
 * ({@link cloud.krake.store.StoreUnavailableException} and friends) with the original as the cause.
 */
package cloud.krake.store.etcd;
