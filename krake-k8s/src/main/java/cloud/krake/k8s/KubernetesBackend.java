package cloud.krake.k8s;

import cloud.krake.InvalidConfigurationException;
import cloud.krake.Krake;
import cloud.krake.KrakeException;
import cloud.krake.KrakeExtension;
import cloud.krake.action.ActionInterceptor;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

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
 *         .krakeHooks(hooksConfig, certificateAuthorities)
 *         .krakeHookServer(server)
 *         .build())
 *     .build();
 * }</pre>
 *
 * <p>Krake's four actions (deploy, update, migrate, delete) run through a chain of {@link
 * ActionInterceptor}s: the host's ({@link Builder#actionInterceptor}) outermost, then Krake's gates
 * in the order of its gating table, then the action's work.
 *
 * <p>What it is given, it owns: the connector, the hook server and the certificate issuer (when it
 * is {@link AutoCloseable}, as {@code HookCertificateAuthorities} with its key-pair thread) are
 * closed when the {@code Krake} instance is closed ({@link #close()}).
 */
public final class KubernetesBackend implements KrakeExtension {

  private final ClusterConnector connector;
  private final Optional<HooksConfig> hooks;
  private final Optional<CertificateIssuer> issuer;
  private final Optional<EmbeddedHookServer> hookServer;
  private final Duration clusterProbeInterval;
  private final HookSettings hookSettings;
  private final List<ActionInterceptor> actionInterceptors;
  private final MigrationConfig migration;

  private KubernetesBackend(Builder b) {
    this.connector = b.connector;
    this.hooks = b.hooks;
    this.issuer = b.issuer;
    this.hookServer = b.hookServer;
    this.clusterProbeInterval = b.clusterProbeInterval;
    this.hookSettings =
        new HookSettings(
            Blueprints.of(b.blueprints), b.functions, b.workloadHookThreads, b.restartBackoff);
    this.actionInterceptors = List.copyOf(b.actionInterceptors);
    this.migration = b.migration;
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
    builder.applicationValidator(hookSettings::validate);
    builder.component(
        k ->
            new ApplicationController(
                k,
                connector,
                hooks.map(
                    config ->
                        ShutdownProtocol.builder()
                            .applications(k.applications())
                            .config(config.shutdown())
                            .clock(k.clock())
                            .executors(k.executors())
                            .metricsRecorder(k.metricsRecorder())
                            .build()),
                hookSettings,
                actionInterceptors,
                migration));
    builder.component(k -> new ClusterController(k, connector, clusterProbeInterval));
  }

  /**
   * The errors of an application that asks for Krake's {@code complete} or {@code shutdown} hook on
   * a backend built without {@link Builder#krakeHooks krakeHooks}: one per such entry of {@code
   * spec.hooks}, naming it ({@code spec.hooks[1]}). Krake does not start without its hooks
   * configuration; here the backend may, and then refuses the applications that would need it
   * rather than run them without their hook ({@code complete} never injected, deletion without the
   * {@code shutdown} call). Other names are ignored, as by Krake.
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
                    + " without a hooks configuration (KubernetesBackend.Builder.krakeHooks)"));
      }
    }
    return errors;
  }

  /**
   * Closes the hook server, the certificate issuer (when {@link AutoCloseable}) and the connector;
   * called by {@code Krake.close()} once the controllers have stopped.
   *
   * @throws cloud.krake.KrakeException if the issuer's {@code close()} throws a checked exception
   */
  @Override
  public void close() {
    hookServer.ifPresent(EmbeddedHookServer::close);
    try {
      if (issuer.isPresent() && issuer.get() instanceof AutoCloseable closeable) {
        closeable.close();
      }
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new KrakeException("cannot close the hook certificate issuer", e);
    } finally {
      connector.close();
    }
  }

  /** Builds a {@link KubernetesBackend}; not thread-safe. */
  public static final class Builder {
    private ClusterConnector connector;
    private MigrationConfig migration = MigrationConfig.DEFAULTS;
    private Optional<HooksConfig> hooks = Optional.empty();
    private Optional<CertificateIssuer> issuer = Optional.empty();
    private Optional<EmbeddedHookServer> hookServer = Optional.empty();
    private Duration clusterProbeInterval = ClusterController.DEFAULT_PROBE_INTERVAL;
    private final List<Blueprint> blueprints = new ArrayList<>();
    private final List<HookFunction> functions = new ArrayList<>();
    private int workloadHookThreads = HookSettings.DEFAULT_THREADS;
    private RestartBackoff restartBackoff = RestartBackoff.DEFAULT;
    private final List<ActionInterceptor> actionInterceptors = new ArrayList<>();

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
     * Adds an interceptor around Krake's four actions (deploy, update, migrate, delete) of every
     * application: the host's way to observe, veto, delay or wrap them. Host interceptors run
     * outermost, in the order they are added, before Krake's own gates (the shutdown hook, the
     * execution hooks' preHook, preStop, the dispatcher's application hook points), and see the
     * outcome of everything inside them. An interceptor that does not proceed stops the action for
     * this pass: {@code ActionOutcome.waitUntil} comes back at an instant, {@code waitForEvent}
     * when the application changes, {@code fail} makes it FAILED with the reason. It runs on the
     * controller's workers, once per pass of an application with an action to carry out (not on
     * passes that only observe), so it must be quick and keep what it must remember in the store.
     *
     * <pre>{@code
     * .actionInterceptor(chain -> chain.action() == KrakeAction.DEPLOY && frozen()
     *     ? ActionOutcome.waitUntil(freezeEnds())
     *     : chain.proceed())
     * }</pre>
     *
     * @param interceptor the interceptor; thread-safe
     * @return this builder
     */
    public Builder actionInterceptor(ActionInterceptor interceptor) {
      actionInterceptors.add(Objects.requireNonNull(interceptor, "interceptor"));
      return this;
    }

    /**
     * Registers a phase function for execution hooks besides the built-ins ({@code KubeTask},
     * {@code KubeExec}, {@code Wait}, {@code HttpCall}): the Java analogue of compiling a Kanister
     * {@code Func} into the controller. Phases name it in {@code func}.
     *
     * @param function the function; its name must not be a built-in's or another registered one's
     *     ({@link #build()} rejects it)
     * @return this builder
     */
    public Builder executionHookFunction(HookFunction function) {
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
     * Sets how many workload hooks, container lifecycle hooks and execution hooks together, may run
     * at once (the pool {@code krake-app-hooks-N}); default 8. A hook occupies a thread while it
     * runs (a KubeTask until its pod ends, an exec until it exits).
     *
     * @param threads at least 1
     * @return this builder
     * @throws IllegalArgumentException if {@code threads < 1}
     */
    public Builder workloadHookThreads(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("workloadHookThreads must be at least 1: " + threads);
      }
      this.workloadHookThreads = threads;
      return this;
    }

    /**
     * Sets Krake's {@code migration} settings for migrations that move data (default {@link
     * MigrationConfig#DEFAULTS}: 10 tries, 60 s back-off per failed migration).
     *
     * @param migration the settings
     * @return this builder
     */
    public Builder migration(MigrationConfig migration) {
      this.migration = Objects.requireNonNull(migration, "migration");
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
     * Enables Krake's own hooks, {@code complete} and {@code shutdown} (an application lists them
     * in {@code spec.hooks}).
     *
     * @param config the hooks configuration (endpoint, TLS, env names, shutdown timeout, strategy)
     * @param issuer issues the per-application client certificates (used with TLS only), e.g.
     *     {@code HookCertificateAuthorities.of(config, clock)}; closed with the {@code Krake}
     *     instance when it is {@link AutoCloseable}
     * @return this builder
     */
    public Builder krakeHooks(HooksConfig config, CertificateIssuer issuer) {
      this.hooks = Optional.of(Objects.requireNonNull(config, "config"));
      this.issuer = Optional.of(Objects.requireNonNull(issuer, "issuer"));
      return this;
    }

    /**
     * Hands over the embedded server of Krake's hook endpoint (the {@code complete} and {@code
     * shutdown} calls), started by the host (its URL goes into the hooks configuration), to be
     * closed with the {@code Krake} instance.
     *
     * @param server the server
     * @return this builder
     */
    public Builder krakeHookServer(EmbeddedHookServer server) {
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
     *     Krake.builder().build()} does: no {@code connector}, two {@code blueprints} with the same
     *     name, or an {@code executionHookFunctions} entry named as a built-in function or another
     *     registered one
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
      Set<String> functionNames = new HashSet<>(HookSettings.BUILT_IN_FUNCTIONS);
      for (HookFunction function : functions) {
        if (!functionNames.add(function.name())) {
          errors.add(
              new FieldError(
                  "executionHookFunctions",
                  HookSettings.BUILT_IN_FUNCTIONS.contains(function.name())
                      ? "the function " + function.name() + " is a built-in"
                      : "two functions are named " + function.name()));
        }
      }
      if (!errors.isEmpty()) {
        throw new InvalidConfigurationException(errors);
      }
      return new KubernetesBackend(this);
    }
  }
}
