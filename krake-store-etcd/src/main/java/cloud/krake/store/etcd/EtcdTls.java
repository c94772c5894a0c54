package cloud.krake.store.etcd;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.tls.Certificates;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;

/**
 * TLS settings of an {@link EtcdStore}: which certificate authorities to trust for etcd's server
 * certificate, and optionally the client certificate etcd requires with {@code --client-cert-auth}.
 * Everything is PEM text, as etcd's own {@code --trusted-ca-file}, {@code --cert} and {@code --key}
 * files hold it.
 *
 * <pre>{@code
 * EtcdTls tls = EtcdTls.mutual(Files.readString(ca), Files.readString(cert), Files.readString(key));
 * EtcdStore store = EtcdStore.builder().endpoint(URI.create("https://etcd:2379")).tls(tls).build();
 * }</pre>
 *
 * <p>{@link #toString()} shows neither the key nor the certificates. The PEM text is checked when
 * the store is built ({@link EtcdStore.Builder#build()}), not here.
 *
 * @param caCertificatesPem the trusted CA certificates ({@code BEGIN CERTIFICATE} blocks); the
 *     empty string trusts the JVM's default certificate authorities
 * @param clientCertificatePem the client certificate, optionally followed by its intermediate CA
 *     certificates; the empty string sends no client certificate
 * @param clientKeyPem the client certificate's private key as PKCS#8 PEM ({@code BEGIN PRIVATE
 *     KEY}, EC or RSA); empty exactly when {@code clientCertificatePem} is
 */
public record EtcdTls(String caCertificatesPem, String clientCertificatePem, String clientKeyPem) {

  private static final Pattern CERTIFICATE =
      Pattern.compile("-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----");

  /**
   * Checks the components.
   *
   * @throws IllegalArgumentException if only one of the client certificate and key is given
   */
  public EtcdTls {
    Objects.requireNonNull(caCertificatesPem, "caCertificatesPem");
    Objects.requireNonNull(clientCertificatePem, "clientCertificatePem");
    Objects.requireNonNull(clientKeyPem, "clientKeyPem");
    if (clientCertificatePem.isBlank() != clientKeyPem.isBlank()) {
      throw new IllegalArgumentException(
          "a client certificate needs its private key and a key needs its certificate");
    }
  }

  /**
   * Returns settings that trust the given CA certificates and send no client certificate.
   *
   * @param caCertificatesPem one or more PEM certificates
   */
  public static EtcdTls trusting(String caCertificatesPem) {
    return new EtcdTls(caCertificatesPem, "", "");
  }

  /**
   * Returns settings for mutual TLS: trust the given CA certificates and authenticate with a client
   * certificate.
   *
   * @param caCertificatesPem one or more PEM certificates; empty for the JVM's defaults
   * @param clientCertificatePem the client certificate (then its intermediates, if any)
   * @param clientKeyPem its private key, PKCS#8 PEM
   */
  public static EtcdTls mutual(
      String caCertificatesPem, String clientCertificatePem, String clientKeyPem) {
    return new EtcdTls(caCertificatesPem, clientCertificatePem, clientKeyPem);
  }

  /** Returns whether a client certificate is configured. */
  public boolean hasClientCertificate() {
    return !clientCertificatePem.isBlank();
  }

  /**
   * Builds the JSSE material.
   *
   * @throws IllegalArgumentException naming the component that cannot be decoded (never quoting it)
   */
  HandshakeCertificates handshakeCertificates() {
    HandshakeCertificates.Builder builder = new HandshakeCertificates.Builder();
    if (caCertificatesPem.isBlank()) {
      builder.addPlatformTrustedCertificates();
    } else {
      List<X509Certificate> cas = certificates(caCertificatesPem, "caCertificatesPem");
      cas.forEach(builder::addTrustedCertificate);
    }
    if (hasClientCertificate()) {
      List<X509Certificate> chain = certificates(clientCertificatePem, "clientCertificatePem");
      HeldCertificate held;
      try {
        // decode() reads exactly one certificate and one PKCS#8 key.
        held =
            HeldCertificate.decode(
                Certificates.certificatePem(chain.get(0)) + "\n" + clientKeyPem.strip() + "\n");
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(
            "clientKeyPem is not a PKCS#8 PEM private key (BEGIN PRIVATE KEY)");
      }
      builder.heldCertificate(held, chain.subList(1, chain.size()).toArray(new X509Certificate[0]));
    }
    return builder.build();
  }

  private static List<X509Certificate> certificates(String pem, String component) {
    List<X509Certificate> certificates = new ArrayList<>();
    Matcher matcher = CERTIFICATE.matcher(pem);
    while (matcher.find()) {
      try {
        certificates.add(Certificates.decodeCertificatePem(matcher.group()));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(component + " holds a malformed certificate", e);
      }
    }
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException(component + " holds no PEM certificate");
    }
    return certificates;
  }

  @Override
  public String toString() {
    return "EtcdTls[caCertificates="
        + (caCertificatesPem.isBlank() ? "<JVM defaults>" : "<PEM>")
        + ", clientCertificate="
        + (hasClientCertificate() ? "<PEM>" : "<none>")
        + ", clientKey="
        + (hasClientCertificate() ? "<redacted>" : "<none>")
        + "]";
  }
}
