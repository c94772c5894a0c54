package cloud.krake.model;

import java.util.Objects;
import java.util.Optional;

/**
 * What Krake gives an application for one of its hooks ({@code complete} or {@code shutdown}): the
 * secret token the application presents to the hook endpoint and, when the hooks use TLS, the
 * client certificate and private key issued for it. Stored in the application's status as Krake's
 * flat {@code <hook>_token}, {@code <hook>_cert} and {@code <hook>_key} fields (see {@link
 * ApplicationStatus}).
 *
 * <p>{@link #toString()} masks the token and the private key, so credentials can be logged.
 *
 * @param token the secret token of the hook; empty until the hook was mangled into the application
 * @param cert the PEM client certificate given to the application; empty without TLS
 * @param key the PEM private key of {@code cert}; empty without TLS
 */
public record HookCredentials(Optional<String> token, Optional<String> cert, Optional<String> key) {

  /** Krake's name of the hook that lets a job report its completion. */
  public static final String COMPLETE = "complete";

  /** Krake's name of the hook that asks an application to shut down before it is removed. */
  public static final String SHUTDOWN = "shutdown";

  /** No credentials: the hook was never mangled into the application. */
  public static final HookCredentials NONE = new HookCredentials(null, null, null);

  /** Normalises absent values to {@link Optional#empty()}. */
  public HookCredentials {
    token = Values.opt(token);
    cert = Values.opt(cert);
    key = Values.opt(key);
  }

  /**
   * Returns a copy with another token.
   *
   * @param token the secret token
   */
  public HookCredentials withToken(String token) {
    return new HookCredentials(Optional.of(Objects.requireNonNull(token, "token")), cert, key);
  }

  /**
   * Returns a copy with another client certificate and its private key.
   *
   * @param cert the PEM certificate
   * @param key the PEM private key of {@code cert}
   */
  public HookCredentials withCertificate(String cert, String key) {
    return new HookCredentials(
        token,
        Optional.of(Objects.requireNonNull(cert, "cert")),
        Optional.of(Objects.requireNonNull(key, "key")));
  }

  /** Returns the credentials with the token and the private key masked. */
  @Override
  public String toString() {
    return "HookCredentials[token="
        + Redaction.secret(token)
        + ", cert="
        + cert
        + ", key="
        + Redaction.secret(key)
        + "]";
  }
}
