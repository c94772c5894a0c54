package cloud.krake.benchmarks;

import cloud.krake.dispatcher.DispatcherHookPoint;
import cloud.krake.dispatcher.HookContext;
import cloud.krake.dispatcher.HookDispatcher;
import cloud.krake.hooks.HookConfig;
import cloud.krake.hooks.HooksConfig;
import cloud.krake.hooks.PemSource;
import cloud.krake.hooks.ShutdownHookConfig;
import cloud.krake.hooks.mangling.HookMangling;
import cloud.krake.hooks.tls.CertificateIssuer;
import cloud.krake.model.Application;
import cloud.krake.model.ApplicationSpec;
import cloud.krake.model.Constraints;
import cloud.krake.model.HookCredentials;
import cloud.krake.model.KrakeJson;
import cloud.krake.model.Metadata;
import cloud.krake.model.ObserverSchemas;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Mangling throughput (benchmark b of issue 3): applications per second through both {@code
 * ApplicationMangling} handlers ({@code complete}, then {@code shutdown}) for a Deployment +
 * Service application with TLS, whose tokens, certificates and keys are already in the status, so
 * that it measures the mangling (Secrets, injection, observer schema, record copies), not key
 * generation. Each operation starts from the status as the controller regenerates it (last applied
 * manifest = the manifest, observer schema = the default schemas).
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar HookMangling}
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
public class HookManglingBenchmark {

  private static final String MANIFEST =
      """
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: echo-demo
      spec:
        replicas: 2
        selector:
          matchLabels: {app: echo}
        template:
          metadata:
            labels: {app: echo}
          spec:
            containers:
            - name: echo
              image: registry.k8s.io/echoserver:1.10
              ports:
              - containerPort: 8080
              env:
              - {name: HOME, value: /tmp}
      ---
      apiVersion: v1
      kind: Service
      metadata:
        name: echo-demo
      spec:
        type: NodePort
        selector: {app: echo}
        ports:
        - {port: 8080, protocol: TCP, targetPort: 8080}
      """;

  private HookDispatcher dispatcher;
  private HookContext context;

  /** Builds the dispatcher and an application with tokens and certificates in its status. */
  @Setup(Level.Trial)
  public void setUp() {
    PemSource intermediate = PemSource.of(pem("CERTIFICATE", 560));
    PemSource intermediateKey = PemSource.of(pem("PRIVATE KEY", 138));
    HooksConfig config =
        HooksConfig.builder()
            .endpoint(URI.create("https://krake.example.com:8443"))
            .tls(true)
            .complete(HookConfig.completeDefaults().withIntermediate(intermediate, intermediateKey))
            .shutdown(
                ShutdownHookConfig.defaults()
                    .withHook(
                        HookConfig.shutdownDefaults()
                            .withIntermediate(intermediate, intermediateKey)))
            .addCaBundle(PemSource.of(pem("CERTIFICATE", 520)))
            .build();
    CertificateIssuer noIssuer =
        identity -> {
          throw new IllegalStateException("the benchmark must not issue certificates");
        };
    SecureRandom random = new SecureRandom();
    dispatcher =
        HookDispatcher.builder()
            .register(
                DispatcherHookPoint.APPLICATION_MANGLING,
                "complete",
                HookMangling.complete(config, noIssuer, random))
            .register(
                DispatcherHookPoint.APPLICATION_MANGLING,
                "shutdown",
                HookMangling.shutdown(config, noIssuer, random))
            .build();

    List<ObjectNode> manifest = KrakeJson.readAll(MANIFEST, ObjectNode.class);
    Application app =
        Application.of(
            Metadata.of("bench", "echo-demo"),
            ApplicationSpec.of(manifest, Constraints.NONE)
                .withHooks(List.of(HooksConfig.COMPLETE, HooksConfig.SHUTDOWN)));
    app =
        app.withStatus(
            app.status()
                .withLastAppliedManifest(manifest)
                .withMangledObserverSchema(ObserverSchemas.effectiveSchema(manifest, List.of()))
                .withCredentials(
                    HookCredentials.COMPLETE,
                    new HookCredentials(
                        Optional.of(token(random)),
                        Optional.of(pem("CERTIFICATE", 540)),
                        Optional.of(pem("PRIVATE KEY", 138))))
                .withCredentials(
                    HookCredentials.SHUTDOWN,
                    new HookCredentials(
                        Optional.of(token(random)),
                        Optional.of(pem("CERTIFICATE", 540)),
                        Optional.of(pem("PRIVATE KEY", 138)))));
    context = HookContext.of(DispatcherHookPoint.APPLICATION_MANGLING, app, Optional.empty());
  }

  /** Mangles one application for both hooks. */
  @Benchmark
  public Application mangleDeploymentAndServiceWithBothHooksAndTls() {
    return dispatcher.dispatch(context).requireApplication();
  }

  private static String token(SecureRandom random) {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** A PEM block of about the size of a real EC P-256 one (the mangling never parses it). */
  private static String pem(String type, int derBytes) {
    byte[] der = new byte[derBytes];
    new SecureRandom().nextBytes(der);
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }
}
