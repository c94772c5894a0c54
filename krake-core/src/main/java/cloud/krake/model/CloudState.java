package cloud.krake.model;

/** The states of a {@link Cloud} or {@link GlobalCloud}, as Krake's {@code CloudState}. */
public enum CloudState {
  /** Usable (the default). */
  ONLINE,
  /** One of its metrics could not be fetched. */
  FAILING_METRICS
}
