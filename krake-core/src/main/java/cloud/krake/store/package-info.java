/**
 * The store: a small synchronous SPI over versioned documents ({@link cloud.krake.store.Store}),
 * keyed as Krake keys etcd ({@link cloud.krake.store.StoreKeys}), with two implementations in their
 * own modules ({@code MemoryStore}, {@code EtcdStore}) and a typed layer carrying Krake's API
 * semantics ({@link cloud.krake.store.Resources}).
 *
 * <p>Every write is a compare-and-set on a revision: the store never resolves a concurrent write by
 * "last writer wins". Nothing in this package accepts or returns {@code null}.
 */
package cloud.krake.store;
