/**
 * The placement logic of Krake's scheduler as pure functions: which cluster an application goes to
 * ({@link cloud.krake.scheduler.Placement}), what a binding writes ({@link
 * cloud.krake.scheduler.Binding}), what happens when nothing fits ({@link
 * cloud.krake.scheduler.SchedulingRetry}) and how raw metric values become scores ({@link
 * cloud.krake.scheduler.Normalisation}).
 *
 * <p>Nothing here performs I/O, starts threads, reads a clock or writes to a store: the caller
 * fetches the clusters and the metric values, passes the current time, and applies the returned
 * values (for example through {@link cloud.krake.store.Applications}). Every type is immutable and
 * safe to share between threads; {@link cloud.krake.scheduler.Placement} is as thread-safe as the
 * {@link java.util.random.RandomGenerator} it is given.
 *
 * <p><b>Null policy.</b> Nothing here accepts or returns {@code null}: maybe-absent values are
 * {@link java.util.Optional}, absent collections are empty, and {@code null} arguments are rejected
 * with a {@link java.lang.NullPointerException} naming the parameter.
 */
package cloud.krake.scheduler;
