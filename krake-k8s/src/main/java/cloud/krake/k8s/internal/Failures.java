package cloud.krake.k8s.internal;

import cloud.krake.k8s.KubernetesException;
import cloud.krake.model.ReasonCode;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.models.V1Status;
import io.kubernetes.client.util.generic.KubernetesApiResponse;
import java.io.IOException;
import java.io.InterruptedIOException;

/**
 * Translates the official client's failures into {@link KubernetesException}s once, at the module
 * boundary, as Krake's application controller ({@code
 * krake/controller/kubernetes/application/application.py}): 400 and 422 on a write are {@link
 * ReasonCode#INVALID_RESOURCE} with the API's message, everything else {@link
 * ReasonCode#KUBERNETES_ERROR} with the HTTP status (0 when no answer came). Messages name the
 * cluster and the resource, never credentials.
 */
final class Failures {

  private static final ObjectMapper JSON = new ObjectMapper();

  private Failures() {}

  /**
   * Translates an error answer.
   *
   * @param context "cluster c: apply Deployment ns/name"
   * @param response the answer; {@code isSuccess()} is false
   * @param write whether a 400/422 means the resource is invalid
   */
  static KubernetesException of(String context, KubernetesApiResponse<?> response, boolean write) {
    V1Status status = response.getStatus();
    int code = response.getHttpStatusCode();
    String message = status == null || status.getMessage() == null ? "" : status.getMessage();
    String reason = status == null || status.getReason() == null ? "" : status.getReason();
    return of(context, code, reason, message, write, null);
  }

  /**
   * Translates what the official client threw: {@code IllegalStateException(IOException)} for a
   * connection failure, {@code RuntimeException(ApiException)} for an error answer without a {@code
   * Status} body, or the {@link ApiException} itself (discovery, watch).
   */
  static KubernetesException of(String context, Throwable thrown, boolean write) {
    for (Throwable t = thrown; t != null; t = t.getCause()) {
      if (t instanceof KubernetesException k) {
        return k;
      }
      if (t instanceof ApiException api) {
        if (api.getCode() == 0) {
          continue; // no answer came; look for the IOException underneath
        }
        return fromBody(context, api.getCode(), api.getResponseBody(), write, thrown);
      }
      if (t instanceof CredentialsUnavailableException credentials) {
        return new KubernetesException(
            ReasonCode.KUBERNETES_ERROR, 0, context + ": " + credentials.getMessage(), thrown);
      }
      if (t instanceof IOException io) {
        String what =
            io instanceof InterruptedIOException
                ? "did not answer in time"
                : "is unreachable or the connection broke";
        return new KubernetesException(
            ReasonCode.KUBERNETES_ERROR,
            0,
            context + ": the API server " + what + " (" + io.getClass().getSimpleName() + ")",
            thrown);
      }
    }
    return new KubernetesException(
        ReasonCode.KUBERNETES_ERROR,
        0,
        context + ": the client failed (" + thrown.getClass().getSimpleName() + ")",
        thrown);
  }

  /** Translates an HTTP error answer whose body may be a {@code Status}. */
  static KubernetesException fromBody(
      String context, int code, String body, boolean write, Throwable cause) {
    String message = "";
    String reason = "";
    if (body != null && !body.isBlank()) {
      try {
        JsonNode status = JSON.readTree(body);
        message = status.path("message").asText("");
        reason = status.path("reason").asText("");
      } catch (IOException | RuntimeException e) {
        message = "";
      }
    }
    return of(context, code, reason, message, write, cause);
  }

  private static KubernetesException of(
      String context, int code, String reason, String message, boolean write, Throwable cause) {
    ReasonCode reasonCode =
        write && (code == 400 || code == 422)
            ? ReasonCode.INVALID_RESOURCE
            : ReasonCode.KUBERNETES_ERROR;
    StringBuilder text = new StringBuilder(context).append(": HTTP ").append(code);
    if (!reason.isEmpty()) {
      text.append(' ').append(reason);
    }
    if (!message.isEmpty()) {
      text.append(": ").append(message);
    }
    return new KubernetesException(reasonCode, code, text.toString(), cause);
  }
}
