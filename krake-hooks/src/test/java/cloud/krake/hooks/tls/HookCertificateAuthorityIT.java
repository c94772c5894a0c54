package cloud.krake.hooks.tls;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.krake.InvalidConfigurationException;
import cloud.krake.hooks.HookConfig;
import cloud.krake.hooks.HooksConfig;
import cloud.krake.hooks.KeyAlgorithm;
import cloud.krake.hooks.PemSource;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXCertPathValidatorResult;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Checks issued chains with the JDK's PKIX validator and with OpenSSL and curl run as processes on
 * files, as applications and operators see them. Uses the system clock, since OpenSSL does.
 */
class HookCertificateAuthorityIT {

  private static final Clock CLOCK = Clock.systemUTC();
  private static final HookIdentity APP =
      new HookIdentity("tenant", "echo", "complete", HookConfig.COMPLETE_HOOK_USER);

  @TempDir Path dir;

  private record Result(int exitCode, String output) {}

  private Result run(String... command) throws Exception {
    Process process =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("%s finished", List.of(command)).isTrue();
    return new Result(process.exitValue(), output);
  }

  private Path write(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content, UTF_8);
  }

  private static HookCertificateAuthority authority(
      GeneratedHookCa ca, KeyAlgorithm leafAlgorithm) {
    HooksConfig config =
        HooksConfig.builder()
            .complete(ca.withIntermediate(HookConfig.completeDefaults()))
            .keyAlgorithm(leafAlgorithm)
            .addCaBundle(ca.rootCertificateSource())
            .build();
    return HookCertificateAuthority.of(config, "complete", CLOCK);
  }

  @ParameterizedTest(name = "{0} CA, {1} leaf")
  @CsvSource({"EC_P256, EC_P256", "EC_P256, RSA_2048", "RSA_2048, RSA_2048", "RSA_2048, EC_P256"})
  void chainValidatesWithPkixAndOpensslVerify(KeyAlgorithm caAlgorithm, KeyAlgorithm leafAlgorithm)
      throws Exception {
    GeneratedHookCa ca = GeneratedHookCa.generate(CLOCK, caAlgorithm);
    IssuedCertificate issued = authority(ca, leafAlgorithm).issue(APP);
    X509Certificate leaf = TlsMaterial.certificates(issued.certificatePem()).get(0);

    CertificateFactory factory = CertificateFactory.getInstance("X.509");
    CertPath path = factory.generateCertPath(List.of(leaf, ca.intermediateCertificate()));
    PKIXParameters parameters =
        new PKIXParameters(Set.of(new TrustAnchor(ca.rootCertificate(), null)));
    parameters.setRevocationEnabled(false);
    parameters.setDate(Date.from(CLOCK.instant()));
    PKIXCertPathValidatorResult result =
        (PKIXCertPathValidatorResult)
            CertPathValidator.getInstance("PKIX").validate(path, parameters);
    assertThat(result.getPublicKey()).isEqualTo(leaf.getPublicKey());

    write("root.pem", ca.rootCertificatePem());
    write("intermediate.pem", ca.intermediateCertificatePem());
    write("cert.pem", issued.certificatePem());
    write("key.pem", issued.privateKeyPem());
    write("ca-bundle.pem", issued.caBundlePem());

    Result verify =
        run(
            "openssl",
            "verify",
            "-CAfile",
            "root.pem",
            "-untrusted",
            "intermediate.pem",
            "cert.pem");
    assertThat(verify.exitCode()).as(verify.output()).isZero();
    assertThat(verify.output()).contains("cert.pem: OK");

    Result asClient =
        run("openssl", "verify", "-purpose", "sslclient", "-CAfile", "ca-bundle.pem", "cert.pem");
    assertThat(asClient.exitCode()).as(asClient.output()).isZero();
    assertThat(asClient.output()).contains("cert.pem: OK");

    Result key = run("openssl", "pkey", "-in", "key.pem", "-noout");
    assertThat(key.exitCode()).as(key.output()).isZero();
    Result keyPublic = run("openssl", "pkey", "-in", "key.pem", "-pubout");
    Result certPublic = run("openssl", "x509", "-in", "cert.pem", "-noout", "-pubkey");
    assertThat(keyPublic.output()).as("key.pem belongs to cert.pem").isEqualTo(certPublic.output());

    Result text = run("openssl", "x509", "-in", "cert.pem", "-noout", "-text");
    assertThat(text.output())
        .contains("Version: 3 (0x2)")
        .contains("CA:FALSE")
        .contains("TLS Web Client Authentication")
        .contains("URI:krake:tenant/echo/complete")
        .contains("Subject: O = Krake, CN = system:complete-hook");
  }

  @Test
  void serverCertificateValidatesForTlsServers() throws Exception {
    GeneratedHookCa ca = GeneratedHookCa.generate(CLOCK);
    IssuedCertificate server =
        ca.issueServerCertificate(List.of("localhost"), List.of("127.0.0.1"));
    write("ca-bundle.pem", server.caBundlePem());
    write(
        "server.pem",
        TlsMaterial.pem(TlsMaterial.certificates(server.certificatePem()).subList(0, 1)));

    Result verify =
        run(
            "openssl",
            "verify",
            "-purpose",
            "sslserver",
            "-verify_hostname",
            "localhost",
            "-CAfile",
            "ca-bundle.pem",
            "server.pem");

    assertThat(verify.exitCode()).as(verify.output()).isZero();
    assertThat(verify.output()).contains("server.pem: OK");
  }

  @Test
  void acceptsIntermediatesAndKeysWrittenByOpenssl() throws Exception {
    Result req =
        run(
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "ca-key.pem",
            "-out",
            "ca.pem",
            "-days",
            "800",
            "-subj",
            "/C=DE/O=Example/CN=Example Hook CA",
            "-addext",
            "basicConstraints=critical,CA:TRUE,pathlen:0",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign");
    assertThat(req.exitCode()).as(req.output()).isZero();
    Result traditional =
        run("openssl", "pkey", "-in", "ca-key.pem", "-traditional", "-out", "ca-key-sec1.pem");
    assertThat(traditional.exitCode()).as(traditional.output()).isZero();
    assertThat(Files.readString(dir.resolve("ca-key-sec1.pem")))
        .startsWith("-----BEGIN EC PRIVATE KEY-----");

    HookCertificateAuthority authority =
        HookCertificateAuthority.of(
            HooksConfig.builder()
                .complete(
                    HookConfig.completeDefaults()
                        .withIntermediate(
                            PemSource.file(dir.resolve("ca.pem")),
                            PemSource.file(dir.resolve("ca-key-sec1.pem"))))
                .build(),
            "complete",
            CLOCK);
    IssuedCertificate issued = authority.issue(APP);
    write("cert.pem", issued.certificatePem());

    Result verify =
        run("openssl", "verify", "-purpose", "sslclient", "-CAfile", "ca.pem", "cert.pem");
    assertThat(verify.exitCode()).as(verify.output()).isZero();
    Result text = run("openssl", "x509", "-in", "cert.pem", "-noout", "-subject");
    assertThat(text.output()).contains("subject=C = DE, O = Example, CN = system:complete-hook");
  }

  @Test
  void rejectsAnEncryptedIntermediateKeyNamingTheKey() throws Exception {
    GeneratedHookCa ca = GeneratedHookCa.generate(CLOCK);
    write("key.pem", ca.intermediateKeyPem());
    Result encrypt =
        run(
            "openssl",
            "pkcs8",
            "-topk8",
            "-v2",
            "aes-256-cbc",
            "-passout",
            "pass:secret",
            "-in",
            "key.pem",
            "-out",
            "encrypted.pem");
    assertThat(encrypt.exitCode()).as(encrypt.output()).isZero();

    HooksConfig config =
        HooksConfig.builder()
            .complete(
                HookConfig.completeDefaults()
                    .withIntermediate(
                        ca.intermediateCertificateSource(),
                        PemSource.file(dir.resolve("encrypted.pem"))))
            .build();

    assertThatThrownBy(() -> HookCertificateAuthority.of(config, "complete", CLOCK))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("hooks.complete.intermediate_key_src")
        .hasMessageContaining("encrypted");
  }

  @Test
  void curlPresentsTheIssuedFilesOverMutualTls() throws Exception {
    GeneratedHookCa ca = GeneratedHookCa.generate(CLOCK);
    HookCertificateAuthority authority = authority(ca, KeyAlgorithm.EC_P256);
    IssuedCertificate serverCert =
        ca.issueServerCertificate(List.of("localhost"), List.of("127.0.0.1"));
    List<Optional<String>> decisions = new ArrayList<>();

    HttpsServer server =
        HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(
        new HttpsConfigurator(
            TlsMaterial.serverContext(
                serverCert.certificatePem(),
                serverCert.privateKeyPem(),
                authority.trustedCertificates())) {
          @Override
          public void configure(HttpsParameters params) {
            SSLParameters ssl = getSSLContext().getDefaultSSLParameters();
            ssl.setWantClientAuth(true);
            params.setSSLParameters(ssl);
          }
        });
    server.createContext(
        "/",
        exchange -> {
          List<X509Certificate> chain = new ArrayList<>();
          try {
            for (var certificate :
                ((HttpsExchange) exchange).getSSLSession().getPeerCertificates()) {
              chain.add((X509Certificate) certificate);
            }
          } catch (SSLPeerUnverifiedException e) {
            // no client certificate: an empty chain
          }
          exchange.getRequestBody().readAllBytes();
          Optional<String> decision = authority.reject(chain, APP);
          synchronized (decisions) {
            decisions.add(decision);
          }
          byte[] body = decision.orElse("ok").getBytes(UTF_8);
          exchange.sendResponseHeaders(decision.isPresent() ? 403 : 200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
    try {
      String url =
          "https://localhost:"
              + server.getAddress().getPort()
              + "/kubernetes/namespaces/tenant/applications/echo/complete";
      IssuedCertificate own = authority.issue(APP);
      IssuedCertificate other =
          authority.issue(new HookIdentity("tenant", "other", "complete", APP.commonName()));
      write("ca-bundle.pem", serverCert.caBundlePem());
      write("cert.pem", own.certificatePem());
      write("key.pem", own.privateKeyPem());
      write("other-cert.pem", other.certificatePem());
      write("other-key.pem", other.privateKeyPem());

      Result accepted = curl(url, "cert.pem", "key.pem");
      Result wrongApp = curl(url, "other-cert.pem", "other-key.pem");
      Result anonymous = curl(url, null, null);

      assertThat(accepted.output()).as(accepted.output()).isEqualTo("200 ok");
      assertThat(wrongApp.output()).isEqualTo("403 issued for another application or hook");
      assertThat(anonymous.output()).isEqualTo("403 client certificate required");
    } finally {
      server.stop(0);
    }
  }

  private Result curl(String url, String cert, String key) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                "curl",
                "-sS",
                "--max-time",
                "20",
                "-X",
                "PUT",
                "-d",
                "{\"token\":\"t\"}",
                "--cacert",
                "ca-bundle.pem",
                "-w",
                "%{http_code} ",
                "-o",
                "body.txt"));
    if (cert != null) {
      command.addAll(List.of("--cert", cert, "--key", key));
    }
    command.add(url);
    Result result = run(command.toArray(new String[0]));
    assertThat(result.exitCode()).as(result.output()).isZero();
    return new Result(0, result.output() + Files.readString(dir.resolve("body.txt"), UTF_8));
  }
}
