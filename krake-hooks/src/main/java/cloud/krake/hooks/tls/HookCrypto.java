package cloud.krake.hooks.tls;

import cloud.krake.InvalidConfigurationException;
import cloud.krake.KrakeException;
import cloud.krake.hooks.CryptoProvider;
import cloud.krake.hooks.KeyAlgorithm;
import cloud.krake.model.FieldError;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.SignatureException;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.DefaultSignatureAlgorithmIdentifierFinder;
import org.bouncycastle.operator.RuntimeOperatorException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JCA provider the hook CA generates keys and signs with, and the hook server does TLS with: a
 * resolved {@link CryptoProvider}, either Conscrypt (BoringSSL, native code) or the JDK's own
 * providers (SunEC, SunRsaSign, SunJSSE).
 *
 * <pre>{@code
 * HookCrypto crypto = HookCrypto.select(CryptoProvider.AUTO); // Conscrypt if it loads, else the JDK
 * crypto.provider();                                          // CONSCRYPT or JDK
 * }</pre>
 *
 * <h2>Selection</h2>
 *
 * {@link CryptoProvider#AUTO} (the default of {@code HooksConfig} and {@code EmbeddedHookServer})
 * takes the system property {@value #PROVIDER_PROPERTY} ({@code auto}, {@code conscrypt} or {@code
 * jdk}, any case) when it is set, else Conscrypt when {@code org.conscrypt:conscrypt-openjdk-uber}
 * is on the class path and {@code Conscrypt.isAvailable()} (its native library loaded), else the
 * JDK. An explicit {@link CryptoProvider#CONSCRYPT} or {@link CryptoProvider#JDK} ignores the
 * property. Each provider chosen is logged once per JVM at INFO, with the reason when {@code AUTO}
 * falls back to the JDK. Conscrypt is probed once per JVM.
 *
 * <p>Conscrypt is never installed as a JVM-wide provider ({@code Security.insertProviderAt}): an
 * embedded library must not change its host's providers. The provider instance is passed explicitly
 * to every {@link KeyPairGenerator}, {@link Signature}, {@link SSLContext} and {@link
 * TrustManagerFactory} the hook CA and hook server make; nothing else in the JVM sees it.
 *
 * <p>Certificates are the same with either provider: the same key types (EC on secp256r1 with a
 * named curve, RSA-2048), SHA-256 signatures, BouncyCastle's certificate builder and the JDK's
 * certificate parser. Immutable and thread-safe.
 */
public final class HookCrypto {

  /**
   * The system property that {@link CryptoProvider#AUTO} follows when set: {@code auto}, {@code
   * conscrypt} or {@code jdk}.
   */
  public static final String PROVIDER_PROPERTY = "krake.hooks.crypto_provider";

  private static final Logger log = LoggerFactory.getLogger(HookCrypto.class);

  /** The outcomes already logged, so that each is logged once per JVM (a log, not state). */
  private static final Set<String> LOGGED = ConcurrentHashMap.newKeySet();

  private static final HookCrypto JDK = new HookCrypto(CryptoProvider.JDK, Optional.empty(), "JDK");

  private final CryptoProvider provider;
  private final Optional<Provider> jca;
  private final String description;

  private HookCrypto(CryptoProvider provider, Optional<Provider> jca, String description) {
    this.provider = provider;
    this.jca = jca;
    this.description = description;
  }

  /**
   * Resolves a choice as described in the class documentation.
   *
   * @param choice the configured choice
   * @return the provider to use; its {@link #provider()} is {@code CONSCRYPT} or {@code JDK}
   * @throws InvalidConfigurationException naming {@code crypto_provider} when Conscrypt is chosen
   *     but absent or its native library did not load, or naming {@value #PROVIDER_PROPERTY} when
   *     that property has another value or chooses an unavailable Conscrypt
   */
  public static HookCrypto select(CryptoProvider choice) {
    return select(choice, System.getProperty(PROVIDER_PROPERTY), ConscryptSupport::probe);
  }

  /** Returns the JDK's providers (SunEC, SunRsaSign, SunJSSE), whatever is on the class path. */
  public static HookCrypto jdk() {
    return JDK;
  }

  /** {@link #select(CryptoProvider)} with the property and the Conscrypt probe given (tests). */
  static HookCrypto select(
      CryptoProvider choice, String property, Supplier<ConscryptSupport.Probe> conscrypt) {
    Objects.requireNonNull(choice, "choice");
    String field = "crypto_provider";
    if (choice == CryptoProvider.AUTO && property != null && !property.isBlank()) {
      field = PROVIDER_PROPERTY;
      choice =
          switch (property.trim().toLowerCase(Locale.ROOT)) {
            case "auto" -> CryptoProvider.AUTO;
            case "conscrypt" -> CryptoProvider.CONSCRYPT;
            case "jdk" -> CryptoProvider.JDK;
            default ->
                throw new InvalidConfigurationException(
                    List.of(
                        new FieldError(
                            PROVIDER_PROPERTY,
                            "must be auto, conscrypt or jdk, not '" + property.trim() + "'")));
          };
    }
    HookCrypto selected;
    switch (choice) {
      case JDK -> {
        selected = JDK;
        logOnce("JDK", "the JDK's providers (SunEC, SunRsaSign, SunJSSE), as configured");
      }
      case CONSCRYPT -> {
        ConscryptSupport.Probe probe = conscrypt.get();
        if (probe.provider().isEmpty()) {
          throw new InvalidConfigurationException(
              List.of(
                  new FieldError(
                      field,
                      "is conscrypt, but Conscrypt cannot be used: " + probe.description())));
        }
        selected = conscrypt(probe);
        logOnce(probe.description(), probe.description() + ", as configured");
      }
      default -> {
        ConscryptSupport.Probe probe = conscrypt.get();
        if (probe.provider().isPresent()) {
          selected = conscrypt(probe);
          logOnce(probe.description(), probe.description() + ", found on the class path");
        } else {
          selected = JDK;
          logOnce(
              "JDK " + probe.description(),
              "the JDK's providers (SunEC, SunRsaSign, SunJSSE): " + probe.description());
        }
      }
    }
    return selected;
  }

  private static HookCrypto conscrypt(ConscryptSupport.Probe probe) {
    return new HookCrypto(CryptoProvider.CONSCRYPT, probe.provider(), probe.description());
  }

  private static void logOnce(String key, String message) {
    if (LOGGED.add(key)) {
      log.info("Hook CA and hook server cryptography: {}", message);
    }
  }

  /** Returns what was chosen: {@link CryptoProvider#CONSCRYPT} or {@link CryptoProvider#JDK}. */
  public CryptoProvider provider() {
    return provider;
  }

  /**
   * Returns the JCA provider instance passed to every cryptographic object, or empty for the JDK's
   * (the JVM's configured providers, in their order).
   */
  public Optional<Provider> jcaProvider() {
    return jca;
  }

  /**
   * Returns a new key pair: EC on secp256r1 (named curve) or RSA-2048.
   *
   * @throws KrakeException if the provider cannot generate one
   */
  KeyPair generateKeyPair(KeyAlgorithm algorithm, SecureRandom random) {
    try {
      KeyPairGenerator generator;
      if (algorithm == KeyAlgorithm.EC_P256) {
        generator = keyPairGenerator("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), random);
      } else {
        generator = keyPairGenerator("RSA");
        generator.initialize(2048, random);
      }
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new KrakeException(description + " cannot generate a " + algorithm + " key pair", e);
    }
  }

  private KeyPairGenerator keyPairGenerator(String algorithm) throws GeneralSecurityException {
    return jca.isPresent()
        ? KeyPairGenerator.getInstance(algorithm, jca.get())
        : KeyPairGenerator.getInstance(algorithm);
  }

  /**
   * Returns {@code key} as this provider's own key object, so that signing does not convert it
   * again each time; the key itself if it already is one, or if the provider cannot import it.
   */
  PrivateKey importPrivateKey(PrivateKey key) {
    if (jca.isEmpty() || !"PKCS#8".equals(key.getFormat())) {
      return key;
    }
    try {
      return KeyFactory.getInstance(key.getAlgorithm(), jca.get())
          .generatePrivate(new PKCS8EncodedKeySpec(key.getEncoded()));
    } catch (GeneralSecurityException e) {
      return key;
    }
  }

  /**
   * Returns a signer with {@code issuerKey} and SHA-256 (ECDSA or RSA after the key's type), for
   * one certificate. It buffers what BouncyCastle's certificate builder writes and hands it to the
   * provider's {@link Signature} in one {@code update}: the builder writes the DER in many small
   * pieces, and each would otherwise be a call into native code with Conscrypt. The algorithm
   * identifier is BouncyCastle's {@link DefaultSignatureAlgorithmIdentifierFinder}'s, as with
   * {@code JcaContentSignerBuilder}, so the certificate is the same.
   *
   * @throws KrakeException if the provider cannot sign with that key
   */
  CertificateSigner signer(PrivateKey issuerKey) {
    String algorithm = X509Support.signatureAlgorithm(issuerKey);
    try {
      Signature signature =
          jca.isPresent()
              ? Signature.getInstance(algorithm, jca.get())
              : Signature.getInstance(algorithm);
      signature.initSign(issuerKey);
      return new CertificateSigner(SIGNATURE_IDENTIFIERS.get(algorithm), signature);
    } catch (GeneralSecurityException e) {
      throw new KrakeException("cannot sign a certificate: " + e.getMessage(), e);
    }
  }

  private static final Map<String, AlgorithmIdentifier> SIGNATURE_IDENTIFIERS =
      Map.of(
          "SHA256withECDSA",
          new DefaultSignatureAlgorithmIdentifierFinder().find("SHA256withECDSA"),
          "SHA256withRSA",
          new DefaultSignatureAlgorithmIdentifierFinder().find("SHA256withRSA"));

  /**
   * A one-use {@link ContentSigner}: collects the content (a certificate's TBSCertificate), then
   * signs it in one update, and can give the signed certificate's DER without encoding it again.
   */
  static final class CertificateSigner implements ContentSigner {
    private final AlgorithmIdentifier identifier;
    private final Signature signature;
    private final Content content = new Content();
    private byte[] signed;

    CertificateSigner(AlgorithmIdentifier identifier, Signature signature) {
      this.identifier = identifier;
      this.signature = signature;
    }

    @Override
    public AlgorithmIdentifier getAlgorithmIdentifier() {
      return identifier;
    }

    @Override
    public OutputStream getOutputStream() {
      return content;
    }

    @Override
    public byte[] getSignature() {
      try {
        content.updateInto(signature);
        signed = signature.sign();
        return signed.clone();
      } catch (SignatureException e) {
        throw new RuntimeOperatorException("cannot sign a certificate: " + e.getMessage(), e);
      }
    }

    /**
     * Returns the DER of the certificate signed by {@link #getSignature()}: SEQUENCE {
     * tbsCertificate as written, signatureAlgorithm, signatureValue BIT STRING }, the bytes
     * BouncyCastle's {@code X509CertificateHolder.getEncoded()} gives for it.
     *
     * @throws IllegalStateException if nothing was signed yet
     */
    byte[] certificateDer() {
      if (signed == null) {
        throw new IllegalStateException("nothing was signed yet");
      }
      byte[] algorithm;
      try {
        algorithm = identifier.getEncoded(ASN1Encoding.DER);
      } catch (IOException e) {
        throw new UncheckedIOException("encoding an algorithm identifier", e);
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream(content.size() + signed.length + 64);
      byte[] bitStringLength = derLength(signed.length + 1);
      int body = content.size() + algorithm.length + 1 + bitStringLength.length + 1 + signed.length;
      out.write(0x30);
      out.writeBytes(derLength(body));
      content.writeTo(out);
      out.writeBytes(algorithm);
      out.write(0x03);
      out.writeBytes(bitStringLength);
      out.write(0);
      out.writeBytes(signed);
      return out.toByteArray();
    }

    private static byte[] derLength(int length) {
      if (length < 0x80) {
        return new byte[] {(byte) length};
      }
      if (length < 0x100) {
        return new byte[] {(byte) 0x81, (byte) length};
      }
      if (length < 0x10000) {
        return new byte[] {(byte) 0x82, (byte) (length >> 8), (byte) length};
      }
      return new byte[] {(byte) 0x83, (byte) (length >> 16), (byte) (length >> 8), (byte) length};
    }

    /** The bytes to sign; written by one thread, the builder's. */
    private static final class Content extends ByteArrayOutputStream {
      Content() {
        super(1024);
      }

      void updateInto(Signature signature) throws SignatureException {
        signature.update(buf, 0, count);
      }

      @Override
      public void writeTo(OutputStream out) {
        try {
          super.writeTo(out);
        } catch (IOException e) {
          throw new UncheckedIOException("writing to a byte array", e);
        }
      }
    }
  }

  /**
   * Returns a TLS context of this provider ({@code "TLS"}).
   *
   * @throws KrakeException if the provider has none or rejects the managers
   */
  SSLContext sslContext(KeyManager[] keyManagers, TrustManager[] trustManagers) {
    try {
      SSLContext context =
          jca.isPresent()
              ? SSLContext.getInstance("TLS", jca.get())
              : SSLContext.getInstance("TLS");
      context.init(keyManagers, trustManagers, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new KrakeException(description + " cannot initialise a TLS context", e);
    }
  }

  /** Returns this provider's PKIX trust manager factory (the JDK's default one for the JDK). */
  TrustManagerFactory trustManagerFactory() throws GeneralSecurityException {
    return jca.isPresent()
        ? TrustManagerFactory.getInstance("PKIX", jca.get())
        : TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
  }

  /** Returns the provider, e.g. {@code HookCrypto[CONSCRYPT, Conscrypt 2.5.2 (BoringSSL)]}. */
  @Override
  public String toString() {
    return "HookCrypto[" + provider + ", " + description + "]";
  }
}
