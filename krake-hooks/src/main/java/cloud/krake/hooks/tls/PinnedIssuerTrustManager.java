package cloud.krake.hooks.tls;

import java.math.BigInteger;
import java.net.Socket;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;
import javax.security.auth.x500.X500Principal;

/**
 * The hook server's trust manager for client certificates: a leaf signed directly by one of the
 * trusted certificates (the hook CA's intermediate, which signs every hook certificate) is checked
 * here, with the signature verified by the {@link HookCrypto} provider (BoringSSL with Conscrypt);
 * every other chain, and every server chain, goes to the provider's PKIX trust manager as before.
 *
 * <h2>Why</h2>
 *
 * Conscrypt's trust manager hands the chain to the JDK's PKIX {@code CertPathValidator}, which
 * verifies the leaf's ECDSA signature with SunEC in Java: that was most of the hook server's
 * handshake CPU (issue 16). Conscrypt is not installed JVM-wide ({@link HookCrypto}), so PKIX
 * cannot be made to use it; checking the one-step chain here can.
 *
 * <h2>What the direct check checks</h2>
 *
 * For the chain {@code [leaf, ...]} whose leaf is signed by a trusted certificate {@code I}, the
 * same as RFC 5280's path validation of the path {@code [leaf]} with the trust anchor {@code I}, as
 * the JDK's and Conscrypt's PKIX trust managers do it (no revocation check), and the TLS
 * client-certificate checks of the JDK's trust manager:
 *
 * <ol>
 *   <li>the leaf's issuer name equals {@code I}'s subject name;
 *   <li>the leaf's signature verifies with {@code I}'s public key, with the algorithm its {@code
 *       signatureAlgorithm} names (SHA-256, -384 or -512 with ECDSA or RSA PKCS#1 v1.5 only);
 *   <li>the leaf is valid (notBefore ≤ now ≤ notAfter) at the clock's now;
 *   <li>the leaf has no critical extension other than BasicConstraints, KeyUsage, ExtendedKeyUsage
 *       and SubjectAlternativeName (PKIX refuses unknown critical extensions);
 *   <li>the keys are strong enough for the JDK's {@code jdk.certpath.disabledAlgorithms} and
 *       Conscrypt's chain-strength check: EC on P-256, P-384 or P-521, RSA of at least 2048 bits,
 *       both for the leaf and for {@code I};
 *   <li>KeyUsage, when present, includes digitalSignature, and ExtendedKeyUsage, when present,
 *       includes clientAuth or anyExtendedKeyUsage (the JDK's TLS client check; Conscrypt checks
 *       only the second).
 * </ol>
 *
 * As in PKIX, certificates after the leaf are not used once the leaf's issuer is trusted, and the
 * trust anchor's own validity is not checked. Only trusted certificates that are CA certificates
 * (BasicConstraints CA:true, KeyUsage absent or with keyCertSign) without NameConstraints take part
 * in the direct check; a chain that does not fit it (another signature algorithm, a leaf issued by
 * an intermediate the client sends, a critical extension not listed, a Netscape certificate type, a
 * key or curve not listed, a signature that does not verify with any trusted key of that name) is
 * decided by the provider's PKIX trust manager alone. So the direct check accepts only chains PKIX
 * accepts too; a leaf it finds outside its validity period, or with a wrong key usage, it refuses
 * itself. A missing chain or auth type is refused by PKIX ({@link IllegalArgumentException}).
 *
 * <p>Immutable and thread-safe.
 */
final class PinnedIssuerTrustManager extends X509ExtendedTrustManager {

  private static final Map<String, String> SIGNATURE_ALGORITHMS =
      Map.of(
          "1.2.840.10045.4.3.2", "SHA256withECDSA",
          "1.2.840.10045.4.3.3", "SHA384withECDSA",
          "1.2.840.10045.4.3.4", "SHA512withECDSA",
          "1.2.840.113549.1.1.11", "SHA256withRSA",
          "1.2.840.113549.1.1.12", "SHA384withRSA",
          "1.2.840.113549.1.1.13", "SHA512withRSA");

