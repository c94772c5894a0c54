package cloud.krake.hooks.tls;

import cloud.krake.InvalidConfigurationException;
import cloud.krake.KrakeException;
import cloud.krake.hooks.HookConfig;
import cloud.krake.hooks.HooksConfig;
import cloud.krake.hooks.KeyAlgorithm;
import cloud.krake.hooks.PemSource;
import cloud.krake.model.FieldError;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hook CA of one hook ({@code complete} or {@code shutdown}): issues each application its own
 * client certificate, signed by the hook's configured intermediate CA ({@code intermediate_src},
 * {@code intermediate_key_src}), and checks the client certificate an application presents when it
 * calls the hook endpoint. This is Krake's {@code generate_certificate}, with its flaws fixed: a
 * valid X.509 v3 certificate, a serial from a CSPRNG, notBefore in UTC, the extensions a TLS client
 * certificate needs, EC P-256 keys by default, and a subject alternative name {@code
 * krake:<namespace>/<name>/<hook>} binding the certificate to one application, so that one
 * application's certificate cannot complete another (Krake only looks at the CN).
 *
 * <pre>{@code
 * HookCertificateAuthority ca = HookCertificateAuthority.of(hooksConfig, "complete", clock);
 * IssuedCertificate files = ca.issue(new HookIdentity("ns", "app", "complete", "system:complete-hook"));
 * Optional<String> denied = ca.reject(clientChain, expectedIdentity);
 * }</pre>
 *
 * <p>The PEM files are read and checked once, by {@link #of}; Krake re-reads them for every
 * certificate. Keys are generated and certificates signed by the provider {@link
 * HooksConfig#cryptoProvider()} selects ({@link HookCrypto}: Conscrypt when available, else SunEC).
 *
 * <p>Issuing does not generate the key pair on the calling thread (a reconcile worker): it takes
 * one of up to {@link HooksConfig#keyPoolSize()} pairs made in advance on the daemon thread {@code
 * krake-hook-keys-1}, which tops the pool up after each take. Only when the pool is empty (the
 * first certificate, a burst larger than the pool) does the caller generate the pair itself (EC
 * P-256: tens of microseconds with Conscrypt, about half a millisecond with SunEC; RSA-2048: tens
 * to hundreds of milliseconds), counted by {@link #inlineKeyGenerations()}; it never waits for the
 * background thread. {@link #close()} stops that thread. A CA that never issues (the hook
 * endpoint's check) starts no thread.
 *
 * <p>Thread-safe; the configuration is immutable.
 */
public final class HookCertificateAuthority
    implements CertificateIssuer, ClientCertificateCheck, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(HookCertificateAuthority.class);

  /** The reason given by {@link #reject} when no client certificate was presented. */
  public static final String NO_CERTIFICATE = "client certificate required";

  /** The reason given by {@link #reject} for a certificate this CA did not sign. */
  public static final String NOT_ISSUED = "not issued by the hook CA";

  /** The reason given by {@link #reject} for a certificate outside its validity period. */
  public static final String NOT_VALID_NOW = "expired or not yet valid";

  /** The reason given by {@link #reject} for a certificate whose CN is not the hook user. */
  public static final String WRONG_CN = "wrong CN";

  /** The reason given by {@link #reject} for a certificate naming another application or hook. */
  public static final String OTHER_IDENTITY = "issued for another application or hook";

  private static final int SAN_URI = 6;

  private final String hook;

  /** How many verified client certificates {@link #reject} remembers. */
  static final int VERIFIED_CACHE_SIZE = 4096;

  private final X509Certificate intermediate;

  /**
   * Leaf certificates whose signature by the intermediate was already verified: a hook caller
   * presents the same certificate on every call, and the signature check is the costly part of
   * {@link #reject}. Bounded ({@value #VERIFIED_CACHE_SIZE} entries, least recently used out);
   * certificates compare by their DER encoding. Validity, CN and SAN are checked on every call.
   */
  private final Set<X509Certificate> verifiedSignatures =
      Collections.synchronizedSet(
          Collections.newSetFromMap(
              new LinkedHashMap<X509Certificate, Boolean>(64, 0.75f, true) {
                private static final long serialVersionUID = 1L;

                @Override
                protected boolean removeEldestEntry(Map.Entry<X509Certificate, Boolean> eldest) {
                  return size() > VERIFIED_CACHE_SIZE;
                }
              }));

  private final X500Name intermediateSubject;

  /** The authority key identifier of every issued certificate: the intermediate's key id. */
  private final AuthorityKeyIdentifier authorityKeyIdentifier;

  private final List<X509Certificate> trustedCertificates;
  private final String caBundlePem;
  private final KeyAlgorithm keyAlgorithm;
  private final Duration validity;
  private final Clock clock;
  private final SecureRandom random;
  private final HookCrypto crypto;

  /** The intermediate's key as the provider's own key object (imported once). */
  private final PrivateKey signingKey;

  private final KeyPairPool keys;

  /** Whether {@link #close()} closes {@link #keys} (false when the pool is shared). */
  private final boolean ownsKeys;

  private HookCertificateAuthority(
      String hook,
      List<X509Certificate> intermediateChain,
      PrivateKey intermediateKey,
      List<X509Certificate> caBundle,
      KeyAlgorithm keyAlgorithm,
      Duration validity,
      Clock clock,
      SecureRandom random,
      HookCrypto crypto,
      KeyPairPool keys,
      boolean ownsKeys) {
    this.hook = hook;
    this.intermediate = intermediateChain.get(0);
    this.intermediateSubject =
        X500Name.getInstance(intermediate.getSubjectX500Principal().getEncoded());
    this.authorityKeyIdentifier = X509Support.authorityKeyIdentifier(intermediate);
    List<X509Certificate> bundle = new ArrayList<>(caBundle);
    bundle.addAll(intermediateChain);
    this.trustedCertificates = List.copyOf(bundle);
    this.caBundlePem = Pem.write(trustedCertificates);
    this.keyAlgorithm = keyAlgorithm;
    this.validity = validity;
    this.clock = clock;
    this.random = random;
    this.crypto = crypto;
    this.signingKey = crypto.importPrivateKey(intermediateKey);
    this.keys = keys;
    this.ownsKeys = ownsKeys;
  }

  /**
   * Returns the CA of one hook, reading and checking its intermediate CA once: the first
   * certificate of {@code hooks.<hook>.intermediate_src} signs (further certificates in that file
   * are kept as its chain and go into {@code ca-bundle.pem} after it, as Krake copies the whole
   * file), and {@code hooks.<hook>.intermediate_key_src} must be its private key (PKCS#8, SEC1 or
   * PKCS#1, unencrypted, EC or RSA). Issued keys are of {@link HooksConfig#keyAlgorithm()}, valid
   * for {@link HooksConfig#certificateValidity()}; {@code ca-bundle.pem} is {@link
   * HooksConfig#caBundle()} followed by the intermediate.
   *
   * @param config the hooks configuration
   * @param hook {@value HooksConfig#COMPLETE} or {@value HooksConfig#SHUTDOWN}
   * @param clock the source of "now" for validity periods and for {@link #reject}
   * @throws IllegalArgumentException if {@code hook} is not one of Krake's hooks
   * @throws InvalidConfigurationException naming {@code hooks.<hook>.intermediate_src}, {@code
   *     hooks.<hook>.intermediate_key_src} or {@code ca_bundle[i]} when one is missing, cannot be
   *     read or parsed, when the certificate is not a CA certificate (BasicConstraints CA:true and
   *     KeyUsage keyCertSign), or when the key does not belong to the certificate; naming {@code
   *     crypto_provider} (or {@value HookCrypto#PROVIDER_PROPERTY}) when it chooses a Conscrypt
   *     that cannot be used
   */
  public static HookCertificateAuthority of(HooksConfig config, String hook, Clock clock) {
    return of(config, hook, clock, null);
  }

  /**
   * {@link #of(HooksConfig, String, Clock)} taking keys from a pool owned by the caller, or (when
   * {@code sharedKeys} is null) from a pool of its own.
   */
  static HookCertificateAuthority of(
      HooksConfig config, String hook, Clock clock, KeyPairPool sharedKeys) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(clock, "clock");
    HookConfig hookConfig = config.hook(Objects.requireNonNull(hook, "hook"));
    String certKey = "hooks." + hook + ".intermediate_src";
    String keyKey = "hooks." + hook + ".intermediate_key_src";
    SecureRandom random = new SecureRandom();
    Problems problems = new Problems();
    List<FieldError> errors = problems.errors;

    List<X509Certificate> chain =
        problems.load(hookConfig.intermediateSrc(), certKey, Pem::certificates);
    PrivateKey key = problems.load(hookConfig.intermediateKeySrc(), keyKey, Pem::privateKey);
    List<X509Certificate> caBundle = new ArrayList<>();
    for (int i = 0; i < config.caBundle().size(); i++) {
      List<X509Certificate> certificates =
          problems.load(
              Optional.of(config.caBundle().get(i)), "ca_bundle[" + i + "]", Pem::certificates);
      if (certificates != null) {
        caBundle.addAll(certificates);
      }
    }
    if (chain != null && !isCa(chain.get(0))) {
      errors.add(
          new FieldError(
              certKey,
              "is not a CA certificate (needs BasicConstraints CA:true and KeyUsage keyCertSign)"));
    }
    if (key != null && !(key.getAlgorithm().equals("EC") || key.getAlgorithm().equals("RSA"))) {
      errors.add(
          new FieldError(keyKey, "is a " + key.getAlgorithm() + " key; EC or RSA is supported"));
    } else if (chain != null
        && key != null
        && !X509Support.matches(key, chain.get(0).getPublicKey(), random)) {
      errors.add(new FieldError(keyKey, "is not the private key of " + certKey));
    }
    HookCrypto crypto = null;
    try {
      crypto =
          sharedKeys != null ? sharedKeys.crypto() : HookCrypto.select(config.cryptoProvider());
    } catch (InvalidConfigurationException e) {
      errors.addAll(e.errors());
    }
    if (!errors.isEmpty()) {
      throw new InvalidConfigurationException(errors, problems.cause);
    }

    X509Certificate intermediate = chain.get(0);
    Instant now = clock.instant();
    if (intermediate.getNotAfter().toInstant().isBefore(now.plus(config.certificateValidity()))) {
      log.warn(
          "The {} hook's intermediate CA {} expires on {}, before certificates issued now ({})",
          hook,
          intermediate.getSubjectX500Principal().getName(),
          intermediate.getNotAfter().toInstant(),
          config.certificateValidity());
    }
    log.info(
        "Hook CA for the {} hook: intermediate {}, issuing {} certificates valid for {} ({}, a pool"
            + " of {} key pairs)",
        hook,
        intermediate.getSubjectX500Principal().getName(),
        config.keyAlgorithm(),
        config.certificateValidity(),
        crypto.provider(),
        config.keyPoolSize());
    KeyPairPool keys =
        sharedKeys != null
            ? sharedKeys
            : KeyPairPool.create(config.keyAlgorithm(), crypto, random, config.keyPoolSize());
    return new HookCertificateAuthority(
        hook,
        chain,
        key,
        caBundle,
        config.keyAlgorithm(),
        config.certificateValidity(),
        clock,
        random,
        crypto,
        keys,
        sharedKeys == null);
  }

  private interface Parser<T> {
    T parse(String pem);
  }

  /** The problems found while loading a configuration; confined to one call of {@link #of}. */
  private static final class Problems {
    private final List<FieldError> errors = new ArrayList<>();
    private Throwable cause;

    /** Returns the parsed PEM, or null after recording why it could not be had. */
    <T> T load(Optional<PemSource> source, String key, Parser<T> parser) {
      if (source.isEmpty()) {
        errors.add(new FieldError(key, "is required for the hook CA"));
        return null;
      }
      try {
        return parser.parse(source.get().read());
      } catch (KrakeException e) {
        errors.add(new FieldError(key, e.getMessage()));
        if (cause == null) {
          cause = e;
        }
        return null;
      }
    }
  }

  private static boolean isCa(X509Certificate certificate) {
    boolean[] keyUsage = certificate.getKeyUsage();
    return certificate.getBasicConstraints() >= 0 && keyUsage != null && keyUsage[5];
  }

  /** Returns the hook this CA issues for: {@code complete} or {@code shutdown}. */
  public String hook() {
    return hook;
  }

  /** Returns the provider that generates this CA's keys and signs its certificates. */
  public HookCrypto crypto() {
    return crypto;
  }

  /**
   * Returns how many key pairs were generated on an issuing thread because no ready pair was left
   * (the first certificate, a burst larger than {@link HooksConfig#keyPoolSize()}); counted over
   * the pool, which {@link HookCertificateAuthorities} shares between both hooks.
   */
  public long inlineKeyGenerations() {
    return keys.inlineGenerations();
  }

  /** Returns the intermediate CA certificate that signs this hook's client certificates. */
  public X509Certificate intermediateCertificate() {
    return intermediate;
  }

  /**
   * Returns the certificates an HTTPS server should trust for this hook's client certificates: the
   * configured CA bundle followed by the intermediate (and its chain), the content of {@code
   * ca-bundle.pem}. For example {@code TlsMaterial.serverContext(cert, key,
   * ca.trustedCertificates())}. Trust at the TLS level is not enough: {@link #reject} also checks
   * the issuer, CN and application.
   */
  public List<X509Certificate> trustedCertificates() {
    return trustedCertificates;
  }

  /** Returns {@code ca-bundle.pem}: the configured CA bundle followed by the intermediate, PEM. */
  public String caBundlePem() {
    return caBundlePem;
  }

  /**
   * Issues a client certificate for one application and this hook, as Krake's {@code
   * generate_certificate} does but as valid X.509 v3: a new key pair ({@link
   * HooksConfig#keyAlgorithm()}), a random positive 127-bit serial from {@link SecureRandom},
   * notBefore five minutes before the clock's now and notAfter now plus the configured validity
   * (UTC, whole seconds), issuer the intermediate's subject, subject the intermediate's subject
   * with its CN replaced by {@code identity.commonName()} (other attributes kept; the CN is
   * appended if the intermediate has none), extensions BasicConstraints CA:false (critical),
   * KeyUsage digitalSignature (plus keyEncipherment for RSA; critical), ExtendedKeyUsage
   * clientAuth, SubjectAlternativeName URI {@link HookIdentity#sanUri()}, subject and authority key
   * identifiers; signed with SHA-256 (ECDSA or RSA after the intermediate's key). Thread-safe; the
   * key pair comes from the pool of ready pairs, or is generated on the calling thread when none is
   * ready (see the class documentation).
   *
   * @param identity the application, hook and CN to certify; its hook must be this CA's
   * @return the certificate, its key as unencrypted PKCS#8 PEM and {@code ca-bundle.pem}
   * @throws IllegalArgumentException if {@code identity.hook()} is not {@link #hook()}
   */
  @Override
  public IssuedCertificate issue(HookIdentity identity) {
    Objects.requireNonNull(identity, "identity");
    if (!identity.hook().equals(hook)) {
      throw new IllegalArgumentException(
          "the " + hook + " hook's CA cannot issue for the " + identity.hook() + " hook");
    }
    Instant now = clock.instant();
    KeyPair keyPair = keys.take();
    SubjectPublicKeyInfo publicKey =
        SubjectPublicKeyInfo.getInstance(keyPair.getPublic().getEncoded());
    X509v3CertificateBuilder builder =
        new X509v3CertificateBuilder(
            intermediateSubject,
            X509Support.serial(random),
            X509Support.time(X509Support.notBefore(now).toInstant()),
            X509Support.time(X509Support.notAfter(now, validity).toInstant()),
            subjectWithCn(intermediateSubject, identity.commonName()),
            publicKey);
    int usage = KeyUsage.digitalSignature;
    if (keyAlgorithm == KeyAlgorithm.RSA_2048) {
      usage |= KeyUsage.keyEncipherment;
    }
    try {
      builder
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(Extension.keyUsage, true, new KeyUsage(usage))
          .addExtension(
              Extension.extendedKeyUsage,
              false,
              new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth))
          .addExtension(
              Extension.subjectAlternativeName,
              false,
              new GeneralNames(
                  new GeneralName(GeneralName.uniformResourceIdentifier, identity.sanUri())))
          .addExtension(
              Extension.subjectKeyIdentifier, false, X509Support.subjectKeyIdentifier(publicKey))
          .addExtension(Extension.authorityKeyIdentifier, false, authorityKeyIdentifier);
    } catch (CertIOException e) {
      throw new KrakeException("cannot encode the extensions of a hook certificate", e);
    }
    // The DER goes to PEM as it is: parsing it back into an X509Certificate would cost more than
    // building and signing it.
    HookCrypto.CertificateSigner signer = crypto.signer(signingKey);
    X509CertificateHolder certificate = builder.build(signer);
    if (log.isDebugEnabled()) {
      log.debug(
          "Issued a {} {} hook certificate for {} (serial {})",
          keyAlgorithm,
          hook,
          identity.sanUri(),
          certificate.getSerialNumber().toString(16));
    }
    return new IssuedCertificate(
        Pem.writeCertificate(signer.certificateDer()),
        Pem.write(keyPair.getPrivate()),
        caBundlePem);
  }

  /**
   * Returns {@code subject} with its first CN replaced by {@code commonName} (as a UTF8String),
   * later CN attributes dropped and every other attribute kept in place; the CN is appended as a
   * last RDN if {@code subject} has none.
   */
  static X500Name subjectWithCn(X500Name subject, String commonName) {
    AttributeTypeAndValue cn = new AttributeTypeAndValue(BCStyle.CN, new DERUTF8String(commonName));
    List<RDN> rdns = new ArrayList<>();
    boolean replaced = false;
    for (RDN rdn : subject.getRDNs()) {
      List<AttributeTypeAndValue> kept = new ArrayList<>();
      for (AttributeTypeAndValue attribute : rdn.getTypesAndValues()) {
        if (!attribute.getType().equals(BCStyle.CN)) {
          kept.add(attribute);
        } else if (!replaced) {
          kept.add(cn);
          replaced = true;
        }
      }
      if (!kept.isEmpty()) {
        rdns.add(new RDN(kept.toArray(new AttributeTypeAndValue[0])));
      }
    }
    if (!replaced) {
      rdns.add(new RDN(cn));
    }
    return new X500Name(rdns.toArray(new RDN[0]));
  }

  /**
   * Checks a presented client chain against the application and hook of a request, in this order: a
   * certificate was presented ({@value #NO_CERTIFICATE}); the leaf is signed by this CA's
   * intermediate, checked with the intermediate's public key, whatever the TLS layer already
   * checked ({@value #NOT_ISSUED}); the clock's now lies within its validity ({@value
   * #NOT_VALID_NOW}); its subject has exactly one CN, equal to {@code expected.commonName()}
   * ({@value #WRONG_CN}); its only SAN URI is {@code expected.sanUri()} ({@value #OTHER_IDENTITY}).
   * Krake checks only the CN (through RBAC), so there any application's certificate completes any
   * other. Certificates after the leaf are ignored. Thread-safe.
   *
   * @param chain the client's chain, leaf first; empty if none was presented
   * @param expected the application and hook named by the request URL, with the hook's CN
   * @return empty if the chain may call; else one of the reasons above (names no secret)
   */
  @Override
  public Optional<String> reject(List<X509Certificate> chain, HookIdentity expected) {
    Objects.requireNonNull(chain, "chain");
    Objects.requireNonNull(expected, "expected");
    if (chain.isEmpty()) {
      return Optional.of(NO_CERTIFICATE);
    }
    X509Certificate leaf = chain.get(0);
    if (!leaf.getIssuerX500Principal().equals(intermediate.getSubjectX500Principal())) {
      return Optional.of(NOT_ISSUED);
    }
    if (!verifiedSignatures.contains(leaf)) {
      try {
        Optional<Provider> provider = crypto.jcaProvider();
        if (provider.isPresent()) {
          leaf.verify(intermediate.getPublicKey(), provider.get());
        } else {
          leaf.verify(intermediate.getPublicKey());
        }
      } catch (GeneralSecurityException | RuntimeException e) {
        return Optional.of(NOT_ISSUED);
      }
      verifiedSignatures.add(leaf);
    }
    try {
      leaf.checkValidity(Date.from(clock.instant()));
    } catch (CertificateException e) {
      return Optional.of(NOT_VALID_NOW);
    }
    if (!commonNames(leaf).equals(List.of(expected.commonName()))) {
      return Optional.of(WRONG_CN);
    }
    if (!sanUris(leaf).equals(List.of(expected.sanUri()))) {
      return Optional.of(OTHER_IDENTITY);
    }
    return Optional.empty();
  }

  /**
   * Keeps a stored certificate only if {@link #reject} would accept it for {@code identity}: issued
   * by this CA's intermediate, valid now, with the hook's CN and the application's SAN URI. Krake's
   * certificates (no SAN) and unreadable PEM are not reusable. Thread-safe.
   */
  @Override
  public boolean reusable(String certificatePem, HookIdentity identity) {
    Objects.requireNonNull(certificatePem, "certificatePem");
    Objects.requireNonNull(identity, "identity");
    List<X509Certificate> chain;
    try {
      chain = Pem.certificates(certificatePem);
    } catch (RuntimeException e) {
      return false;
    }
    return reject(chain, identity).isEmpty();
  }

  private static List<String> commonNames(X509Certificate certificate) {
    X500Name subject = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
    List<String> names = new ArrayList<>();
    for (RDN rdn : subject.getRDNs(BCStyle.CN)) {
      for (AttributeTypeAndValue attribute : rdn.getTypesAndValues()) {
        if (attribute.getType().equals(BCStyle.CN)) {
          ASN1Encodable value = attribute.getValue();
          names.add(value instanceof ASN1String string ? string.getString() : value.toString());
        }
      }
    }
    return names;
  }

  private static List<String> sanUris(X509Certificate certificate) {
    Collection<List<?>> names;
    try {
      names = certificate.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      return List.of();
    }
    if (names == null) {
      return List.of();
    }
    List<String> uris = new ArrayList<>();
    for (List<?> name : names) {
      if (name.size() >= 2 && Integer.valueOf(SAN_URI).equals(name.get(0))) {
        uris.add(String.valueOf(name.get(1)));
      }
    }
    return uris;
  }

  /**
   * Stops the background generation of key pairs (when the pool is this CA's own) and drops the
   * ready ones. Idempotent. The CA still issues afterwards, generating each key on the calling
   * thread, and still checks certificates.
   */
  @Override
  public void close() {
    if (ownsKeys) {
      keys.close();
    }
  }

  @Override
  public String toString() {
    return "HookCertificateAuthority[hook="
        + hook
        + ", intermediate="
        + intermediate.getSubjectX500Principal().getName()
        + ", keyAlgorithm="
        + keyAlgorithm
        + ", validity="
        + validity
        + ", crypto="
        + crypto.provider()
        + "]";
  }
}
