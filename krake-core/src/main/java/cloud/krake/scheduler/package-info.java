/**
 * Krake's scheduler: {@link cloud.krake.scheduler.SchedulerController} places applications on
 * clusters as configured by {@link cloud.krake.scheduler.SchedulerConfig}, with the metric values
 * {@link cloud.krake.scheduler.MetricsFetcher} reads ({@link
 * cloud.krake.scheduler.ClusterMetrics}). The placement logic itself, as pure functions, is in
 * {@code cloud.krake.scheduler.internal} (not API).
 *
 * <p>The values here ({@code SchedulerConfig}, {@code ClusterMetrics}, {@code MetricValues}) are
 * immutable and safe to share between threads.
 *
 * <p><b>Null policy.</b> Nothing here accepts or returns {@code null}: maybe-absent values are
 * {@link java.util.Optional}, absent collections are empty, and {@code null} arguments are rejected
 * with a {@link java.lang.NullPointerException} naming the parameter.
 */
package cloud.krake.scheduler;
