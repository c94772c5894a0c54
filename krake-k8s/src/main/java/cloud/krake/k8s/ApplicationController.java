package cloud.krake.k8s;

import cloud.krake.KrakeContext;
import cloud.krake.action.ActionChain;
import cloud.krake.action.ActionInterceptor;
import cloud.krake.action.ActionOutcome;
import cloud.krake.action.KrakeAction;
import cloud.krake.dispatcher.HookException;
import cloud.krake.hooks.shutdown.ShutdownGate;
import cloud.krake.hooks.shutdown.ShutdownProtocol;
import cloud.krake.k8s.internal.ClusterObjects;
import cloud.krake.membership.KrakeMembership;
import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.Cluster;
import cloud.krake.model.InvalidResourceException;
import cloud.krake.model.Reason;
import cloud.krake.model.ReasonCode;
import cloud.krake.model.ResourceRef;
import cloud.krake.runtime.ReconcileResult;
import cloud.krake.runtime.ReconcilingComponent;
import cloud.krake.runtime.Reflector;
import cloud.krake.runtime.ResourceKey;
import cloud.krake.store.Applications;
import cloud.krake.store.Clusters;
import cloud.krake.store.NotFoundException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Krake's Kubernetes application controller ({@code
 * krake/controller/kubernetes/application/application.py}) on the core runtime: it applies each
 * scheduled application's manifest to its cluster, keeps it there, migrates it when the scheduler
 * moves it, and deletes its resources when it is deleted.
 *
 * <p>Per pass it reads the application (every write is a compare-and-set; a lost one re-reads and
 * tries again), <b>accepts</b> it as Krake's {@code scheduled_or_deleting} (a deleted application
 * once its last finalizer is {@value #RESOURCES_FINALIZER}; otherwise one the scheduler has handed
 * over, {@code kube_controller_triggered >= metadata.modified}, and that is not FAILED), first
 * cleans up what interrupted applies may have left on clusters among its owners ({@link
 * ClusterCleanup}), <b>chooses the action</b> (delete; migrate when {@code running_on} ≠ {@code
 * scheduled_to}; deploy or update when the delta against the cluster is not empty; else it only
 * observes, see {@link ManifestApply}), <b>runs the action's chain</b> of {@link
 * ActionInterceptor}s (the host's, then Krake's gates in the order of its gating table: the {@code
 * shutdown} hook, the execution hooks' preHook, preStop, the dispatcher's {@code
 * ApplicationPre/Post*} points, the state write, onSuccess / onFailure; the action's work last) and
 * <b>writes</b> what the outcome asks for. An apply and an observation settle the state through an
 * inner chain, the settle chain ({@link ManifestApply}): the latest deploy's or update's onSuccess
 * / onFailure around the postStart gate ({@code WorkloadHookGates.settledResults()}, {@code
 * WorkloadHookGates.postStart()}), so the execution and lifecycle hooks reach the application only
 * through chains.
 *
 * <p>Failures: a Kubernetes error makes the application FAILED with Krake's reason code ({@link
 * KubernetesException#reason()}); invalid manifests INVALID_RESOURCE; a failing hook handler
 * INTERNAL_ERROR. A deleted application whose shutdown is under way or decided
 * (WAITING_FOR_CLEANING, READY_FOR_ACTION, DEGRADED) keeps that state and gets the reason only, so
 * that an apply failing after the deletion does not make the deletion skip the shutdown.
 * Deliberately unlike Krake, a FAILED application whose reason is KUBERNETES_ERROR (an unreachable
 * or failing API server) is retried with exponential back-off and converges once the cluster is
 * healthy; other FAILED applications wait for the user.
 *
 * <p>Also unlike Krake: the controller's own finalizer and owner changes do not bump {@code
 * metadata.modified} ({@link Applications#writeByController}), so they do not send the application
 * back through the scheduler; the shutdown's success is the application's acknowledgement, not its
 * disappearance; every resource of {@code last_applied_manifest} and {@code last_observed_manifest}
 * is deleted, so a resource the watch has not reported yet is not orphaned.
 *
 * <p>Thread-safe; one worker per application at a time. What must survive a pass is in the store,
 * so a new instance on the same store resumes any action where the last one stopped.
 */
public final class ApplicationController extends ReconcilingComponent<ResourceKey> {

  /** The finalizer the controller adds before it creates anything on a cluster. */
  public static final String RESOURCES_FINALIZER = "kubernetes_resources_deletion";

  /** The component's name. */
  public static final String NAME = "kubernetes-applications";

  private static final Logger log = LoggerFactory.getLogger(ApplicationController.class);

  /**
   * The states in which a deleted application's shutdown is under way or decided. An apply that was
   * in flight when the application was deleted and then fails does not overwrite them with FAILED:
   * the deletion would take FAILED for its own failed attempt and skip the shutdown (issue 12, item
   * 13); the failure is recorded in the reason only.
   */
  private static final Set<ApplicationState> SHUTDOWN_STATES =
      Set.of(
          ApplicationState.WAITING_FOR_CLEANING,
          ApplicationState.READY_FOR_ACTION,
          ApplicationState.DEGRADED);

  private final Applications applications;
  private final Clusters clusters;
  private final Clock clock;
  private final ClusterConnector connector;
  private final Optional<ShutdownProtocol> shutdown;
  private final KrakeMembership membership;
  private final ClusterObjects<ResourceKey> objects;
  private final WorkloadHooks workloadHooks;
  private final ActionAttempts attempts;
  private final ApplicationHookPoints points;
  private final ClusterCleanup cleanup;
  private final ManifestApply manifests;
  private final List<ActionInterceptor> applyChain;
  private final List<ActionInterceptor> migrateChain;
  private final List<ActionInterceptor> deleteChain;
  private final VolumeMigration volumes;

  /**
   * Creates the controller.
   *
   * @param context the instance's store, clock, timer, hook dispatcher and worker count
   * @param connector makes the clusters' clients
   * @param shutdown the shutdown protocol, when the shutdown hook is configured (owned: closed with
   *     this controller); without it an application's {@code shutdown} hook is ignored (logged) and
   *     it is deleted or migrated at once
   */
  public ApplicationController(
      KrakeContext context, ClusterConnector connector, Optional<ShutdownProtocol> shutdown) {
    this(context, connector, shutdown, HookSettings.DEFAULTS, List.of());
  }

  /**
   * Creates the controller with the execution hooks' settings and the host's interceptors.
   *
   * @param context the instance's context
   * @param connector makes the clusters' clients
   * @param shutdown the shutdown protocol, if configured
   * @param settings blueprints, host functions and the size of the hooks' pool
   * @param hostInterceptors the host's interceptors, outermost first, around every action
   */
  ApplicationController(
      KrakeContext context,
      ClusterConnector connector,
      Optional<ShutdownProtocol> shutdown,
      HookSettings settings,
      List<ActionInterceptor> hostInterceptors) {
    this(context, connector, shutdown, settings, hostInterceptors, MigrationConfig.DEFAULTS);
  }

  /**
   * Creates the controller with the execution hooks' settings, the host's interceptors and the
   * volume migration's settings.
   *
   * @param context the instance's context
   * @param connector makes the clusters' clients
   * @param shutdown the shutdown protocol, if configured
   * @param settings blueprints, host functions and the size of the hooks' pool
   * @param hostInterceptors the host's interceptors, outermost first, around every action
   * @param migration Krake's {@code migration.retry.*} settings
   */
  ApplicationController(
      KrakeContext context,
      ClusterConnector connector,
      Optional<ShutdownProtocol> shutdown,
      HookSettings settings,
      List<ActionInterceptor> hostInterceptors,
      MigrationConfig migration) {
    super(NAME, context.clock(), context.timer(), context.workers(), context.metricsRecorder());
    this.volumes = new VolumeMigration(Objects.requireNonNull(migration, "migration"));
    this.applications = context.applications();
    this.clusters = context.clusters();
    this.clock = context.clock();
    this.connector = Objects.requireNonNull(connector, "connector");
    this.shutdown = Objects.requireNonNull(shutdown, "shutdown");
    Reflector<Application> reflector =
        reflect(new Reflector<>(NAME, applications, queue()::add, context.timer()));
    shardBy(
        context.membership(),
        k -> context.membership().shardOf(k.namespace(), k.name()),
        reflector::cachedKeys);
    this.objects = new ClusterObjects<>(queue()::add);
    this.workloadHooks = settings.create(context, connector, queue()::add);
    this.attempts = new ActionAttempts(context.store());
    this.points = new ApplicationHookPoints(context.dispatcher(), this::cluster);
    this.cleanup = new ClusterCleanup(applications, context.clusters(), connector, objects, points);
    WorkloadHookGates gates = new WorkloadHookGates(workloadHooks, connector, attempts);
    // the settle chain after an apply or an observation: onSuccess / onFailure around postStart
    List<ActionInterceptor> settle = List.of(gates.settledResults(), gates.postStart());
    this.manifests =
        new ManifestApply(applications, points, objects, settle, attempts, cleanup, connector);
    ShutdownGate shutdownGate = ShutdownGate.of(shutdown, applications);
    this.membership = context.membership();
    // Krake's gating order; the host's interceptors outermost (see KubernetesBackend.Builder)
    this.applyChain = chain(hostInterceptors, gates.preHook(), gates.results());
    this.migrateChain =
        chain(
            hostInterceptors,
            shutdownGate,
            gates.preHook(),
            gates.preStop(),
            points,
            cleanup::migrating,
            gates.results());
    this.deleteChain =
        chain(
            hostInterceptors,
            shutdownGate,
            gates.preHook(),
            gates.preStop(),
            points,
            cleanup::deleting,
            gates.results());
  }

  /**
   * The chain of an action: the host's interceptors, then Krake's, each of Krake's (the shutdown
   * call, exec hooks, deletions) and the action itself preceded by the fence: the re-check that
   * this instance still holds the application's shard (local, no store round trip), so that a
   * deposed instance stops before its next call to a cluster or a shutdown service.
   */
  private List<ActionInterceptor> chain(List<ActionInterceptor> host, ActionInterceptor... krakes) {
    ActionInterceptor fence =
        c -> {
          fence(c.application());
          return c.proceed();
        };
    List<ActionInterceptor> all = new ArrayList<>(host);
    for (ActionInterceptor krake : krakes) {
      all.add(fence);
      all.add(krake);
    }
    all.add(fence);
    return List.copyOf(all);
  }

  /** Throws {@code ShardNotHeldException} if this instance no longer holds the app's shard. */
  private void fence(Application app) {
    ResourceKey key = ResourceKey.of(app);
    membership.checkHolds(key.namespace(), key.name());
  }

  @Override
  protected void closeResources() {
    workloadHooks.close();
    objects.close();
    shutdown.ifPresent(ShutdownProtocol::close);
  }

  // ------------------------------------------------------------------ reconcile

  @Override
  protected ReconcileResult reconcile(ResourceKey key) {
    Optional<Application> read = applications.get(key.namespace(), key.name());
    if (read.isEmpty()) {
      objects.forget(key);
      workloadHooks.forget(key);
      attempts.forget(key);
      return ReconcileResult.done();
    }
    Application app = read.get();
    try {
      if (app.metadata().isDeleted()) {
        return deletion(key, app);
      }
      if (app.status().state() == ApplicationState.FAILED && !retryable(app)) {
        return ReconcileResult.done();
      }
      if (!handedOver(app)) {
        return ReconcileResult.done();
      }
      Optional<ResourceRef> target = app.status().scheduledTo();
      if (target.isEmpty()) {
        return ReconcileResult.done();
      }
      List<ResourceRef> abandoned = ClusterCleanup.abandoned(app, target.get());
      if (!abandoned.isEmpty()) {
        fence(app);
        app = cleanup.cleanUp(key, app, abandoned);
      }
      Optional<ResourceRef> current = app.status().runningOn();
      if (current.isPresent() && !current.equals(target)) {
        return migration(key, app, current.get(), target.get());
      }
      return reconcileOn(key, app, target.get(), false);
    } catch (KubernetesException e) {
      return failed(key, Reason.of(e.reason(), e.getMessage()));
    } catch (InvalidResourceException e) {
      return failed(key, Reason.of(ReasonCode.INVALID_RESOURCE, e.getMessage()));
    } catch (HookException e) {
      if (e.retried()) {
        // the point's HookFailurePolicy is RETRY: the state stays, the operation is tried again
        log.warn("application {}: {}; trying again with back-off", key, e.getMessage());
        return ReconcileResult.retryWithBackoff();
      }
      return failed(key, hookFailure(e));
    }
  }

  /** Krake's acceptance: the scheduler has looked at the application since its last update. */
  private static boolean handedOver(Application app) {
    Optional<Instant> triggered = app.status().kubeControllerTriggered();
    Optional<Instant> modified = app.metadata().modified();
    return triggered.isPresent()
        && (modified.isEmpty() || !triggered.get().isBefore(modified.get()));
  }

  /** A FAILED application whose failure may go away by itself: the API server failed. */
  private static boolean retryable(Application app) {
    return app.status().reason().map(r -> r.code() == ReasonCode.KUBERNETES_ERROR).orElse(false);
  }

  private static Reason hookFailure(HookException e) {
    if (e.getCause() instanceof InvalidResourceException invalid) {
      return Reason.of(ReasonCode.INVALID_RESOURCE, invalid.getMessage());
    }
    if (e.getCause() instanceof KubernetesException k8s) {
      return Reason.of(k8s.reason(), k8s.getMessage());
    }
    return Reason.of(ReasonCode.INTERNAL_ERROR, e.getMessage());
  }

  /** The one way from an action's outcome to the runtime: a failure is recorded first. */
  private ReconcileResult result(ResourceKey key, ActionOutcome outcome) {
    return outcome.kind() == ActionOutcome.Kind.FAIL
        ? failed(key, outcome.reason().orElseThrow())
        : outcome.toReconcileResult(clock);
  }

  private ReconcileResult failed(ResourceKey key, Reason reason) {
    log.warn("application {}: FAILED ({}): {}", key, reason.code(), reason.message());
    try {
      applications.modifyStatus(
          key.namespace(),
          key.name(),
          a ->
              a.status()
                  .withState(
                      a.metadata().isDeleted() && SHUTDOWN_STATES.contains(a.status().state())
                          ? a.status().state()
                          : ApplicationState.FAILED)
                  .withReason(Optional.of(reason)));
    } catch (NotFoundException gone) {
      return ReconcileResult.done();
    }
    return ActionOutcome.fail(reason).toReconcileResult(clock);
  }

  private ActionOutcome run(
      List<ActionInterceptor> interceptors,
      KrakeAction action,
      Application app,
      Optional<Cluster> cluster,
      Function<ActionChain, ActionOutcome> end) {
    return ActionChain.run(
        interceptors, action, app, cluster, WorkloadHookGates.operation(app, action), end);
  }

  // ------------------------------------------------------------------ deploy, update, observe

  private ReconcileResult reconcileOn(
      ResourceKey key, Application read, ResourceRef target, boolean migrating) {
    Optional<ManifestApply.Request> prepared = manifests.prepare(key, read, target, migrating);
    if (prepared.isEmpty()) {
      log.info("application {}: cluster {} does not exist (yet)", key, target.name());
      return ReconcileResult.retryWithBackoff();
    }
    ManifestApply.Request request = prepared.get();
    Application app = request.app();
    if (request.delta().isEmpty()) {
      return manifests.recordObservation(request).toReconcileResult(clock);
    }
    Optional<KrakeAction> action = migrating ? Optional.empty() : applyAction(app);
    if (action.isEmpty()) {
      fence(app);
      return manifests.apply(request).toReconcileResult(clock);
    }
    ManifestApply.Request withOperation =
        WorkloadHooks.declares(app, WorkloadHookGates.hookAction(action.get()))
            ? request.withOperation(WorkloadHookGates.operation(app, action.get()))
            : request;
    return result(
        key,
        run(
            applyChain,
            action.get(),
            app,
            Optional.of(request.cluster()),
            chain -> manifests.apply(withOperation)));
  }

  /** The action an apply carries out: deploy (first apply), update (the spec changed), or none. */
  private static Optional<KrakeAction> applyAction(Application app) {
    if (app.status().runningOn().isEmpty()) {
      return Optional.of(KrakeAction.DEPLOY);
    }
    return ManifestApply.updated(app) ? Optional.of(KrakeAction.UPDATE) : Optional.empty();
  }

  // ------------------------------------------------------------------ migration

  private ReconcileResult migration(
      ResourceKey key, Application app, ResourceRef from, ResourceRef to) {
    return result(
        key,
        run(
            migrateChain,
            KrakeAction.MIGRATE,
            app,
            cluster(from),
            chain -> {
              if (!VolumeMigration.workloads(chain.application()).isEmpty()) {
                return moveWithData(key, chain.application(), from, to);
              }
              Application written = cleanup.deleteEverything(key, chain.application(), from);
              reconcileOn(key, written, to, true);
              return ActionOutcome.proceed(
                  applications.get(key.namespace(), key.name()).orElse(written));
            }));
  }

  /**
   * A migration whose workloads mount writable data volumes, as Krake's {@code
   * _migrate_application_with_volumes}: the manifest applied on the new cluster first, the data
   * copied ({@link VolumeMigration}), and only then the old cluster's resources deleted, {@code
   * running_on} moved and {@code migration_retries} / {@code migration_timeout} reset. When the
   * copy fails, the new cluster's resources are deleted and the application stays where it ran:
   * {@code scheduled_to} set back to {@code running_on}, {@code migration_retries} counted up and
   * {@code migration_timeout} set to now + {@code migration.retry.timeout} × {@code
   * migration_retries}, before which the scheduler does not move it again; a warning names the
   * volume and the file. Until one of the two final writes, the stored application is MIGRATING on
   * its old cluster, so a restarted host does it again.
   */
  private ActionOutcome moveWithData(
      ResourceKey key, Application before, ResourceRef from, ResourceRef to) {
    Optional<Cluster> source = cluster(from);
    if (source.isEmpty()) {
      log.warn("application {}: cluster {} is gone; its data cannot be moved", key, from.name());
      Application written = cleanup.deleteEverything(key, before, from);
      reconcileOn(key, written, to, true);
      return ActionOutcome.proceed(applications.get(key.namespace(), key.name()).orElse(written));
    }
    Optional<ManifestApply.Request> prepared = manifests.prepare(key, before, to, true);
    if (prepared.isEmpty()) {
      log.info("application {}: cluster {} does not exist (yet)", key, to.name());
      return ActionOutcome.waitFor(Duration.ofSeconds(10), clock);
    }
    ClusterClient target = prepared.get().client();
    fence(before);
    Application applied = manifests.applyBeforeDataMove(prepared.get());
    try {
      fence(before);
      volumes.copy(
          applied,
          new VolumeMigration.Side(connector.connect(source.get()), from.name()),
          new VolumeMigration.Side(target, to.name()));
    } catch (VolumeMigrationException e) {
      return keepOnOldCluster(key, before, applied, from, to, target, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      log.info("application {}: interrupted while moving its data; resumed later", key);
      return ActionOutcome.waitForEvent();
    }
    // the data is there: the old workload goes, the application runs on the new cluster
    fence(before);
    cleanup.deleteResources(key, before, from);
    objects.forget(key);
    List<ResourceRef> owners = new ArrayList<>(applied.metadata().owners());
    owners.removeIf(o -> ClusterCleanup.sameCluster(o, from));
    Application written =
        applications.writeByController(
            applied
                .withMetadata(applied.metadata().withOwners(owners))
                .withStatus(
                    applied
                        .status()
                        .withRunningOn(Optional.of(to))
                        .withState(ApplicationState.MIGRATING)
                        .withReason(Optional.empty())
                        .withShutdownGracePeriod(Optional.empty())
                        .withShutdownAttempts(0)
                        .withMigrationRetries(0)
                        .withMigrationTimeout(0)));
    log.info(
        "application {}: data moved from {} to {}; its resources there deleted",
        key,
        from.name(),
        to.name());
    return ActionOutcome.proceed(written);
  }

  /** Krake's failure path of a volume migration: back to the old cluster, with back-off. */
  private ActionOutcome keepOnOldCluster(
      ResourceKey key,
      Application before,
      Application applied,
      ResourceRef from,
      ResourceRef to,
      ClusterClient target,
      String failure) {
    for (ObjectNode resource : applied.status().lastAppliedManifest()) {
      fence(before);
      try {
        target.delete(resource);
      } catch (KubernetesException e) {
        log.warn(
            "application {}: could not delete {} {} from cluster {}: {}",
            key,
            resource.path("kind").asText(),
            resource.path("metadata").path("name").asText(),
            to.name(),
            e.getMessage());
      }
    }
    objects.forget(key);
    int retries = before.status().migrationRetries() + 1;
    long timeout =
        clock.instant().getEpochSecond()
            + VolumeMigration.backOff(volumes.config(), retries).toSeconds();
    List<ResourceRef> owners = new ArrayList<>(applied.metadata().owners());
    owners.removeIf(o -> ClusterCleanup.sameCluster(o, to));
    Application written =
        applications.writeByController(
            applied
                .withMetadata(applied.metadata().withOwners(owners))
                .withStatus(
                    before
                        .status()
                        .withScheduledTo(Optional.of(from))
                        .withRunningOn(Optional.of(from))
                        .withState(ApplicationState.RUNNING)
                        .withShutdownGracePeriod(Optional.empty())
                        .withShutdownAttempts(0)
                        .withMigrationRetries(retries)
                        .withMigrationTimeout(timeout)));
    log.warn(
        "application {}: migration to {} failed ({}); kept on {}, migration_retries={},"
            + " not moved again before {}",
        key,
        to.name(),
        failure,
        from.name(),
        retries,
        Instant.ofEpochSecond(timeout));
    return ActionOutcome.proceed(written);
  }

  // ------------------------------------------------------------------ deletion

  private ReconcileResult deletion(ResourceKey key, Application app) {
    List<String> finalizers = app.metadata().finalizers();
    if (finalizers.isEmpty()
        || !finalizers.get(finalizers.size() - 1).equals(RESOURCES_FINALIZER)) {
      return ReconcileResult.done(); // the garbage collector's turn, or nothing of ours
    }
    Application deleting = withShutdownService(key, app);
    return result(
        key,
        run(
            deleteChain,
            KrakeAction.DELETE,
            deleting,
            deleting.status().runningOn().flatMap(this::cluster),
            cleanup::deleteFromRunningOn));
  }

  /**
   * Before a deletion's shutdown: an application with the shutdown hook, running on a cluster,
   * whose status has no {@code services["shutdown"]} entry although its manifest has a Service
   * named {@code shutdown}, gets the entry from that Service as the cluster reports it (watch
   * cache, else read), written before the shutdown protocol reads the application. Without it the
   * protocol concludes there is no service to call and the failure strategy goes on without a call.
   * The apply and the observation record the entry; this guards any path that left it out (issue
   * 17: a host killed between the Service's apply and its final write). Logged when it happens.
   *
   * @return the application as written, or {@code app} when nothing was to record
   */
  private Application withShutdownService(ResourceKey key, Application app) {
    if (shutdown.isEmpty()
        || !app.spec().hooks().contains(Applications.SHUTDOWN_HOOK)
        || app.status().state() == ApplicationState.DELETING
        || app.status().services().containsKey(ShutdownProtocol.SHUTDOWN_SERVICE)
        || app.status().runningOn().isEmpty()) {
      return app;
    }
    List<ObjectNode> declared =
        app.status().lastAppliedManifest().stream()
            .filter(
                r ->
                    r.path("apiVersion").asText("").equals("v1")
                        && r.path("kind").asText("").equals("Service")
                        && r.path("metadata")
                            .path("name")
                            .asText("")
                            .equals(ShutdownProtocol.SHUTDOWN_SERVICE))
            .toList();
    ResourceRef on = app.status().runningOn().get();
    Optional<Cluster> cluster = cluster(on);
    if (declared.isEmpty() || cluster.isEmpty()) {
      return app;
    }
    ClusterClient client = connector.connect(cluster.get());
    Map<String, String> services =
        AppliedResources.services(
            app.status().services(),
            manifests
                .observe(on.namespace().orElse("") + "/" + on.name(), client, declared)
                .values(),
            client.host());
    if (!services.containsKey(ShutdownProtocol.SHUTDOWN_SERVICE)) {
      log.info(
          "application {}: deleted without a services[\"shutdown\"] entry, and cluster {} has no"
              + " Service shutdown with an endpoint",
          key,
          on.name());
      return app;
    }
    log.info(
        "application {}: deleted without a services[\"shutdown\"] entry; recorded from the Service"
            + " on cluster {}: {}",
        key,
        on.name(),
        services.get(ShutdownProtocol.SHUTDOWN_SERVICE));
    return applications.writeByController(app.withStatus(app.status().withServices(services)));
  }

  private Optional<Cluster> cluster(ResourceRef ref) {
    return clusters.get(ref.namespace().orElse(""), ref.name());
  }
}
