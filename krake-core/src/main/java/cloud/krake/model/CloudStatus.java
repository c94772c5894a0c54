package cloud.krake.model;

import java.util.Map;

/**
 * The observed state of a {@link Cloud} or {@link GlobalCloud}, as Krake's {@code CloudStatus},
 * with its JSON field names. Absent values read as the defaults.
 *
 * @param state the current state; default {@link CloudState#ONLINE}
 * @param metricsReasons metric name to the error that occurred while fetching it
 */
public record CloudStatus(CloudState state, Map<String, Reason> metricsReasons) {

  private static final CloudStatus INITIAL = new CloudStatus(null, null);

  /**
   * Normalises absent values and copies the map.
   *
   * @throws InvalidResourceException naming the entry if the map holds a {@code null}
   */
  public CloudStatus {
    state = state == null ? CloudState.ONLINE : state;
    metricsReasons = Values.map("metrics_reasons", metricsReasons);
  }

  /** Returns the status of a new cloud: {@code ONLINE}, no metric errors (Krake's default). */
  public static CloudStatus initial() {
    return INITIAL;
  }
}
