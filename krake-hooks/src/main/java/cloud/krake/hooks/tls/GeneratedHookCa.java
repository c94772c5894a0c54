package cloud.krake.hooks.tls;

import cloud.krake.KrakeException;
import cloud.krake.hooks.HookConfig;
import cloud.krake.hooks.KeyAlgorithm;
import cloud.krake.hooks.PemSource;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;

/**
 * A throw-away CA made in memory: a self-signed root CA and an intermediate CA signed by it, for
 * the quickstart, demos and tests. <strong>Not for production</strong>: the keys exist only in this
 * process, nothing protects or rotates them, and every run makes a new CA that no client trusts
 * yet. In production configure {@code intermediate_src} / {@code intermediate_key_src} from your
 * own PKI.
 *
 * <pre>{@code
 * GeneratedHookCa ca = GeneratedHookCa.generate(clock);
 * HooksConfig config = HooksConfig.builder().tls(true)
 *     .complete(ca.withIntermediate(HookConfig.completeDefaults()))
 *     .shutdown(ShutdownHookConfig.defaults()
 *         .withHook(ca.withIntermediate(HookConfig.shutdownDefaults())))
 *     .addCaBundle(ca.rootCertificateSource())
 *     .build();
 * IssuedCertificate server = ca.issueServerCertificate(List.of("localhost"), List.of("127.0.0.1"));
 * }</pre>
 *
 * <p>The root (BasicConstraints CA:true, pathLen 1) and the intermediate (CA:true, pathLen 0) are
 * both critical-marked CA certificates with KeyUsage keyCertSign and cRLSign, subject and authority
 * key identifiers, valid from five minutes before the clock's now for ten years. Immutable and
 * thread-safe. {@link #toString()} never shows the intermediate's private key.
 */
public final class GeneratedHookCa {

  /** The subject of the generated root CA (RFC 2253: the CN is encoded last). */
  public static final String ROOT_SUBJECT = "CN=Krake generated hook root CA,O=Krake";

  /**
   * The subject of the generated intermediate CA (RFC 2253); issued hook certificates keep its O.
   */
  public static final String INTERMEDIATE_SUBJECT =
      "CN=Krake generated hook intermediate CA,O=Krake";

  /** How long the generated CA certificates are valid. */
  public static final Duration CA_VALIDITY = Duration.ofDays(3650);

  /** How long server certificates from {@link #issueServerCertificate} are valid. */
  public static final Duration SERVER_VALIDITY = Duration.ofDays(365);

  private final X509Certificate root;
  private final X509Certificate intermediate;
  private final PrivateKey intermediateKey;
  private final String rootPem;
  private final String intermediatePem;
  private final String intermediateKeyPem;
  private final KeyAlgorithm algorithm;
  private final Clock clock;
  private final SecureRandom random;

  private GeneratedHookCa(
      X509Certificate root,
      X509Certificate intermediate,
      PrivateKey intermediateKey,
      KeyAlgorithm algorithm,
      Clock clock,
      SecureRandom random) {
    this.root = root;
    this.intermediate = intermediate;
    this.intermediateKey = intermediateKey;
    this.rootPem = Pem.write(List.of(root));
    this.intermediatePem = Pem.write(List.of(intermediate));
    this.intermediateKeyPem = Pem.write(intermediateKey);
    this.algorithm = algorithm;
    this.clock = clock;
    this.random = random;
  }

  /**
   * Generates an EC P-256 root and intermediate CA.
   *
   * @param clock the source of "now" for the validity periods
   */
  public static GeneratedHookCa generate(Clock clock) {
    return generate(clock, KeyAlgorithm.EC_P256);
  }

  /**
   * Generates a root and an intermediate CA with keys of the given type (RSA-2048 takes a fraction
   * of a second per key). Certificates they sign use SHA256withECDSA or SHA256withRSA accordingly.
   *
   * @param clock the source of "now" for the validity periods
   * @param algorithm the key type of both CA keys
   */
  public static GeneratedHookCa generate(Clock clock, KeyAlgorithm algorithm) {
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(algorithm, "algorithm");
    SecureRandom random = new SecureRandom();
    Instant now = clock.instant();

    KeyPair rootKeys = X509Support.generateKeyPair(algorithm, random);
    X500Name rootName = x500Name(ROOT_SUBJECT);
    X509v3CertificateBuilder rootBuilder =
        new JcaX509v3CertificateBuilder(
            rootName,
            X509Support.serial(random),
            X509Support.notBefore(now),
            X509Support.notAfter(now, CA_VALIDITY),
            rootName,
            rootKeys.getPublic());
    addCaExtensions(rootBuilder, 1, rootKeys, null);
    X509Certificate root = X509Support.sign(rootBuilder, rootKeys.getPrivate());

    KeyPair intermediateKeys = X509Support.generateKeyPair(algorithm, random);
    X509v3CertificateBuilder intermediateBuilder =
        new JcaX509v3CertificateBuilder(
            rootName,
            X509Support.serial(random),
            X509Support.notBefore(now),
            X509Support.notAfter(now, CA_VALIDITY),
            x500Name(INTERMEDIATE_SUBJECT),
            intermediateKeys.getPublic());
    addCaExtensions(intermediateBuilder, 0, intermediateKeys, root);
    X509Certificate intermediate = X509Support.sign(intermediateBuilder, rootKeys.getPrivate());

    return new GeneratedHookCa(
        root, intermediate, intermediateKeys.getPrivate(), algorithm, clock, random);
  }

  private static X500Name x500Name(String rfc2253) {
    return X500Name.getInstance(new X500Principal(rfc2253).getEncoded());
  }

