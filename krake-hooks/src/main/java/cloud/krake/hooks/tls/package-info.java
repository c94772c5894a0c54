/**
 * The hook CA: per-application client certificates for Krake's complete and shutdown hooks, signed
 * by a configured intermediate CA with BouncyCastle, and the check of a presented client
 * certificate against the application and hook it claims. Nothing here accepts or returns {@code
 * null}.
 */
package cloud.krake.hooks.tls;
