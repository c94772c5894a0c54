package cloud.krake.model;

/**
 * The settings of an InfluxDB metrics provider ({@code spec.influx}), as Krake's {@code
 * InfluxSpec}. {@link #toString()} masks the token.
 *
 * @param url the InfluxDB server's URL
 * @param token the API token; secret
 * @param org the organisation
 * @param bucket the bucket holding the metrics
 */
public record InfluxSpec(String url, String token, String org, String bucket) {

  /** Normalises missing values to {@code ""}, which validation reports. */
  public InfluxSpec {
    url = url == null ? "" : url;
    token = token == null ? "" : token;
    org = org == null ? "" : org;
    bucket = bucket == null ? "" : bucket;
  }

  /** Returns the settings with the token masked. */
  @Override
  public String toString() {
    return "InfluxSpec[url="
        + url
        + ", token="
        + (token.isEmpty() ? "" : Redaction.REDACTED)
        + ", org="
        + org
        + ", bucket="
        + bucket
        + "]";
  }
}
