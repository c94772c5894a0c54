package cloud.krake.hooks.tls;

import java.util.Objects;

/**
 * Whom a hook client certificate was issued to: one application and one hook, named in the
 * certificate's subject alternative name {@code krake:<namespace>/<name>/<hook>}, and the hook user
 * in its CN.
 *
 * @param namespace the application's namespace
 * @param name the application's name
 * @param hook {@code complete} or {@code shutdown}
 * @param commonName the certificate's CN (the configured {@code hook_user})
 */
public record HookIdentity(String namespace, String name, String hook, String commonName) {

  /** Checks the components. */
  public HookIdentity {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(hook, "hook");
    Objects.requireNonNull(commonName, "commonName");
  }

  /** Returns the SAN URI naming this identity: {@code krake:<namespace>/<name>/<hook>}. */
  public String sanUri() {
    return "krake:" + namespace + "/" + name + "/" + hook;
  }
}