  /** BasicConstraints, KeyUsage, ExtendedKeyUsage, SubjectAlternativeName. */
  private static final Set<String> KNOWN_CRITICAL =
      Set.of("2.5.29.19", "2.5.29.15", "2.5.29.37", "2.5.29.17");

  private static final String NAME_CONSTRAINTS = "2.5.29.30";
  private static final String NETSCAPE_CERT_TYPE = "2.16.840.1.113730.1.1";
  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
  private static final String ANY_EXTENDED_KEY_USAGE = "2.5.29.37.0";
  private static final int DIGITAL_SIGNATURE = 0;
  private static final int KEY_CERT_SIGN = 5;
  private static final int MIN_RSA_BITS = 2048;

  private static final List<ECParameterSpec> CURVES =
      List.of(curve("secp256r1"), curve("secp384r1"), curve("secp521r1"));

  /** A trusted certificate that can sign a leaf checked directly, with its key. */
  private record Issuer(X500Principal subject, PublicKey key) {}

  private final X509TrustManager pkix;
  private final List<Issuer> issuers;
  private final Optional<Provider> provider;
  private final Clock clock;

  /**
   * @param pkix the provider's PKIX trust manager over the same certificates
   * @param trusted the trusted certificates
   * @param crypto the provider that verifies signatures
   * @param clock the source of "now" for the leaf's validity
   */
  PinnedIssuerTrustManager(
      X509TrustManager pkix, List<X509Certificate> trusted, HookCrypto crypto, Clock clock) {
    this.pkix = Objects.requireNonNull(pkix, "pkix");
    this.provider = crypto.jcaProvider();
    this.clock = Objects.requireNonNull(clock, "clock");
    List<Issuer> eligible = new ArrayList<>();
    for (X509Certificate certificate : trusted) {
      if (isPlainCa(certificate) && strongKey(certificate.getPublicKey())) {
        eligible.add(
            new Issuer(
                certificate.getSubjectX500Principal(), providerKey(certificate.getPublicKey())));
      }
    }
    this.issuers = List.copyOf(eligible);
  }

  private static ECParameterSpec curve(String name) {
    try {
      AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
      parameters.init(new ECGenParameterSpec(name));
      return parameters.getParameterSpec(ECParameterSpec.class);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no " + name, e);
    }
  }

  private static boolean isPlainCa(X509Certificate certificate) {
    boolean[] keyUsage = certificate.getKeyUsage();
    Set<String> critical = certificate.getCriticalExtensionOIDs();
    Set<String> nonCritical = certificate.getNonCriticalExtensionOIDs();
    return certificate.getBasicConstraints() >= 0
        && (keyUsage == null || (keyUsage.length > KEY_CERT_SIGN && keyUsage[KEY_CERT_SIGN]))
        && (critical == null || !critical.contains(NAME_CONSTRAINTS))
        && (nonCritical == null || !nonCritical.contains(NAME_CONSTRAINTS));
  }

  private static boolean strongKey(PublicKey key) {
    if (key instanceof ECPublicKey ec) {
      ECParameterSpec params = ec.getParams();
      for (ECParameterSpec known : CURVES) {
        if (known.getCurve().equals(params.getCurve())
            && known.getGenerator().equals(params.getGenerator())
            && known.getOrder().equals(params.getOrder())
            && known.getCofactor() == params.getCofactor()) {
          return true;
        }
      }
      return false;
    }
    if (key instanceof RSAPublicKey rsa) {
      BigInteger modulus = rsa.getModulus();
      return modulus.bitLength() >= MIN_RSA_BITS;
    }
    return false;
  }

