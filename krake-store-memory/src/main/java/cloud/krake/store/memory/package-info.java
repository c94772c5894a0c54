/**
 * {@link cloud.krake.store.memory.MemoryStore}: the in-memory {@link cloud.krake.store.Store}, with
 * etcd's revision, compare-and-set and watch semantics. Nothing here accepts or returns {@code
 * null}.
 */
package cloud.krake.store.memory;
