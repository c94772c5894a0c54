package cloud.krake.benchmarks;

import cloud.krake.hooks.CryptoProvider;
import cloud.krake.hooks.HookConfig;
import cloud.krake.hooks.HooksConfig;
import cloud.krake.hooks.KeyAlgorithm;
import cloud.krake.hooks.tls.GeneratedHookCa;
import cloud.krake.hooks.tls.HookCertificateAuthority;
import cloud.krake.hooks.tls.HookCrypto;
import cloud.krake.hooks.tls.HookIdentity;
import cloud.krake.hooks.tls.IssuedCertificate;
import cloud.krake.hooks.tls.TlsMaterial;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * Benchmark (a) of issue 3, and issue 16's measurement of Conscrypt (BoringSSL) against the JDK's
 * providers (SunEC, SunJSSE) for hook certificates: issuing one hook client certificate per
 * application and hook, as the mangling does with TLS on, and the hook server's side of a
 * mutual-TLS handshake. The provider and the leaf key type are parameters, so every figure comes
 * out of the same run. Sample time reports the median (p0.50) and the tail.
 *
 * <ul>
 *   <li>{@link #keyPair}: one key pair of the leaf's type.
 *   <li>{@link #signLeaf}: build and sign (SHA-256, by the EC P-256 intermediate) a leaf with the
 *       extensions a hook certificate has, through BouncyCastle's {@link JcaContentSignerBuilder}
 *       with the provider; the key pair is made once.
 *   <li>{@link #issue}: the whole {@link HookCertificateAuthority#issue} with no pool of ready keys
 *       ({@code keyPoolSize(0)}): key pair, certificate, signature, PEM of certificate and key.
 *   <li>{@link #serverHandshake}: one full TLS 1.3 handshake with a client certificate between two
 *       in-memory {@link SSLEngine}s; the server's engine comes from {@link
 *       TlsMaterial#serverContext(String, String, List, HookCrypto)} with the provider, the
 *       client's is always the JDK's (a fixed share of every sample), presenting a certificate the
 *       hook CA issued. No session is resumed.
 * </ul>
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar HookCertificate}; only the EC figures:
 * {@code -p algorithm=EC_P256}.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
public class HookCertificateBenchmark {

  /** The provider: Conscrypt (BoringSSL) or the JDK's (SunEC, SunRsaSign, SunJSSE). */
  @Param({"CONSCRYPT", "JDK"})
  public CryptoProvider provider;

  /** The key type of issued certificates. */
  @Param({"EC_P256", "RSA_2048"})
  public KeyAlgorithm algorithm;

  private HookCrypto crypto;
  private HookCertificateAuthority authority;
  private HookIdentity identity;
  private KeyPair leafKeys;
  private PrivateKey intermediateKey;
  private X500Name intermediateName;
  private SSLContext serverContext;
  private SSLContext clientContext;

  /** Generates an EC P-256 root and intermediate, the hook CA and the TLS contexts. */
  @Setup(Level.Trial)
  public void setUp() throws GeneralSecurityException {
    crypto = HookCrypto.select(provider);
    GeneratedHookCa ca = GeneratedHookCa.generate(Clock.systemUTC());
    HooksConfig config =
        HooksConfig.builder()
            .complete(ca.withIntermediate(HookConfig.completeDefaults()))
            .keyAlgorithm(algorithm)
            .cryptoProvider(provider)
            .keyPoolSize(0)
            .addCaBundle(ca.rootCertificateSource())
            .build();
    authority = HookCertificateAuthority.of(config, HooksConfig.COMPLETE, Clock.systemUTC());
    identity =
        new HookIdentity("bench", "echo-demo", HooksConfig.COMPLETE, HookConfig.COMPLETE_HOOK_USER);
    leafKeys = newKeyPair();
    intermediateKey = TlsMaterial.privateKey(ca.intermediateKeyPem());
    intermediateName =
        X500Name.getInstance(ca.intermediateCertificate().getSubjectX500Principal().getEncoded());

    IssuedCertificate server = ca.issueServerCertificate(List.of("localhost"), List.of());
    serverContext =
        TlsMaterial.serverContext(
            server.certificatePem(),
            server.privateKeyPem(),
            authority.trustedCertificates(),
            crypto);
    IssuedCertificate client = authority.issue(identity);
    clientContext =
        TlsMaterial.clientContext(
            List.of(ca.rootCertificate()), client.certificatePem(), client.privateKeyPem());
  }

  private KeyPair newKeyPair() throws GeneralSecurityException {
    String name = algorithm == KeyAlgorithm.EC_P256 ? "EC" : "RSA";
    KeyPairGenerator generator =
        crypto.jcaProvider().isPresent()
            ? KeyPairGenerator.getInstance(name, crypto.jcaProvider().get())
            : KeyPairGenerator.getInstance(name);
    if (algorithm == KeyAlgorithm.EC_P256) {
      generator.initialize(new ECGenParameterSpec("secp256r1"));
    } else {
      generator.initialize(2048);
    }
    return generator.generateKeyPair();
  }

  /** Generates one key pair of the leaf's type with the provider. */
  @Benchmark
  @Threads(1)
  public KeyPair keyPair() throws GeneralSecurityException {
    return newKeyPair();
  }

  /** Builds and signs one leaf certificate (SHA256withECDSA by the intermediate). */
  @Benchmark
  @Threads(1)
  public X509CertificateHolder signLeaf() throws OperatorCreationException {
    long now = System.currentTimeMillis();
    JcaX509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            intermediateName,
            BigInteger.valueOf(now),
            new Date(now - 300_000),
            new Date(now + 86_400_000),
            new X500Name("CN=system:complete-hook"),
            leafKeys.getPublic());
    JcaContentSignerBuilder signer = new JcaContentSignerBuilder("SHA256withECDSA");
    crypto.jcaProvider().ifPresent(signer::setProvider);
    return builder.build(signer.build(intermediateKey));
  }

  /** Issues one client certificate (key pair generated inline), single-threaded. */
  @Benchmark
  @Threads(1)
  public IssuedCertificate issue() {
    return authority.issue(identity);
  }

  /** One full mutual-TLS handshake, server engine of the provider, client engine the JDK's. */
  @Benchmark
  @Threads(1)
  public SSLEngine serverHandshake() throws SSLException {
    SSLEngine server = serverContext.createSSLEngine();
    server.setUseClientMode(false);
    server.setNeedClientAuth(true);
    SSLEngine client = clientContext.createSSLEngine();
    client.setUseClientMode(true);
    InMemoryHandshake.run(client, server);
    return server;
  }

  /** Drives two engines' handshake through in-memory buffers on one thread. */
  static final class InMemoryHandshake {
    private InMemoryHandshake() {}

    static void run(SSLEngine client, SSLEngine server) throws SSLException {
      int size = Math.max(client.getSession().getPacketBufferSize(), 64 * 1024);
      ByteBuffer toServer = ByteBuffer.allocate(size);
      ByteBuffer toClient = ByteBuffer.allocate(size);
      ByteBuffer app = ByteBuffer.allocate(size);
      ByteBuffer empty = ByteBuffer.allocate(0);
      client.beginHandshake();
      server.beginHandshake();
      for (int round = 0; round < 1000; round++) {
        boolean clientDone = step(client, empty, toServer, toClient, app);
        boolean serverDone = step(server, empty, toClient, toServer, app);
        if (clientDone && serverDone) {
          return;
        }
      }
      throw new SSLException("the handshake did not finish");
    }

    /** Advances one engine; returns whether it has finished handshaking. */
    private static boolean step(
        SSLEngine engine, ByteBuffer empty, ByteBuffer out, ByteBuffer in, ByteBuffer app)
        throws SSLException {
      for (int i = 0; i < 100; i++) {
        HandshakeStatus status = engine.getHandshakeStatus();
        switch (status) {
          case NEED_WRAP -> engine.wrap(empty, out);
          case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
            in.flip();
            var result = engine.unwrap(in, app);
            in.compact();
            app.clear();
            if (result.bytesConsumed() == 0
                && result.bytesProduced() == 0
                && engine.getHandshakeStatus() == status) {
              return false;
            }
          }
          case NEED_TASK -> {
            Runnable task;
            while ((task = engine.getDelegatedTask()) != null) {
              task.run();
            }
          }
          default -> {
            return true;
          }
        }
      }
      return false;
    }
  }
}