  private static void addCaExtensions(
      X509v3CertificateBuilder builder, int pathLength, KeyPair keys, X509Certificate issuer) {
    try {
      builder
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(pathLength))
          .addExtension(
              Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
          .addExtension(
              Extension.subjectKeyIdentifier,
              false,
              X509Support.subjectKeyIdentifier(keys.getPublic()));
      if (issuer != null) {
        builder.addExtension(
            Extension.authorityKeyIdentifier, false, X509Support.authorityKeyIdentifier(issuer));
      }
    } catch (CertIOException e) {
      throw new KrakeException("cannot encode CA extensions", e);
    }
  }

  /** Returns the self-signed root CA certificate. */
  public X509Certificate rootCertificate() {
    return root;
  }

  /** Returns the intermediate CA certificate, signed by the root. */
  public X509Certificate intermediateCertificate() {
    return intermediate;
  }

  /** Returns the root CA certificate as PEM. */
  public String rootCertificatePem() {
    return rootPem;
  }

  /** Returns the intermediate CA certificate as PEM ({@code intermediate_src}). */
  public String intermediateCertificatePem() {
    return intermediatePem;
  }

  /**
   * Returns the intermediate's private key as unencrypted PKCS#8 PEM ({@code
   * intermediate_key_src}).
   */
  public String intermediateKeyPem() {
    return intermediateKeyPem;
  }

  /** Returns the key type of both CA keys. */
  public KeyAlgorithm algorithm() {
    return algorithm;
  }

  /**
   * Returns the root certificate as an in-memory source, for {@code
   * HooksConfig.Builder#addCaBundle}.
   */
  public PemSource rootCertificateSource() {
    return PemSource.of(rootPem);
  }

  /** Returns the intermediate certificate as an in-memory {@code intermediate_src}. */
  public PemSource intermediateCertificateSource() {
    return PemSource.of(intermediatePem);
  }

  /** Returns the intermediate's key as an in-memory {@code intermediate_key_src}. */
  public PemSource intermediateKeySource() {
    return PemSource.of(intermediateKeyPem);
  }

  /**
   * Returns {@code hook} signing with this CA's intermediate ({@code intermediate_src} and {@code
   * intermediate_key_src} set to it).
   *
   * @param hook a hook's configuration
   */
  public HookConfig withIntermediate(HookConfig hook) {
    return hook.withIntermediate(intermediateCertificateSource(), intermediateKeySource());
  }

  /**
   * Issues a TLS server certificate for an HTTPS hook endpoint, signed by the intermediate: a new
   * EC P-256 key, subject {@code CN=<first DNS name, else first IP address>,O=Krake},
   * BasicConstraints CA:false and KeyUsage digitalSignature (both critical), ExtendedKeyUsage
   * serverAuth, SubjectAlternativeName with every DNS name and IP address, key identifiers, valid
   * from five minutes before the clock's now for {@link #SERVER_VALIDITY}. Thread-safe.
   *
   * @param dnsNames host names the server answers to, e.g. {@code localhost}
   * @param ipAddresses IPv4 or IPv6 literals, e.g. {@code 127.0.0.1}
   * @return {@code cert.pem} = the server certificate followed by the intermediate (the chain a
   *     server sends), its PKCS#8 key, and {@code ca-bundle.pem} = root and intermediate
   * @throws IllegalArgumentException if both lists are empty or an IP address is not a literal
   */
  public IssuedCertificate issueServerCertificate(List<String> dnsNames, List<String> ipAddresses) {
    List<String> dns = List.copyOf(dnsNames);
    List<String> ips = List.copyOf(ipAddresses);
    if (dns.isEmpty() && ips.isEmpty()) {
      throw new IllegalArgumentException("a server certificate needs a DNS name or an IP address");
    }
    List<GeneralName> names = new ArrayList<>();
    dns.forEach(name -> names.add(new GeneralName(GeneralName.dNSName, name)));
    ips.forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip)));
    Instant now = clock.instant();
    KeyPair keys = X509Support.generateKeyPair(KeyAlgorithm.EC_P256, random);
    X500Name subject =
        new X500NameBuilder(BCStyle.INSTANCE)
            .addRDN(BCStyle.O, "Krake")
            .addRDN(BCStyle.CN, dns.isEmpty() ? ips.get(0) : dns.get(0))
            .build();
    X509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            intermediate,
            X509Support.serial(random),
            X509Support.notBefore(now),
            X509Support.notAfter(now, SERVER_VALIDITY),
            subject,
            keys.getPublic());
    try {
      builder
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
          .addExtension(
              Extension.extendedKeyUsage,
              false,
              new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
          .addExtension(
              Extension.subjectAlternativeName,
              false,
              new GeneralNames(names.toArray(new GeneralName[0])))
          .addExtension(
              Extension.subjectKeyIdentifier,
              false,
              X509Support.subjectKeyIdentifier(keys.getPublic()))
          .addExtension(
              Extension.authorityKeyIdentifier,
              false,
              X509Support.authorityKeyIdentifier(intermediate));
    } catch (CertIOException e) {
      throw new KrakeException("cannot encode the extensions of a server certificate", e);
    }
    X509Certificate certificate = X509Support.sign(builder, intermediateKey);
    return new IssuedCertificate(
        Pem.write(List.of(certificate, intermediate)),
        Pem.write(keys.getPrivate()),
        Pem.write(List.of(root, intermediate)));
  }

  @Override
  public String toString() {
    return "GeneratedHookCa[root="
        + root.getSubjectX500Principal().getName()
        + ", intermediate="
        + intermediate.getSubjectX500Principal().getName()
        + ", algorithm="
        + algorithm
        + ", intermediateKey=<redacted>]";
  }
}
