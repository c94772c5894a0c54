package cloud.krake.k8s;

import cloud.krake.KrakeException;
import cloud.krake.model.ReasonCode;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * A Kubernetes API call that failed, translated once at the module boundary into Krake's reason
 * codes, as the error handling of Krake's application controller worker ({@code
 * krake/controller/kubernetes/application/application.py}): a manifest the API rejects or that
 * misses {@code apiVersion}, {@code kind} or {@code metadata.name} is {@link
 * ReasonCode#INVALID_RESOURCE}; a kind the cluster does not serve is {@link
 * ReasonCode#UNSUPPORTED_RESOURCE}; a custom resource whose definition named in the cluster's
 * {@code custom_resources} cannot be read is {@link ReasonCode#INVALID_CUSTOM_RESOURCE}; an
 * unreachable API server or any other error answer is {@link ReasonCode#KUBERNETES_ERROR}.
 *
 * <p>The message names the cluster, the resource ({@code kind namespace/name}) and the API's own
 * message; it never contains credentials from the kubeconfig.
 */
public class KubernetesException extends KrakeException {
  private static final long serialVersionUID = 1L;

  /** The reason code. */
  private final ReasonCode reason;

  /** The HTTP status of the API's answer, or 0 when there was none (connection failure). */
  private final int status;

  /**
   * Creates the exception.
   *
   * @param reason Krake's reason code for it
   * @param status the HTTP status of the API's answer, 0 when no answer came
   * @param message what failed, naming the cluster and the resource
   * @param cause the client's exception, or {@code null}
   */
  public KubernetesException(ReasonCode reason, int status, String message, Throwable cause) {
    super(message, cause);
    this.reason = Objects.requireNonNull(reason, "reason");
    this.status = status;
  }

  /** Returns Krake's reason code for this failure. */
  public ReasonCode reason() {
    return reason;
  }

  /** Returns the HTTP status of the API's answer; empty when none came (connection failure). */
  public OptionalInt status() {
    return status == 0 ? OptionalInt.empty() : OptionalInt.of(status);
  }

  /** Returns whether the API answered 404 Not Found. */
  public boolean isNotFound() {
    return status == 404;
  }
}