  /** The key as the provider's own object, so that verification does not convert it each time. */
  private PublicKey providerKey(PublicKey key) {
    if (provider.isEmpty()) {
      return key;
    }
    try {
      return KeyFactory.getInstance(key.getAlgorithm(), provider.get())
          .generatePublic(new X509EncodedKeySpec(key.getEncoded()));
    } catch (GeneralSecurityException e) {
      return key;
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    if (!checkedDirectly(chain, authType)) {
      pkix.checkClientTrusted(chain, authType);
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    if (!checkedDirectly(chain, authType)) {
      if (pkix instanceof X509ExtendedTrustManager extended) {
        extended.checkClientTrusted(chain, authType, socket);
      } else {
        pkix.checkClientTrusted(chain, authType);
      }
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    if (!checkedDirectly(chain, authType)) {
      if (pkix instanceof X509ExtendedTrustManager extended) {
        extended.checkClientTrusted(chain, authType, engine);
      } else {
        pkix.checkClientTrusted(chain, authType);
      }
    }
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    pkix.checkServerTrusted(chain, authType);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    if (pkix instanceof X509ExtendedTrustManager extended) {
      extended.checkServerTrusted(chain, authType, socket);
    } else {
      pkix.checkServerTrusted(chain, authType);
    }
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    if (pkix instanceof X509ExtendedTrustManager extended) {
      extended.checkServerTrusted(chain, authType, engine);
    } else {
      pkix.checkServerTrusted(chain, authType);
    }
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return pkix.getAcceptedIssuers();
  }

  /**
   * Returns true if the chain was accepted by the direct check, false if it does not fit the check
   * (PKIX decides); throws if it fits but is refused.
   */
  private boolean checkedDirectly(X509Certificate[] chain, String authType)
      throws CertificateException {
    if (chain == null
        || chain.length == 0
        || chain[0] == null
        || authType == null
        || authType.isEmpty()) {
      return false;
    }
    X509Certificate leaf = chain[0];
    String algorithm = SIGNATURE_ALGORITHMS.get(leaf.getSigAlgOID());
    if (algorithm == null || !plainLeaf(leaf)) {
      return false;
    }
    X500Principal issuerName = leaf.getIssuerX500Principal();
    for (Issuer issuer : issuers) {
      if (issuer.subject().equals(issuerName) && verifies(leaf, issuer.key(), algorithm)) {
        checkLeaf(leaf);
        return true;
      }
    }
    return false;
  }

  private static boolean plainLeaf(X509Certificate leaf) {
    Set<String> critical = leaf.getCriticalExtensionOIDs();
    if (critical != null && !KNOWN_CRITICAL.containsAll(critical)) {
      return false;
    }
    return leaf.getExtensionValue(NETSCAPE_CERT_TYPE) == null && strongKey(leaf.getPublicKey());
  }

  private boolean verifies(X509Certificate leaf, PublicKey key, String algorithm) {
    try {
      Signature signature =
          provider.isPresent()
              ? Signature.getInstance(algorithm, provider.get())
              : Signature.getInstance(algorithm);
      signature.initVerify(key);
      signature.update(leaf.getTBSCertificate());
      return signature.verify(leaf.getSignature());
    } catch (GeneralSecurityException | RuntimeException e) {
      // A wrong key type, a malformed signature: not verified here; PKIX decides.
      return false;
    }
  }

  private void checkLeaf(X509Certificate leaf) throws CertificateException {
    // CertificateExpiredException or CertificateNotYetValidException.
    leaf.checkValidity(Date.from(clock.instant()));
    boolean[] keyUsage = leaf.getKeyUsage();
    if (keyUsage != null && !(keyUsage.length > DIGITAL_SIGNATURE && keyUsage[DIGITAL_SIGNATURE])) {
      throw new CertificateException("the client certificate's KeyUsage lacks digitalSignature");
    }
    List<String> extendedKeyUsage;
    try {
      extendedKeyUsage = leaf.getExtendedKeyUsage();
    } catch (CertificateParsingException e) {
      throw new CertificateException("the client certificate's ExtendedKeyUsage is malformed", e);
    }
    if (extendedKeyUsage != null
        && !extendedKeyUsage.contains(CLIENT_AUTH)
        && !extendedKeyUsage.contains(ANY_EXTENDED_KEY_USAGE)) {
      throw new CertificateException("the client certificate's ExtendedKeyUsage lacks clientAuth");
    }
  }

  @Override
  public String toString() {
    return "PinnedIssuerTrustManager[" + issuers.size() + " issuers, then " + pkix + "]";
  }
}
