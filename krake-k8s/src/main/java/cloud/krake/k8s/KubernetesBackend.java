package cloud.krake.k8s;

import cloud.krake.InvalidConfigurationException;
import cloud.krake.Krake;
import cloud.krake.KrakeExtension;
import cloud.krake.hooks.HooksConfig;
import cloud.krake.hooks.endpoint.EmbeddedHookServer;
import cloud.krake.hooks.execution.Blueprint;
import cloud.krake.hooks.execution.Blueprints;
import cloud.krake.hooks.execution.HookFunction;
import cloud.krake.hooks.lifecycle.RestartBackoff;
import cloud.krake.hooks.mangling.HookMangling;
import cloud.krake.hooks.shutdown.ShutdownProtocol;
import cloud.krake.hooks.tls.CertificateIssuer;
import cloud.krake.model.Application;
import cloud.krake.model.FieldError;
import cloud.krake.runtime.Component;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The Kubernetes backend as a {@link KrakeExtension}: installs Krake's application controller and
 * cluster controller, and, with a hooks configuration, the {@code complete} and {@code shutdown}
 * hooks (their mangling at {@code ApplicationMangling}, the shutdown protocol that gates migration
 * and deletion) and the embedded hook endpoint.
 *
 * <pre>{@code
 * Krake krake = Krake.builder()
 *     .store(store)
 *     .extension(KubernetesBackend.builder()
 *         .connector(KubeconfigClusterConnector.builder().build())
 *         .hooks(hooksConfig, certificateAuthorities)
 *         .hookServer(server)
 *         .build())
 *     .build();
 * }</pre>
 *
 * <p>What it is given, it owns: the connector and the hook server are closed when the {@code Krake}
 * instance is closed.
 */
public final class KubernetesBackend implements KrakeExtension {

  /** The name of the component that holds the backend's resources (closed last). */
  public static final String RESOURCES = "kubernetes-backend";

  private final ClusterConnector connector;
  private final Optional<HooksConfig> hooks;
  private final Optional<CertificateIssuer> issuer;
  private final Optional<EmbeddedHookServer> hookServer;
  private final Duration clusterProbeInterval;
  private final HookSettings hookSettings;

  private KubernetesBackend(Builder b) {
    this.connector = b.connector;
    this.hooks = b.hooks;
    this.issuer = b.issuer;
    this.hookServer = b.hookServer;
    this.clusterProbeInterval = b.clusterProbeInterval;
    this.hookSettings =
        new HookSettings(Blueprints.of(b.blueprints), b.functions, b.hookThreads, b.restartBackoff);
  }

  /** Returns a builder; {@link Builder#connector} is required. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public void install(Krake.Builder builder) {
    if (hooks.isPresent()) {
      HookMangling.register(builder, hooks.get(), issuer.orElseThrow());
    }
    if (hooks.isEmpty()) {
      builder.applicationValidator(KubernetesBackend::unconfiguredHooks);
    }
    builder.component(k -> new Resources());
    AtomicReference<ApplicationController> controller = new AtomicReference<>();
    builder.applicationValidator(
        app -> {
          ApplicationController c = controller.get();
          return c == null ? List.of() : c.workloadHooks().validate(app);
        });
    builder.component(
        k -> {
          ApplicationController c =
              new ApplicationController(
                  k,
                  connector,
                  hooks.map(
                      config ->
                          ShutdownProtocol.builder()
                              .applications(k.applications())
                              .config(config.shutdown())
                              .clock(k.clock())
                              .build()),
                  hookSettings,
                  List.of());
          controller.set(c);
          return c;
        });
    builder.component(k -> new ClusterController(k, connector, clusterProbeInterval));
  }

  /**
   * The errors of an application that asks for Krake's {@code complete} or {@code shutdown} hook on
   * a backend built without {@link Builder#hooks hooks}: one per such entry of {@code spec.hooks},
   * naming it ({@code spec.hooks[1]}). Krake does not start without its hooks configuration; here
   * the backend may, and then refuses the applications that would need it rather than run them
   * without their hook ({@code complete} never injected, deletion without the {@code shutdown}
   * call). Other names are ignored, as by Krake.
   */
  static List<FieldError> unconfiguredHooks(Application app) {
    List<FieldError> errors = new ArrayList<>();
    List<String> requested = app.spec().hooks();
    for (int i = 0; i < requested.size(); i++) {
      String hook = requested.get(i);
      if (hook.equals(HooksConfig.COMPLETE) || hook.equals(HooksConfig.SHUTDOWN)) {
        errors.add(
            new FieldError(
                "spec.hooks[" + i + "]",
                "the "
                    + hook
                    + " hook is not configured on this host: the Kubernetes backend was built"
                    + " without a hooks configuration (KubernetesBackend.Builder.hooks)"));
      }
    }
    return errors;
  }

  /** Closes the connector and the hook server when the instance closes. */
  private final class Resources implements Component {
    @Override
    public String name() {
      return RESOURCES;
    }

    @Override
    public void watch() {}

    @Override
    public void start() {}

    @Override
    public int drain() {
      return 0;
    }

    @Override
    public int queued() {
      return 0;
    }

    @Override
    public void close() {
      hookServer.ifPresent(EmbeddedHookServer::close);
      connector.close();
    }
  }

