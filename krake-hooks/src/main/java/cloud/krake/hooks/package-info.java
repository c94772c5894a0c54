/**
 * Krake's application hooks ({@code complete}, {@code shutdown}): their configuration ({@link
 * cloud.krake.hooks.HooksConfig}, with Krake's keys and defaults), and in sub-packages the hook CA
 * ({@code tls}), the manifest mangling ({@code mangling}), the hook endpoint ({@code endpoint}) and
 * the shutdown protocol ({@code shutdown}). Nothing here accepts or returns {@code null}.
 */
package cloud.krake.hooks;
