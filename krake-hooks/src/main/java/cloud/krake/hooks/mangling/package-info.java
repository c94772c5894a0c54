/**
 * Krake's complete and shutdown hook mangling ({@code ApplicationMangling}): per application and
 * hook a token and, with TLS, a client certificate kept in the status; token and certificate
 * Secrets added to {@code status.last_applied_manifest}; environment variables and the certificate
 * volume injected into every pod-template workload; the observer schema extended to match. Entry
 * point: {@link cloud.krake.hooks.mangling.HookMangling}. Nothing here accepts or returns {@code
 * null}.
 */
package cloud.krake.hooks.mangling;
