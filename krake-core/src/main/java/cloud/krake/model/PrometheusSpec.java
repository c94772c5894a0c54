package cloud.krake.model;

/**
 * The settings of a Prometheus metrics provider ({@code spec.prometheus}), as Krake's {@code
 * PrometheusSpec}.
 *
 * @param url the Prometheus server's base URL, for example {@code http://localhost:9090}
 */
public record PrometheusSpec(String url) {

  /** Normalises a missing URL to {@code ""}, which validation reports. */
  public PrometheusSpec {
    url = url == null ? "" : url;
  }
}
