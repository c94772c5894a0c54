package cloud.krake.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import java.util.Objects;

/**
 * Why a resource is in an error state, as Krake's {@code ReasonCode}: each constant carries Krake's
 * numeric code. On the wire a code is written by its <em>name</em> ({@code
 * "NO_SUITABLE_RESOURCE"}), as Krake does; reading also accepts the numeric code ({@code 50}),
 * which Krake's Python enum stands for.
 */
public enum ReasonCode {
  /** Default error ({@code 1}). */
  INTERNAL_ERROR(1),
  /** Invalid values in the manifest ({@code 10}). */
  INVALID_RESOURCE(10),
  /** A Kubernetes resource the controller does not support ({@code 11}). */
  UNSUPPORTED_RESOURCE(11),
  /** A custom resource that does not exist on the cluster or is invalid ({@code 12}). */
  INVALID_CUSTOM_RESOURCE(12),
  /** An invalid TOSCA template or CSAR archive ({@code 13}). */
  INVALID_TOSCA_MANIFEST(13),
  /** The cluster's Kubernetes API could not be reached ({@code 20}). */
  CLUSTER_NOT_REACHABLE(20),
  /** The scheduler found no cluster matching the constraints ({@code 50}). */
  NO_SUITABLE_RESOURCE(50),
  /** The Kubernetes API answered with an error ({@code 60}). */
  KUBERNETES_ERROR(60),
  /** Creating a resource failed ({@code 70}). */
  CREATE_FAILED(70),
  /** Reconciling a resource failed ({@code 71}). */
  RECONCILE_FAILED(71),
  /** Reconfiguring a resource failed ({@code 72}). */
  RECONFIGURE_FAILED(72),
  /** Deleting a resource failed ({@code 73}). */
  DELETE_FAILED(73),
  /** Retrieving a resource failed ({@code 74}). */
  RETRIEVE_FAILED(74),
  /** A resource was not found ({@code 75}). */
  NOT_FOUND(75),
  /** The OpenStack API answered with an error ({@code 80}). */
  OPENSTACK_ERROR(80),
  /** An invalid cluster template ({@code 81}). */
  INVALID_CLUSTER_TEMPLATE(81),
  /** A metric's value is invalid ({@code 91}). */
  INVALID_METRIC(91),
  /** A metrics provider could not be reached ({@code 92}). */
  UNREACHABLE_METRICS_PROVIDER(92),
  /** A metric that is not defined ({@code 93}). */
  UNKNOWN_METRIC(93),
  /** A metrics provider that is not defined ({@code 94}). */
  UNKNOWN_METRICS_PROVIDER(94);

  private final int code;

  ReasonCode(int code) {
    this.code = code;
  }

  /** Returns Krake's numeric code, for example {@code 50} for {@link #NO_SUITABLE_RESOURCE}. */
  public int code() {
    return code;
  }

  /**
   * Returns the constant with Krake's numeric code.
   *
   * @param code the numeric code
   * @throws IllegalArgumentException if no constant has this code
   */
  public static ReasonCode fromCode(int code) {
    for (ReasonCode value : values()) {
      if (value.code == code) {
        return value;
      }
    }
    throw new IllegalArgumentException("unknown reason code " + code);
  }

  /** Returns the name written on the wire (the constant's name). */
  @JsonValue
  String wireName() {
    return name();
  }

  /**
   * Reads a code from the wire: its name (case-insensitive) or its numeric code.
   *
   * @param value a string or an integer
   * @throws InvalidResourceException if {@code value} names no code
   */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  static ReasonCode fromJson(Object value) {
    Objects.requireNonNull(value, "value");
    if (value instanceof Integer number) {
      try {
        return fromCode(number);
      } catch (IllegalArgumentException e) {
        throw InvalidResourceException.of("", "unknown reason code " + number);
      }
    }
    if (value instanceof String name) {
      try {
        return valueOf(name.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw InvalidResourceException.of("", "unknown reason code '" + name + "'");
      }
    }
    throw InvalidResourceException.of("", "a reason code must be a name or an integer");
  }
}
