package cloud.krake.spring.boot;

import cloud.krake.hooks.endpoint.HookEndpoint;
import cloud.krake.hooks.endpoint.HookRequest;
import cloud.krake.hooks.endpoint.HookResponse;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Krake's hook endpoint as a servlet of the application's own web server, mapped to {@code
 * /kubernetes/*}: every request is handed to {@link HookEndpoint#handle(HookRequest)} and its
 * answer sent as it is. The path given to the endpoint is the request URI without the context path
 * (the hook URLs Krake injects have no path prefix, so the hook endpoint needs the root context).
 * With TLS, the verified client chain is the servlet request attribute {@value
 * #CERTIFICATE_ATTRIBUTE}, which servlet containers fill when their connector asks for client
 * certificates ({@code server.ssl.client-auth=need} or {@code want}).
 *
 * <p>At most {@link HookEndpoint#maxBodyBytes()} + 1 bytes of a body are read, so that the endpoint
 * answers an oversized one 413 without the servlet buffering it. Thread-safe, as the endpoint.
 */
public final class HookEndpointServlet extends HttpServlet {

  private static final long serialVersionUID = 1L;

  /** The servlet request attribute holding the client's certificate chain, leaf first. */
  public static final String CERTIFICATE_ATTRIBUTE = "jakarta.servlet.request.X509Certificate";

  /** The mapping of the servlet. */
  public static final String MAPPING = "/kubernetes/*";

  private final transient HookEndpoint endpoint;

  /**
   * Serves an endpoint.
   *
   * @param endpoint the endpoint answering every request
   */
  public HookEndpointServlet(HookEndpoint endpoint) {
    this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    HookResponse answer = endpoint.handle(toHookRequest(request));
    response.setStatus(answer.status());
    answer.headers().forEach(response::setHeader);
    byte[] body = answer.body();
    response.setContentLength(body.length);
    try (OutputStream out = response.getOutputStream()) {
      out.write(body);
    }
  }

  private HookRequest toHookRequest(HttpServletRequest request) throws IOException {
    String path = request.getRequestURI();
    String context = request.getContextPath();
    if (!context.isEmpty() && path.startsWith(context)) {
      path = path.substring(context.length());
    }
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (String name : Collections.list(request.getHeaderNames())) {
      headers.put(name, Collections.list(request.getHeaders(name)));
    }
    byte[] body;
    try (InputStream in = request.getInputStream()) {
      body = in.readNBytes(endpoint.maxBodyBytes() + 1);
    }
    List<X509Certificate> chain =
        request.getAttribute(CERTIFICATE_ATTRIBUTE) instanceof X509Certificate[] certificates
            ? List.of(certificates)
            : List.of();
    return new HookRequest(request.getMethod(), path, headers, body, chain);
  }
}
