/**
 * The hook CA: per-application client certificates for Krake's complete and shutdown hooks, signed
 * by a configured intermediate CA with BouncyCastle, and the check of a presented client
 * certificate against the application and hook it claims. {@link
 * cloud.krake.hooks.tls.HookCertificateAuthority} implements both; {@link
 * cloud.krake.hooks.tls.TlsMaterial} turns PEM into JSSE key and trust managers; {@link
 * cloud.krake.hooks.tls.GeneratedHookCa} makes a throw-away CA for demos and tests. Nothing here
 * accepts or returns {@code null}.
 */
package cloud.krake.hooks.tls;
