/**
 * The scheduler's workings, not API (they may change in any release): how a placement is decided
 * ({@link cloud.krake.scheduler.internal.Placement}), what a binding writes ({@link
 * cloud.krake.scheduler.internal.Binding}), what happens when nothing fits ({@link
 * cloud.krake.scheduler.internal.SchedulingRetry}) and how raw metric values become scores ({@link
 * cloud.krake.scheduler.internal.Normalisation}). Public only where another package of krake-core
 * uses them.
 *
 * <p>Nothing here performs I/O, starts threads, reads a clock or writes to a store: the caller
 * fetches the clusters and the metric values, passes the current time, and applies the returned
 * values. Every type is immutable and safe to share between threads; {@code Placement} is as
 * thread-safe as the {@link java.util.random.RandomGenerator} it is given. Nothing here accepts or
 * returns {@code null}.
 */
package cloud.krake.scheduler.internal;
