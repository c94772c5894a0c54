package cloud.krake.model;

/**
 * The settings of a KSQL (Kafka) metrics provider ({@code spec.kafka}), as Krake's {@code
 * KafkaSpec}: one row of {@code table} per metric, selected by {@code comparison_column}.
 *
 * @param comparisonColumn the column compared with the metric name to select the row
 * @param valueColumn the column holding the metric's value
 * @param table the KSQL table holding the metrics
 * @param url the KSQL server's URL
 */
public record KafkaSpec(String comparisonColumn, String valueColumn, String table, String url) {

  /** Normalises missing values to {@code ""}, which validation reports. */
  public KafkaSpec {
    comparisonColumn = comparisonColumn == null ? "" : comparisonColumn;
    valueColumn = valueColumn == null ? "" : valueColumn;
    table = table == null ? "" : table;
    url = url == null ? "" : url;
  }
}
