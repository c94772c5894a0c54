package cloud.krake.hooks.endpoint;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The answer of the {@link HookEndpoint} to one {@link HookRequest}, for the host's HTTP server to
 * send as it is. The body is never a secret: either {@code {"name", "namespace", "state"}} ({@code
 * application/json}) or an RFC 7807 problem ({@code application/problem+json}), so {@link
 * #toString()} shows it. Immutable; the body array is copied in and out.
 *
 * @param status the HTTP status code
 * @param headers the response headers to set (at least {@code Content-Type}; {@code Allow} on 405,
 *     {@code Retry-After} on 503, {@code Connection: close} on 413)
 * @param body the response body, UTF-8 JSON
 */
public record HookResponse(int status, Map<String, String> headers, byte[] body) {

  /**
   * Checks for nulls and copies the headers and the body.
   *
   * @throws IllegalArgumentException if {@code status} is not in 100..599
   */
  public HookResponse {
    if (status < 100 || status > 599) {
      throw new IllegalArgumentException("not an HTTP status: " + status);
    }
    headers = Map.copyOf(Objects.requireNonNull(headers, "headers"));
    body = Objects.requireNonNull(body, "body").clone();
  }

  /** Returns a copy of the body. */
  @Override
  public byte[] body() {
    return body.clone();
  }

  /** Returns the body without copying it; callers in this package must not change it. */
  byte[] bodyUnsafe() {
    return body;
  }

  /** Returns the body as text (UTF-8). */
  public String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }

  /** Compares every component, the body by content. */
  @Override
  public boolean equals(Object other) {
    return other instanceof HookResponse that
        && status == that.status
        && headers.equals(that.headers)
        && Arrays.equals(body, that.body);
  }

  @Override
  public int hashCode() {
    return Objects.hash(status, headers, Arrays.hashCode(body));
  }

  @Override
  public String toString() {
    return "HookResponse[status="
        + status
        + ", headers="
        + new TreeMap<>(headers)
        + ", body="
        + bodyText()
        + "]";
  }
}
