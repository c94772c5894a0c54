package cloud.krake.hooks.endpoint;

import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One HTTP request to the {@link HookEndpoint}, independent of the HTTP server that received it.
 * Immutable; the body array is copied in and out. {@link #toString()} shows the method, the path,
 * the header names, the body size and the number of client certificates, never the body (it holds
 * the token) nor header values.
 *
 * @param method the HTTP method, e.g. {@code PUT} (compared case-sensitively, as HTTP methods are)
 * @param path the request path as received, percent-encoded, e.g. {@code
 *     /kubernetes/namespaces/ns/applications/app/complete}; a query string, if the server left one,
 *     is ignored
 * @param headers the request headers; names are matched case-insensitively by {@link
 *     #header(String)}
 * @param body the request body as received (possibly truncated by the server just above the size
 *     limit, which still makes it too large); empty for none
 * @param clientCertificateChain the TLS client certificate chain, leaf first, as verified by the
 *     server's TLS layer; empty for plain HTTP or when the client presented none
 */
public record HookRequest(
    String method,
    String path,
    Map<String, List<String>> headers,
    byte[] body,
    List<X509Certificate> clientCertificateChain) {

  /** Checks for nulls and copies the headers, the body and the chain. */
  public HookRequest {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(headers, "headers");
    Objects.requireNonNull(body, "body");
    Map<String, List<String>> copy = new LinkedHashMap<>();
    headers.forEach(
        (name, values) ->
            copy.put(Objects.requireNonNull(name, "header name"), List.copyOf(values)));
    headers = Map.copyOf(copy);
    body = body.clone();
    clientCertificateChain = List.copyOf(clientCertificateChain);
  }

  /**
   * Returns a request without headers and client certificates.
   *
   * @param method the HTTP method
   * @param path the request path
   * @param body the body
   */
  public static HookRequest of(String method, String path, byte[] body) {
    return new HookRequest(method, path, Map.of(), body, List.of());
  }

  /** Returns a copy of the body. */
  @Override
  public byte[] body() {
    return body.clone();
  }

  /** Returns the size of the body in bytes, without copying it. */
  public int bodySize() {
    return body.length;
  }

  /** Returns the body without copying it; callers in this package must not change it. */
  byte[] bodyUnsafe() {
    return body;
  }

  /**
   * Returns the first value of a header, matching its name case-insensitively.
   *
   * @param name the header name, e.g. {@code Content-Length}
   * @return the first value, or empty if the header is absent or has no value
   */
  public Optional<String> header(String name) {
    Objects.requireNonNull(name, "name");
    for (Map.Entry<String, List<String>> entry : headers.entrySet()) {
      if (entry.getKey().equalsIgnoreCase(name) && !entry.getValue().isEmpty()) {
        return Optional.of(entry.getValue().get(0));
      }
    }
    return Optional.empty();
  }

  /** Returns a copy with another client certificate chain. */
  public HookRequest withClientCertificateChain(List<X509Certificate> clientCertificateChain) {
    return new HookRequest(method, path, headers, body, clientCertificateChain);
  }

  /** Compares every component, the body by content. */
  @Override
  public boolean equals(Object other) {
    return other instanceof HookRequest that
        && method.equals(that.method)
        && path.equals(that.path)
        && headers.equals(that.headers)
        && Arrays.equals(body, that.body)
        && clientCertificateChain.equals(that.clientCertificateChain);
  }

  @Override
  public int hashCode() {
    return Objects.hash(method, path, headers, Arrays.hashCode(body), clientCertificateChain);
  }

  /** Shows method, path, header names and sizes; never the body or a header value. */
  @Override
  public String toString() {
    return "HookRequest[method="
        + method
        + ", path="
        + path
        + ", headers="
        + headers.keySet().stream().map(n -> n.toLowerCase(Locale.ROOT)).sorted().toList()
        + ", body=<"
        + body.length
        + " bytes>, clientCertificateChain=<"
        + clientCertificateChain.size()
        + " certificates>]";
  }
}
