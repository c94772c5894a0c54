/**
 * Metrics for the scheduler: the {@link cloud.krake.scheduler.metrics.MetricsProviderClient} SPI
 * (one instance per Krake provider resource), the {@code static} provider, the registry of provider
 * types, and the {@link cloud.krake.scheduler.MetricsFetcher} that reads a scheduling pass's
 * metrics with one query per (provider, metric). The HTTP providers live in {@code krake-metrics}.
 * Nothing here accepts or returns {@code null}.
 */
package cloud.krake.scheduler.metrics;
