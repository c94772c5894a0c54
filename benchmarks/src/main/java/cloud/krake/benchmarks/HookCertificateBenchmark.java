package cloud.krake.benchmarks;

import cloud.krake.hooks.HookConfig;
import cloud.krake.hooks.HooksConfig;
import cloud.krake.hooks.KeyAlgorithm;
import cloud.krake.hooks.tls.GeneratedHookCa;
import cloud.krake.hooks.tls.HookCertificateAuthority;
import cloud.krake.hooks.tls.HookIdentity;
import cloud.krake.hooks.tls.IssuedCertificate;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
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
 * Benchmark (a) of issue 3: issuing one hook client certificate per application, as the mangling
 * does once per application and hook with TLS on. One operation is the whole {@link
 * HookCertificateAuthority#issue}: key pair generation, certificate build and signature by an EC
 * P-256 intermediate, PEM encoding of certificate and PKCS#8 key. The leaf key type is the
 * parameter, so EC P-256 (the default) and RSA-2048 (Krake's) come out of the same run. Sample time
 * gives the mean and the percentiles; RSA key generation has a long tail.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar HookCertificate}
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
public class HookCertificateBenchmark {

  /** The key type of issued certificates. */
  @Param({"EC_P256", "RSA_2048"})
  public KeyAlgorithm algorithm;

  private HookCertificateAuthority authority;
  private HookIdentity identity;

  /** Generates an EC P-256 root and intermediate and the hook CA on them. */
  @Setup(Level.Trial)
  public void setUp() {
    GeneratedHookCa ca = GeneratedHookCa.generate(Clock.systemUTC());
    HooksConfig config =
        HooksConfig.builder()
            .complete(ca.withIntermediate(HookConfig.completeDefaults()))
            .keyAlgorithm(algorithm)
            .addCaBundle(ca.rootCertificateSource())
            .build();
    authority = HookCertificateAuthority.of(config, HooksConfig.COMPLETE, Clock.systemUTC());
    identity =
        new HookIdentity("bench", "echo-demo", HooksConfig.COMPLETE, HookConfig.COMPLETE_HOOK_USER);
  }

  /** Issues one client certificate, single-threaded. */
  @Benchmark
  @Threads(1)
  public IssuedCertificate issue() {
    return authority.issue(identity);
  }
}
