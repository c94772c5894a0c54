/**
 * The hook endpoint: what applications call to acknowledge Krake's {@code complete} and {@code
 * shutdown} hooks ({@code PUT /kubernetes/namespaces/{ns}/applications/{name}/complete|shutdown}).
 *
 * <p>{@link cloud.krake.hooks.endpoint.HookEndpoint} is framework-neutral (a {@link
 * cloud.krake.hooks.endpoint.HookRequest} in, a {@link cloud.krake.hooks.endpoint.HookResponse}
 * out), so a host can mount it in its own HTTP server; {@link
 * cloud.krake.hooks.endpoint.EmbeddedHookServer} serves it on the JDK's {@code HttpServer} or
 * {@code HttpsServer} with client-certificate authentication.
 *
 * <p>Nothing here accepts or returns {@code null}. No token, request body, certificate or private
 * key appears in a response, a log line, an exception message or a {@code toString()}.
 */
package cloud.krake.hooks.endpoint;
