package cloud.krake.scheduler.metrics;

import cloud.krake.KrakeException;
import cloud.krake.model.Reason;
import cloud.krake.model.ReasonCode;
import java.util.Objects;

/**
 * A metric could not be turned into a normalised value, with the Krake reason to record in the
 * cluster's {@code status.metrics_reasons}: {@link ReasonCode#INVALID_METRIC} for a missing, out of
 * range or disallowed value, {@link ReasonCode#UNREACHABLE_METRICS_PROVIDER}, {@link
 * ReasonCode#UNKNOWN_METRIC} and {@link ReasonCode#UNKNOWN_METRICS_PROVIDER} as Krake's {@code
 * MetricError} family.
 */
public class MetricException extends KrakeException {
  private static final long serialVersionUID = 1L;

  /** The reason to record; never {@code null}. */
  private final transient Reason reason;

  /**
   * Creates the exception.
   *
   * @param reason the Krake reason; its message is also the exception's message
   */
  public MetricException(Reason reason) {
    super(Objects.requireNonNull(reason, "reason").code() + ": " + reason.message());
    this.reason = reason;
  }

  /**
   * Creates the exception with a cause (for example the provider's I/O error).
   *
   * @param reason the Krake reason; its message is also the exception's message
   * @param cause what went wrong underneath
   */
  public MetricException(Reason reason, Throwable cause) {
    super(Objects.requireNonNull(reason, "reason").code() + ": " + reason.message(), cause);
    this.reason = reason;
  }

  /**
   * The Krake reason for the failure.
   *
   * @return the reason, never {@code null}
   */
  public Reason reason() {
    return reason;
  }
}