  /** Builds a {@link KubernetesBackend}; not thread-safe. */
  public static final class Builder {
    private ClusterConnector connector;
    private Optional<HooksConfig> hooks = Optional.empty();
    private Optional<CertificateIssuer> issuer = Optional.empty();
    private Optional<EmbeddedHookServer> hookServer = Optional.empty();
    private Duration clusterProbeInterval = ClusterController.DEFAULT_PROBE_INTERVAL;
    private final List<Blueprint> blueprints = new ArrayList<>();
    private final List<HookFunction> functions = new ArrayList<>();
    private int hookThreads = HookSettings.DEFAULT_THREADS;
    private RestartBackoff restartBackoff = RestartBackoff.DEFAULT;

    private Builder() {}

    /**
     * Adds blueprints that applications' execution hooks ({@code spec.execution_hooks}) may
     * reference by name ({@code blueprint} + {@code actionName}, as Kasten K10's policy hooks).
     * References are checked when an application is created: an unknown blueprint or action is
     * rejected naming the field.
     *
     * @param blueprints the blueprints (Kanister's format, e.g. from {@code Blueprint.fromYaml})
     * @return this builder
     * @see #build() which rejects two blueprints with the same name
     */
    public Builder blueprints(Blueprint... blueprints) {
      for (Blueprint blueprint : blueprints) {
        this.blueprints.add(Objects.requireNonNull(blueprint, "blueprint"));
      }
      return this;
    }

    /**
     * Registers a phase function besides the built-ins ({@code KubeTask}, {@code KubeExec}, {@code
     * Wait}, {@code HttpCall}): the Java analogue of compiling a Kanister {@code Func} into the
     * controller. Phases name it in {@code func}.
     *
     * @param function the function; its name must not be a built-in's or another's
     * @return this builder
     */
    public Builder hookFunction(HookFunction function) {
      functions.add(Objects.requireNonNull(function, "function"));
      return this;
    }

    /**
     * Sets the back-off between restarts of a pod whose postStart hook failed (the kubelet's
     * CrashLoopBackOff: 10 s doubling to 5 min by default).
     *
     * @param backoff the back-off
     * @return this builder
     */
    public Builder restartBackoff(RestartBackoff backoff) {
      this.restartBackoff = Objects.requireNonNull(backoff, "backoff");
      return this;
    }

    /**
     * Sets how many lifecycle and execution hooks may run at once (the pool {@code
     * krake-app-hooks-N}); default 8. A hook occupies a thread while it runs (a KubeTask until its
     * pod ends, an exec until it exits).
     *
     * @param threads at least 1
     * @return this builder
     * @throws IllegalArgumentException if {@code threads < 1}
     */
    public Builder hookThreads(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("hookThreads must be at least 1: " + threads);
      }
      this.hookThreads = threads;
      return this;
    }

    /**
     * Sets how clusters are reached (required), e.g. {@code KubeconfigClusterConnector}.
     *
     * @param connector the connector; closed with the {@code Krake} instance
     * @return this builder
     */
    public Builder connector(ClusterConnector connector) {
      this.connector = Objects.requireNonNull(connector, "connector");
      return this;
    }

    /**
     * Enables Krake's {@code complete} and {@code shutdown} hooks.
     *
     * @param config the hooks configuration (endpoint, TLS, env names, shutdown timeout, strategy)
     * @param issuer issues the per-application client certificates (used with TLS only), e.g.
     *     {@code HookCertificateAuthorities.of(config, clock)}
     * @return this builder
     */
    public Builder hooks(HooksConfig config, CertificateIssuer issuer) {
      this.hooks = Optional.of(Objects.requireNonNull(config, "config"));
      this.issuer = Optional.of(Objects.requireNonNull(issuer, "issuer"));
      return this;
    }

    /**
     * Hands over the hook endpoint's embedded server, started by the host (its URL goes into the
     * hooks configuration), to be closed with the {@code Krake} instance.
     *
     * @param server the server
     * @return this builder
     */
    public Builder hookServer(EmbeddedHookServer server) {
      this.hookServer = Optional.of(Objects.requireNonNull(server, "server"));
      return this;
    }

    /**
     * Sets how often each cluster's nodes are listed without a change (default 10 s).
     *
     * @param interval the interval; positive
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder clusterProbeInterval(Duration interval) {
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("clusterProbeInterval must be positive: " + interval);
      }
      this.clusterProbeInterval = interval;
      return this;
    }

    /**
     * Checks the settings and returns the backend.
     *
     * @throws InvalidConfigurationException naming every problem, as {@code
     *     Krake.builder().build()} does: no {@code connector}, or two {@code blueprints} with the
     *     same name
     */
    public KubernetesBackend build() {
      List<FieldError> errors = new ArrayList<>();
      if (connector == null) {
        errors.add(new FieldError("connector", "is required"));
      }
      Set<String> names = new HashSet<>();
      for (Blueprint blueprint : blueprints) {
        if (!names.add(blueprint.name())) {
          errors.add(new FieldError("blueprints", "two blueprints are named " + blueprint.name()));
        }
      }
      if (!errors.isEmpty()) {
        throw new InvalidConfigurationException(errors);
      }
      return new KubernetesBackend(this);
    }
  }
}
