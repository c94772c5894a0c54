/**
 * The HTTP metrics providers of Krake's scheduler: {@link
 * cloud.krake.metrics.PrometheusMetricsProvider} ({@code prometheus}), {@link
 * cloud.krake.metrics.KafkaMetricsProvider} ({@code kafka}, KSQL) and {@link
 * cloud.krake.metrics.InfluxMetricsProvider} ({@code influx}, InfluxDB 2), created through {@link
 * cloud.krake.metrics.HttpMetricsProviders}, which owns the one okhttp client they share.
 *
 * <p>Every call is synchronous on the caller's thread and bounded by the client's timeouts; the
 * providers start no threads of their own. Failures are {@link
 * cloud.krake.scheduler.metrics.MetricException}s carrying Krake's reason codes; messages name the
 * provider and the metric and never quote a response body or a token.
 */
package cloud.krake.metrics;
