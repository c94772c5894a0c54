package cloud.krake.hooks.tls;

import java.security.Provider;
import java.util.Optional;
import org.conscrypt.Conscrypt;

/**
 * The only class that names Conscrypt's API, loaded only after {@link #probe()} found Conscrypt on
 * the class path: Conscrypt is an optional dependency, so nothing else may link against it.
 */
final class ConscryptSupport {

  /**
   * Whether Conscrypt can be used, as probed once per class loader.
   *
   * @param provider a new Conscrypt provider instance (never installed in {@code Security}), when
   *     available
   * @param description what it is ("Conscrypt 2.5.2 (BoringSSL)"), or why it cannot be used
   */
  record Probe(Optional<Provider> provider, String description) {}

  private static final String CLASS = "org.conscrypt.Conscrypt";

  private ConscryptSupport() {}

  /** Returns the result of probing Conscrypt, probed once and then cached. */
  static Probe probe() {
    return Holder.PROBE;
  }

  private static final class Holder {
    static final Probe PROBE = load();
  }

  private static Probe load() {
    try {
      Class.forName(CLASS, false, ConscryptSupport.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      return new Probe(Optional.empty(), "Conscrypt is not on the class path");
    }
    try {
      return Linked.load();
    } catch (LinkageError | RuntimeException e) {
      return new Probe(
          Optional.empty(), "Conscrypt's native library did not load (" + e.getMessage() + ")");
    }
  }

  /** Touches Conscrypt's classes; loaded only once the class is known to be there. */
  private static final class Linked {
    static Probe load() {
      if (!Conscrypt.isAvailable()) {
        String reason;
        try {
          Conscrypt.checkAvailability();
          reason = "Conscrypt.isAvailable() is false";
        } catch (Throwable e) {
          reason = e.toString();
        }
        return new Probe(
            Optional.empty(), "Conscrypt's native library did not load (" + reason + ")");
      }
      Conscrypt.Version version = Conscrypt.version();
      // Its own trust manager factory (PKIX), so that client certificates are verified natively.
      Provider provider =
          Conscrypt.newProviderBuilder().setName("Conscrypt").provideTrustManager(true).build();
      return new Probe(
          Optional.of(provider),
          "Conscrypt "
              + version.major()
              + "."
              + version.minor()
              + "."
              + version.patch()
              + " (BoringSSL)");
    }
  }
}
