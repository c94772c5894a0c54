package cloud.krake.model;

/**
 * Where a metric's value comes from ({@code spec.provider} of a {@link MetricSpec}), as Krake's
 * {@code MetricSpecProvider}.
 *
 * @param name the name of the {@link MetricsProvider} or {@link GlobalMetricsProvider} resource
 * @param metric the name of the metric at that provider
 */
public record MetricProviderRef(String name, String metric) {

  /** Normalises missing names to {@code ""}, which validation reports. */
  public MetricProviderRef {
    name = name == null ? "" : name;
    metric = metric == null ? "" : metric;
  }
}
