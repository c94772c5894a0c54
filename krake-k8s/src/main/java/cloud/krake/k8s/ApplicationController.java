package cloud.krake.k8s;

import cloud.krake.Krake;
import cloud.krake.dispatcher.HookContext;
import cloud.krake.dispatcher.HookDispatcher;
import cloud.krake.dispatcher.HookException;
import cloud.krake.dispatcher.HookPoint;
import cloud.krake.hooks.execution.ActionRun;
import cloud.krake.hooks.execution.HookAction;
import cloud.krake.hooks.shutdown.ShutdownDecision;
import cloud.krake.hooks.shutdown.ShutdownProtocol;
import cloud.krake.hooks.shutdown.ShutdownPurpose;
import cloud.krake.k8s.internal.ClusterObjects;
import cloud.krake.k8s.internal.ObservedManifests;
import cloud.krake.k8s.internal.ServiceEndpoints;
import cloud.krake.k8s.internal.WorkloadHealth;
import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.ApplicationStatus;
import cloud.krake.model.Cluster;
import cloud.krake.model.InvalidResourceException;
import cloud.krake.model.ObserverSchemas;
import cloud.krake.model.Reason;
import cloud.krake.model.ReasonCode;
import cloud.krake.model.ResourceRef;
import cloud.krake.runtime.ReconcileResult;
import cloud.krake.runtime.ReconcilingComponent;
import cloud.krake.runtime.Reflector;
import cloud.krake.runtime.ResourceKey;
import cloud.krake.store.Applications;
import cloud.krake.store.ConflictException;
import cloud.krake.store.NotFoundException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Krake's Kubernetes application controller ({@code
 * krake/controller/kubernetes/application/application.py}) on the core runtime: it applies each
 * scheduled application's manifest to its cluster, keeps it there, migrates it when the scheduler
 * moves it, and deletes its resources when it is deleted.
 *
 * <p>Per application (re-read from the store first; every write a compare-and-set, a lost one
 * re-reads and tries again):
 *
 * <ul>
 *   <li><b>Accepted</b> as Krake's {@code scheduled_or_deleting}: a deleted application once its
 *       last finalizer is {@value #RESOURCES_FINALIZER} (the garbage collector has popped {@code
 *       cascade_deletion}); otherwise one the scheduler has handed over ({@code
 *       kube_controller_triggered >= metadata.modified}) and that is not FAILED.
 *   <li><b>Reconcile</b> ({@code running_on} empty or equal to {@code scheduled_to}): {@code
 *       ApplicationPreReconcile}; the observer schema and {@code last_applied_manifest}
 *       regenerated; {@code ApplicationMangling} (the complete and shutdown hooks inject their
 *       Secrets and environment); the delta against what the cluster's watches report; when there
 *       is one: finalizer, the target cluster recorded in {@code metadata.owners} (if the binding
 *       has not already) and CREATING or RECONCILING, in one write before anything is applied;
 *       deletes then creates then updates by server-side apply, each between {@code ResourcePre*}
 *       and {@code ResourcePost*}; {@code running_on}; the state from the workloads' health; {@code
 *       ApplicationPostReconcile}.
 *   <li><b>Observation</b>: the cluster's objects are watched (one list-and-watch per cluster and
 *       kind), not polled; a change of an application's object re-queues it, and the next pass
 *       records {@code last_observed_manifest}, {@code services} and the health (RUNNING, DEGRADED,
 *       COMPLETED, RESTARTING), and repairs drift by applying again.
 *   <li><b>Migration</b> ({@code running_on} ≠ {@code scheduled_to}): with the shutdown hook, the
 *       {@link ShutdownProtocol} gates it exactly as Krake's table; then MIGRATING, every resource
 *       deleted from the old cluster, the old cluster dropped from the owners, everything applied
 *       to the new one, RUNNING with the shutdown progress cleared.
 *   <li><b>Interrupted applies</b>: a cluster among {@code metadata.owners} that is neither {@code
 *       running_on} nor {@code scheduled_to} may hold objects of an apply that a new binding, a
 *       deletion or a crash interrupted before it could record {@code running_on}: the whole
 *       desired manifest ({@code last_applied_manifest}, {@code spec.manifest}) is deleted there,
 *       without hooks, and the cluster dropped from the owners, before anything else. An apply
 *       whose final write loses to such a decision, which another host may have carried out while
 *       it was applying, deletes what it applied itself.
 *   <li><b>Deletion</b>: with the shutdown hook, the protocol first; then DELETING, every resource
 *       deleted (a 404 is "already gone"), the whole desired manifest deleted from every other
 *       cluster among the owners (an interrupted apply may have left objects there), the owners and
 *       {@value #RESOURCES_FINALIZER} dropped, and the application removed from the store once no
 *       finalizer is left.
 * </ul>
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
 * <p>Thread-safe; one worker per application at a time.
 */
public final class ApplicationController extends ReconcilingComponent<ResourceKey> {

  /** The finalizer the controller adds before it creates anything on a cluster. */
  public static final String RESOURCES_FINALIZER = "kubernetes_resources_deletion";

  /** The component's name. */
  public static final String NAME = "kubernetes-applications";

  private static final Logger log = LoggerFactory.getLogger(ApplicationController.class);

  /** States of an application that has not been RUNNING since its last apply. */
  private static final Set<ApplicationState> SETTLING_STATES =
      Set.of(ApplicationState.CREATING, ApplicationState.RECONCILING, ApplicationState.MIGRATING);

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

  private static final Set<ApplicationState> OBSERVED_STATES =
      Set.of(
          ApplicationState.PENDING,
          ApplicationState.CREATING,
          ApplicationState.RECONCILING,
          ApplicationState.RUNNING,
          ApplicationState.DEGRADED,
          ApplicationState.COMPLETED,
          ApplicationState.RESTARTING,
          ApplicationState.FAILED,
          ApplicationState.MIGRATING);

  private final Krake krake;
  private final Applications applications;
  private final HookDispatcher hooks;
  private final Clock clock;
  private final ClusterConnector connector;
  private final Optional<ShutdownProtocol> shutdown;
  private final ClusterObjects<ResourceKey> objects;
  private final WorkloadHooks workloadHooks;
  private final Map<String, Integer> actionFailures =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** How often a Kubernetes error may fail an action before its onFailure hook runs. */
  static final int ACTION_ATTEMPTS = 3;

  /**
   * Creates the controller.
   *
   * @param krake the entry point (store, clock, hook dispatcher, timer, worker count)
   * @param connector makes the clusters' clients
   * @param shutdown the shutdown protocol, when the shutdown hook is configured (owned: closed with
   *     this controller); without it an application's {@code shutdown} hook is ignored (logged) and
   *     it is deleted or migrated at once
   */
  public ApplicationController(
      Krake krake, ClusterConnector connector, Optional<ShutdownProtocol> shutdown) {
    this(krake, connector, shutdown, HookSettings.DEFAULTS);
  }

  /**
   * Creates the controller with the execution hooks' blueprints and functions.
   *
   * @param krake the entry point
   * @param connector makes the clusters' clients
   * @param shutdown the shutdown protocol, if configured
   * @param settings blueprints, host functions and the size of the hooks' pool
   */
  ApplicationController(
      Krake krake,
      ClusterConnector connector,
      Optional<ShutdownProtocol> shutdown,
      HookSettings settings) {
    super(NAME, krake.clock(), krake.timer(), krake.workers());
    this.krake = krake;
    this.applications = krake.applications();
    this.hooks = krake.dispatcher();
    this.clock = krake.clock();
    this.connector = Objects.requireNonNull(connector, "connector");
    this.shutdown = Objects.requireNonNull(shutdown, "shutdown");
    reflect(new Reflector<>(NAME, applications, queue()::add, krake.timer()));
    this.objects = new ClusterObjects<>(queue()::add);
    this.workloadHooks = settings.create(krake, connector, queue()::add);
  }

  /** The hooks around workloads (package-private: the backend's validator uses it). */
  WorkloadHooks workloadHooks() {
    return workloadHooks;
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
      List<ResourceRef> abandoned = abandoned(app, target.get());
      if (!abandoned.isEmpty()) {
        app = cleanUp(key, app, abandoned);
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
    return reason.code() == ReasonCode.KUBERNETES_ERROR
        ? ReconcileResult.retryWithBackoff()
        : ReconcileResult.done();
  }

  // ------------------------------------------------------------------ reconcile on a cluster

  private ReconcileResult reconcileOn(
      ResourceKey key, Application app, ResourceRef target, boolean migrating) {
    Optional<Cluster> found = cluster(target);
    if (found.isEmpty()) {
      log.info("application {}: cluster {} does not exist (yet)", key, target.name());
      return ReconcileResult.retryWithBackoff();
    }
    Cluster cluster = found.get();
    ClusterClient client = connector.connect(cluster);
    String clusterKey = clusterKey(target);

    app = dispatch(HookPoint.APPLICATION_PRE_RECONCILE, app, cluster);
    Application mangled = mangle(app, cluster);
    ApplicationStatus status = mangled.status();
    List<ObjectNode> schemas = status.mangledObserverSchema();
    objects.declare(key, clusterKey, client, status.lastAppliedManifest());

    Map<ObjectNode, ObjectNode> present = observe(clusterKey, client, status.lastAppliedManifest());
    List<ObjectNode> observed = new ArrayList<>();
    present.forEach(
        (desired, object) ->
            ObserverSchemas.find(schemas, desired)
                .ifPresent(schema -> observed.add(ObservedManifests.project(schema, object))));
    ObservedManifests.Delta delta =
        ObservedManifests.delta(
            status.lastAppliedManifest(),
            observedForDelta(app, status.lastAppliedManifest(), observed),
            schemas);

    if (delta.isEmpty()) {
      return recordObservation(key, app, mangled, cluster, target, client, present, observed);
    }

    Application before = app;
    Optional<HookAction> action = migrating ? Optional.empty() : applyAction(app);
    Optional<ActionRun> run =
        action.map(a -> actionRun(before, a, cluster.metadata().name(), client));
    if (action.isPresent()) {
      Optional<ReconcileResult> gate =
          gate(
              key,
              app,
              action.get(),
              run.get(),
              workloadHooks.before(key, app, action.get(), run.get()));
      if (gate.isPresent()) {
        return gate.get();
      }
    }
    try {
      return apply(
          key, app, mangled, cluster, target, client, present, delta, migrating, action, run);
    } catch (KubernetesException | InvalidResourceException | HookException e) {
      if (action.isPresent()) {
        actionFailed(key, app, action.get(), run.get(), e);
      }
      throw e;
    }
  }

  private ReconcileResult apply(
      ResourceKey key,
      Application app,
      Application mangled,
      Cluster cluster,
      ResourceRef target,
      ClusterClient client,
      Map<ObjectNode, ObjectNode> present,
      ObservedManifests.Delta delta,
      boolean migrating,
      Optional<HookAction> action,
      Optional<ActionRun> run) {
    ApplicationStatus status = mangled.status();

    // Apply: finalizer and CREATING/RECONCILING (persisting the mangled status: tokens, certs).
    ApplicationState applying =
        migrating
            ? ApplicationState.MIGRATING
            : app.status().runningOn().isEmpty()
                ? ApplicationState.CREATING
                : ApplicationState.RECONCILING;
    Application written =
        applications.writeByController(
            withFinalizer(withOwner(mangled, target))
                .withStatus(
                    // a FAILED application being retried stays FAILED until the retry works: a
                    // CREATING/FAILED write per attempt would re-queue it at once, around its
                    // back-off
                    status.withState(
                        app.status().state() == ApplicationState.FAILED
                            ? ApplicationState.FAILED
                            : applying)));
    log.info(
        "application {}: {} on cluster {} (+{} ~{} -{})",
        key,
        applying,
        target.name(),
        delta.created().size(),
        delta.modified().size(),
        delta.deleted().size());

    Applied applied = new Applied(written.status(), new LinkedHashMap<>(present), client);
    for (ObjectNode resource : delta.deleted()) {
      applied.delete(written, cluster, resource);
    }
    for (ObjectNode resource : delta.created()) {
      applied.apply(written, cluster, resource, true);
    }
    for (ObjectNode resource : delta.modified()) {
      applied.apply(written, cluster, resource, false);
    }
    WorkloadHealth health = WorkloadHealth.of(applied.objects.values());
    run.ifPresent(r -> actionFailures.remove(r.operation()));
    PostApply post =
        postApply(
            key,
            written,
            cluster.metadata().name(),
            client,
            health.state(),
            health.starting(),
            applying);
    ApplicationStatus done =
        applied
            .status
            .withRunningOn(Optional.of(target))
            .withState(post.state())
            .withContainerHealth(health.containers())
            .withReason(post.reason());
    if (migrating) {
      done = done.withShutdownGracePeriod(Optional.empty()).withShutdownAttempts(0);
    }
    try {
      written = applications.writeByController(applied.app.withStatus(done));
    } catch (ConflictException | NotFoundException e) {
      if (takeBackIfAbandoned(key, target, client, written, app.status().runningOn().isEmpty())) {
        return ReconcileResult.done();
      }
      throw e;
    }
    dispatch(HookPoint.APPLICATION_POST_RECONCILE, written, cluster);
    log.info("application {}: {} on cluster {}", key, post.state(), target.name());
    return post.result();
  }

  /**
   * After an apply lost its final write: when the cluster has been given up meanwhile, by a
   * deletion or a new binding that another host may already have carried out while this one was
   * applying, deletes again everything the apply may have created there, so that nothing outlives
   * the decision; a later pass sees the rest. Given up: the application is gone; or this cluster is
   * no longer recorded (neither among the owners nor {@code running_on}: it has been cleaned up);
   * or its deletion is past the shutdown (DELETING, or its finalizer removed); or its migration to
   * another cluster is past the shutdown (MIGRATING); or, for a first apply (no workload recorded
   * as running, so no shutdown to wait for), it is deleted or scheduled elsewhere.
   *
   * @return whether the application is gone (nothing left to reconcile)
   */
  private boolean takeBackIfAbandoned(
      ResourceKey key,
      ResourceRef target,
      ClusterClient client,
      Application applying,
      boolean firstApply) {
    Optional<Application> now = applications.get(key.namespace(), key.name());
    boolean givenUp =
        now.map(
                a ->
                    !recorded(a, target)
                        || (a.metadata().isDeleted()
                            && (a.status().state() == ApplicationState.DELETING
                                || !a.metadata().finalizers().contains(RESOURCES_FINALIZER)))
                        || (a.status().state() == ApplicationState.MIGRATING
                            && !scheduledTo(a, target))
                        || (firstApply && (a.metadata().isDeleted() || !scheduledTo(a, target))))
            .orElse(true);
    if (givenUp) {
      log.info(
          "application {}: deleted or moved while it was applied to cluster {};"
              + " deleting what this apply created there",
          key,
          target.name());
      for (ObjectNode resource : applying.status().lastAppliedManifest()) {
        try {
          client.delete(resource);
        } catch (KubernetesException e) {
          log.warn(
              "application {}: could not delete {} from cluster {}: {}",
              key,
              resource.path("kind").asText()
                  + " "
                  + resource.path("metadata").path("name").asText(),
              target.name(),
              e.getMessage());
        }
      }
    }
    return now.isEmpty();
  }

  private static boolean scheduledTo(Application app, ResourceRef cluster) {
    return app.status().scheduledTo().filter(t -> sameCluster(t, cluster)).isPresent();
  }

  private static boolean recorded(Application app, ResourceRef cluster) {
    return ownerClusters(app).stream().anyMatch(o -> sameCluster(o, cluster))
        || app.status().runningOn().filter(r -> sameCluster(r, cluster)).isPresent();
  }

  // ------------------------------------------------------------------ hooks around actions

  /** The state to record after an apply or an observation, and when to come back. */
  private record PostApply(
      ApplicationState state, Optional<Reason> reason, ReconcileResult result) {}

  /**
   * After the workload is applied: postStart gates RUNNING (kubelet: the container is not running
   * until its postStart succeeded); once it has succeeded, the deploy's or update's onSuccess runs
   * in the background.
   */
  private PostApply postApply(
      ResourceKey key,
      Application app,
      String cluster,
      ClusterClient client,
      ApplicationState health,
      boolean starting,
      ApplicationState pending) {
    if (health == ApplicationState.DEGRADED
        && starting
        && SETTLING_STATES.contains(app.status().state())) {
      health = pending;
    }
    WorkloadHooks.Step postStart = workloadHooks.postStart(key, app, cluster, client);
    switch (postStart.kind()) {
      case FAIL:
        currentAction(app)
            .ifPresent(
                a -> workloadHooks.finish(key, app, a, actionRun(app, a, cluster, client), false));
        return new PostApply(ApplicationState.FAILED, postStart.reason(), ReconcileResult.done());
      case WAIT:
        ApplicationState state =
            health == ApplicationState.RUNNING || health == ApplicationState.COMPLETED
                ? pending
                : health;
        return new PostApply(
            state,
            Optional.empty(),
            postStart.after().map(ReconcileResult::requeueAfter).orElse(ReconcileResult.done()));
      default:
        currentAction(app)
            .ifPresent(
                a -> workloadHooks.finish(key, app, a, actionRun(app, a, cluster, client), true));
        return new PostApply(health, Optional.empty(), ReconcileResult.done());
    }
  }

  /** The action an apply carries out: deploy (first apply), update (the spec changed), or none. */
  private static Optional<HookAction> applyAction(Application app) {
    if (app.status().runningOn().isEmpty()) {
      return Optional.of(HookAction.DEPLOY);
    }
    return updated(app) ? Optional.of(HookAction.UPDATE) : Optional.empty();
  }

  /** The latest deploy or update of a running application, if it declares hooks for it. */
  private static Optional<HookAction> currentAction(Application app) {
    HookAction action = updated(app) ? HookAction.UPDATE : HookAction.DEPLOY;
    // most applications declare no execution hooks: no action run is built on every pass for them
    return WorkloadHooks.declares(app, action) ? Optional.of(action) : Optional.empty();
  }

  private static boolean updated(Application app) {
    Optional<Instant> modified = app.metadata().modified();
    Optional<Instant> created = app.metadata().created();
    return modified.isPresent() && created.isPresent() && modified.get().isAfter(created.get());
  }

  /**
   * The occurrence of an action, stable across passes and restarts: the application's uid for
   * deploy and delete, its modification time for update, the binding time and the clusters for
   * migrate.
   */
  private static ActionRun actionRun(
      Application app, HookAction action, String cluster, ClusterClient client) {
    String uid = app.metadata().uid().orElse(app.metadata().name());
    String operation =
        switch (action) {
          case DEPLOY -> uid + "/deploy";
          case DELETE -> uid + "/delete";
          case UPDATE ->
              uid + "/update@" + app.metadata().modified().map(Instant::toString).orElse("");
          case MIGRATE ->
              uid
                  + "/migrate@"
                  + app.status().scheduled().map(Instant::toString).orElse("")
                  + "->"
                  + app.status().scheduledTo().map(ResourceRef::name).orElse("");
        };
    return new ActionRun(
        action, operation, WorkloadHooks.context(app, cluster, namespace(app, client)));
  }

  /** The Kubernetes namespace of an application's resources ({@code .Namespace.Name}). */
  private static String namespace(Application app, ClusterClient client) {
    for (ObjectNode resource : app.spec().manifest()) {
      String ns = resource.path("metadata").path("namespace").asText("");
      if (!ns.isEmpty()) {
        return ns;
      }
    }
    return client.defaultNamespace();
  }

  /** Empty: proceed; else what to return: wait for the hook, or the action failed. */
  private Optional<ReconcileResult> gate(
      ResourceKey key, Application app, HookAction action, ActionRun run, WorkloadHooks.Step step) {
    switch (step.kind()) {
      case PROCEED:
        return Optional.empty();
      case WAIT:
        return Optional.of(
            step.after().map(ReconcileResult::requeueAfter).orElse(ReconcileResult.done()));
      default:
        workloadHooks.finish(key, app, action, run, false);
        return Optional.of(failed(key, step.reason().orElseThrow()));
    }
  }

  /**
   * An action failed: onFailure runs once the failure is final, at once for a failure that does not
   * go away by itself, after {@value #ACTION_ATTEMPTS} attempts for a Kubernetes error.
   */
  private void actionFailed(
      ResourceKey key, Application app, HookAction action, ActionRun run, RuntimeException e) {
    boolean transient_ =
        (e instanceof KubernetesException k8s && k8s.reason() == ReasonCode.KUBERNETES_ERROR)
            || (e instanceof HookException hook && hook.retried());
    int attempts = actionFailures.merge(run.operation(), 1, Integer::sum);
    if (!transient_ || attempts >= ACTION_ATTEMPTS) {
      actionFailures.remove(run.operation());
      workloadHooks.finish(key, app, action, run, false);
    }
  }

  /**
   * What the delta compares against: the projections of the desired resources the cluster has, and
   * the resources observed before that are no longer desired (so that they are deleted).
   */
  private static List<ObjectNode> observedForDelta(
      Application before, List<ObjectNode> desired, List<ObjectNode> observed) {
    List<ObjectNode> all = new ArrayList<>(observed);
    for (ObjectNode old : before.status().lastObservedManifest()) {
      if (ObservedManifests.find(desired, old).isEmpty()) {
        all.add(old);
      }
    }
    return all;
  }

  /** Nothing to apply: record what the cluster reports, if it changed. */
  private ReconcileResult recordObservation(
      ResourceKey key,
      Application app,
      Application mangled,
      Cluster cluster,
      ResourceRef target,
      ClusterClient client,
      Map<ObjectNode, ObjectNode> present,
      List<ObjectNode> observed) {
    WorkloadHealth health = WorkloadHealth.of(present.values());
    ApplicationStatus status = mangled.status().withLastObservedManifest(observed);
    status = status.withServices(services(status.services(), present.values(), client.host()));
    ApplicationState state = app.status().state();
    ReconcileResult result = ReconcileResult.done();
    if (OBSERVED_STATES.contains(state)
        || state == ApplicationState.WAITING_FOR_CLEANING
        || state == ApplicationState.READY_FOR_ACTION) {
      // WAITING_FOR_CLEANING / READY_FOR_ACTION without a migration: the scheduler called the
      // migration off; the application simply runs on.
      ApplicationState pending =
          state == ApplicationState.CREATING || state == ApplicationState.MIGRATING
              ? state
              : ApplicationState.RECONCILING;
      PostApply post =
          postApply(
              key,
              app,
              cluster.metadata().name(),
              client,
              health.state(),
              health.starting(),
              pending);
      result = post.result();
      status =
          status
              .withState(post.state())
              .withContainerHealth(health.containers())
              .withReason(post.reason())
              .withRunningOn(Optional.of(target));
      if (state == ApplicationState.WAITING_FOR_CLEANING
          || state == ApplicationState.READY_FOR_ACTION
          || state == ApplicationState.MIGRATING) {
        status = status.withShutdownGracePeriod(Optional.empty()).withShutdownAttempts(0);
      }
    }
    Application next = mangled.withStatus(status);
    if (!next.status().equals(app.status())) {
      Application written = applications.writeByController(next);
      if (written.status().state() != app.status().state()) {
        log.info("application {}: {}", key, written.status().state());
      }
    }
    dispatch(HookPoint.APPLICATION_POST_RECONCILE, mangled, cluster);
    return result;
  }

  /** The server objects of the desired resources: from the watch cache, else read. */
  private Map<ObjectNode, ObjectNode> observe(
      String clusterKey, ClusterClient client, List<ObjectNode> desired) {
    Map<ObjectNode, ObjectNode> present = new LinkedHashMap<>();
    for (ObjectNode resource : desired) {
      ClusterObjects.Observation seen = objects.observed(clusterKey, resource);
      Optional<ObjectNode> object = seen.known() ? seen.object() : client.get(resource);
      object.ifPresent(o -> present.put(resource, o));
    }
    return present;
  }

  private static Map<String, String> services(
      Map<String, String> before, Iterable<ObjectNode> objects, String host) {
    Map<String, String> services = new LinkedHashMap<>(before);
    for (ObjectNode o : objects) {
      if (o.path("kind").asText("").equals("Service")
          && o.path("apiVersion").asText("").equals("v1")) {
        String name = o.path("metadata").path("name").asText();
        Optional<String> endpoint = ServiceEndpoints.of(o, host);
        if (endpoint.isPresent()) {
          services.put(name, endpoint.get());
        } else {
          services.remove(name);
        }
      }
    }
    return services;
  }

  /**
   * Regenerates the observer schema and {@code last_applied_manifest} from the spec, keeping the
   * values filled from earlier answers, then runs the mangling hooks.
   */
  private Application mangle(Application app, Cluster cluster) {
    List<ObjectNode> manifest = app.spec().manifest();
    List<ObjectNode> schemas =
        ObserverSchemas.effectiveSchema(manifest, app.spec().observerSchema());
    List<ObjectNode> lastApplied = new ArrayList<>();
    for (ObjectNode resource : manifest) {
      Optional<ObjectNode> before =
          ObservedManifests.find(app.status().lastAppliedManifest(), resource);
      Optional<ObjectNode> schema = ObserverSchemas.find(schemas, resource);
      lastApplied.add(
          before.isPresent() && schema.isPresent()
              ? ObservedManifests.fill(schema.get(), resource, before.get())
              : resource.deepCopy());
    }
    Application regenerated =
        app.withStatus(
            app.status().withMangledObserverSchema(schemas).withLastAppliedManifest(lastApplied));
    return hooks
        .dispatch(HookContext.of(HookPoint.APPLICATION_MANGLING, regenerated, Optional.of(cluster)))
        .requireApplication();
  }

  /** Resources applied and deleted during one reconcile, and the status they lead to. */
  private final class Applied {
    ApplicationStatus status;
    Application app;
    final Map<ObjectNode, ObjectNode> objects;
    final ClusterClient client;

    Applied(ApplicationStatus status, Map<ObjectNode, ObjectNode> objects, ClusterClient client) {
      this.status = status;
      this.objects = objects;
      this.client = client;
    }

    void apply(Application written, Cluster cluster, ObjectNode resource, boolean create) {
      Application current = (app == null ? written : app).withStatus(status);
      current =
          dispatchResource(
              create ? HookPoint.RESOURCE_PRE_CREATE : HookPoint.RESOURCE_PRE_UPDATE,
              current,
              cluster,
              resource,
              Optional.empty());
      ObjectNode response = client.apply(resource);
      objects.put(resource, response);
      ApplicationStatus s = current.status();
      Optional<ObjectNode> schema = ObserverSchemas.find(s.mangledObserverSchema(), resource);
      if (schema.isPresent()) {
        List<ObjectNode> applied = new ArrayList<>(s.lastAppliedManifest());
        int i = indexOf(applied, resource);
        if (i >= 0) {
          applied.set(i, ObservedManifests.fill(schema.get(), applied.get(i), response));
        }
        List<ObjectNode> observed = new ArrayList<>(s.lastObservedManifest());
        ObjectNode projection = ObservedManifests.project(schema.get(), response);
        int j = indexOf(observed, resource);
        if (j >= 0) {
          observed.set(j, projection);
        } else {
          observed.add(projection);
        }
        s = s.withLastAppliedManifest(applied).withLastObservedManifest(observed);
      }
      s = s.withServices(services(s.services(), List.of(response), client.host()));
      current =
          dispatchResource(
              create ? HookPoint.RESOURCE_POST_CREATE : HookPoint.RESOURCE_POST_UPDATE,
              current.withStatus(s),
              cluster,
              resource,
              Optional.of(response));
      app = current;
      status = current.status();
    }

    void delete(Application written, Cluster cluster, ObjectNode resource) {
      Application current = (app == null ? written : app).withStatus(status);
      current =
          dispatchResource(
              HookPoint.RESOURCE_PRE_DELETE, current, cluster, resource, Optional.empty());
      client.delete(resource);
      ApplicationStatus s = current.status();
      List<ObjectNode> observed = new ArrayList<>(s.lastObservedManifest());
      int j = indexOf(observed, resource);
      if (j >= 0) {
        observed.remove(j);
      }
      s = s.withLastObservedManifest(observed);
      if (resource.path("kind").asText("").equals("Service")) {
        Map<String, String> services = new LinkedHashMap<>(s.services());
        services.remove(resource.path("metadata").path("name").asText());
        s = s.withServices(services);
      }
      current =
          dispatchResource(
              HookPoint.RESOURCE_POST_DELETE,
              current.withStatus(s),
              cluster,
              resource,
              Optional.empty());
      app = current;
      status = current.status();
    }
  }

  private static int indexOf(List<ObjectNode> resources, ObjectNode resource) {
    Optional<ObjectNode> found = ObservedManifests.find(resources, resource);
    return found.map(resources::indexOf).orElse(-1);
  }

  // ------------------------------------------------------------------ migration

  private ReconcileResult migration(
      ResourceKey key, Application app, ResourceRef from, ResourceRef to) {
    if (hasShutdownHook(app)) {
      Optional<ReconcileResult> gate = gate(key, ShutdownPurpose.MIGRATION);
      if (gate.isPresent()) {
        return gate.get();
      }
      Optional<Application> reread = applications.get(key.namespace(), key.name());
      if (reread.isEmpty()) {
        return ReconcileResult.done();
      }
      app = reread.get();
    }
    Optional<Cluster> target = cluster(to);
    Optional<Cluster> source = cluster(from);
    Optional<ClusterClient> sourceClient = source.map(connector::connect);
    ActionRun run = null;
    if (sourceClient.isPresent()) {
      run = actionRun(app, HookAction.MIGRATE, from.name(), sourceClient.get());
      Optional<ReconcileResult> gate =
          gate(
              key,
              app,
              HookAction.MIGRATE,
              run,
              workloadHooks.before(key, app, HookAction.MIGRATE, run));
      if (gate.isPresent()) {
        return gate.get();
      }
      WorkloadHooks.Step stop =
          workloadHooks.preStop(key, app, from.name(), sourceClient.get(), run.operation());
      if (!stop.proceeds()) {
        return stop.after().map(ReconcileResult::requeueAfter).orElse(ReconcileResult.done());
      }
    }
    app = dispatch(HookPoint.APPLICATION_PRE_MIGRATE, app, target.orElse(null));
    log.info("application {}: migrating from {} to {}", key, from.name(), to.name());
    Application written =
        applications.writeByController(
            withFinalizer(app).withStatus(app.status().withState(ApplicationState.MIGRATING)));
    try {
      written = deleteEverything(key, written, from);
      written = reconcileOnAfterMigration(key, written, to);
    } catch (KubernetesException | InvalidResourceException | HookException e) {
      if (run != null) {
        actionFailed(key, app, HookAction.MIGRATE, run, e);
      }
      throw e;
    }
    if (run != null) {
      workloadHooks.finish(key, written, HookAction.MIGRATE, run, true);
    }
    dispatch(HookPoint.APPLICATION_POST_MIGRATE, written, target.orElse(null));
    return ReconcileResult.done();
  }

  private Application reconcileOnAfterMigration(ResourceKey key, Application app, ResourceRef to) {
    reconcileOn(key, app, to, true);
    return applications.get(key.namespace(), key.name()).orElse(app);
  }

  /**
   * Deletes every resource of the application from a cluster, drops the cluster from the owners and
   * clears {@code running_on}, {@code last_observed_manifest} and {@code services}.
   */
  private Application deleteEverything(ResourceKey key, Application app, ResourceRef from) {
    Optional<Cluster> cluster = cluster(from);
    Application current = app;
    if (cluster.isPresent()) {
      ClusterClient client = connector.connect(cluster.get());
      List<ObjectNode> all = new ArrayList<>(app.status().lastAppliedManifest());
      for (ObjectNode observed : app.status().lastObservedManifest()) {
        if (ObservedManifests.find(all, observed).isEmpty()) {
          all.add(observed);
        }
      }
      Applied deleting = new Applied(app.status(), new LinkedHashMap<>(), client);
      for (ObjectNode resource : all) {
        deleting.delete(app, cluster.get(), resource);
      }
      current = deleting.app == null ? app : deleting.app;
    } else {
      log.warn(
          "application {}: cluster {} is gone; its resources there cannot be deleted",
          key,
          from.name());
    }
    objects.forget(key);
    List<ResourceRef> owners = new ArrayList<>(current.metadata().owners());
    owners.remove(from);
    return applications.writeByController(
        current
            .withMetadata(current.metadata().withOwners(owners))
            .withStatus(
                current
                    .status()
                    .withRunningOn(Optional.empty())
                    .withLastObservedManifest(List.of())
                    .withServices(Map.of())));
  }

  /**
   * The clusters that may hold objects of the application although they are neither where it runs
   * nor where it is scheduled: an apply there was interrupted (by a deletion, a new binding or a
   * crash) before it could record {@code running_on}.
   */
  private static List<ResourceRef> abandoned(Application app, ResourceRef target) {
    List<ResourceRef> abandoned = new ArrayList<>();
    for (ResourceRef owner : ownerClusters(app)) {
      if (!sameCluster(owner, target)
          && app.status().runningOn().filter(r -> sameCluster(r, owner)).isEmpty()) {
        abandoned.add(owner);
      }
    }
    return abandoned;
  }

  /**
   * The application's owners that are Kubernetes clusters: every cluster it has been bound to (the
   * scheduler's binding adds it) and not yet cleaned up, hence every cluster where an apply may
   * have created objects (the controller records its target there before it applies).
   */
  private static List<ResourceRef> ownerClusters(Application app) {
    return app.metadata().owners().stream()
        .filter(o -> o.api().equals(Cluster.API) && o.kind().equals(Cluster.KIND))
        .toList();
  }

  /**
   * Deletes whatever the application may have created on each of the clusters, without hooks (its
   * workload never recorded as running there, no shutdown service is known for it), and drops them
   * from the owners. A cluster that no longer exists is dropped with a warning; an unreachable one
   * throws, and the cleanup is retried.
   */
  private Application cleanUp(ResourceKey key, Application app, List<ResourceRef> clusters) {
    List<ObjectNode> resources = new ArrayList<>(app.status().lastAppliedManifest());
    for (List<ObjectNode> more :
        List.of(app.spec().manifest(), app.status().lastObservedManifest())) {
      for (ObjectNode resource : more) {
        if (ObservedManifests.find(resources, resource).isEmpty()) {
          resources.add(resource);
        }
      }
    }
    List<ResourceRef> owners = new ArrayList<>(app.metadata().owners());
    for (ResourceRef ref : clusters) {
      Optional<Cluster> cluster = cluster(ref);
      if (cluster.isPresent()) {
        log.info(
            "application {}: deleting what an interrupted apply may have left on cluster {}",
            key,
            ref.name());
        ClusterClient client = connector.connect(cluster.get());
        for (ObjectNode resource : resources) {
          client.delete(resource);
        }
      } else {
        log.warn(
            "application {}: cluster {} is gone; what it may hold cannot be deleted",
            key,
            ref.name());
      }
      owners.removeIf(o -> sameCluster(o, ref));
    }
    return applications.writeByController(app.withMetadata(app.metadata().withOwners(owners)));
  }

  // ------------------------------------------------------------------ deletion

  private ReconcileResult deletion(ResourceKey key, Application app) {
    List<String> finalizers = app.metadata().finalizers();
    if (finalizers.isEmpty()
        || !finalizers.get(finalizers.size() - 1).equals(RESOURCES_FINALIZER)) {
      return ReconcileResult.done(); // the garbage collector's turn, or nothing of ours
    }
    ApplicationState state = app.status().state();
    boolean decided =
        state == ApplicationState.DELETING || (state == ApplicationState.FAILED && retryable(app));
    if (!decided && hasShutdownHook(app)) {
      Optional<ReconcileResult> gate = gate(key, ShutdownPurpose.DELETION);
      if (gate.isPresent()) {
        return gate.get();
      }
      Optional<Application> reread = applications.get(key.namespace(), key.name());
      if (reread.isEmpty()) {
        return ReconcileResult.done();
      }
      app = reread.get();
    }
    Optional<Cluster> cluster = app.status().runningOn().flatMap(this::cluster);
    Optional<ActionRun> run = Optional.empty();
    if (cluster.isPresent()) {
      ClusterClient client = connector.connect(cluster.get());
      run = Optional.of(actionRun(app, HookAction.DELETE, cluster.get().metadata().name(), client));
      if (state != ApplicationState.DELETING) {
        Optional<ReconcileResult> gate =
            gate(
                key,
                app,
                HookAction.DELETE,
                run.get(),
                workloadHooks.before(key, app, HookAction.DELETE, run.get()));
        if (gate.isPresent()) {
          return gate.get();
        }
        WorkloadHooks.Step stop =
            workloadHooks.preStop(
                key, app, cluster.get().metadata().name(), client, run.get().operation());
        if (!stop.proceeds()) {
          return stop.after().map(ReconcileResult::requeueAfter).orElse(ReconcileResult.done());
        }
      }
    }
    app = dispatch(HookPoint.APPLICATION_PRE_DELETE, app, cluster.orElse(null));
    Application written =
        applications.writeByController(
            app.withStatus(app.status().withState(ApplicationState.DELETING)));
    log.info("application {}: DELETING", key);
    if (written.status().runningOn().isPresent()) {
      try {
        written = deleteEverything(key, written, written.status().runningOn().get());
      } catch (KubernetesException | InvalidResourceException | HookException e) {
        if (run.isPresent()) {
          actionFailed(key, app, HookAction.DELETE, run.get(), e);
        }
        throw e;
      }
    }
    List<ResourceRef> mayHoldObjects = ownerClusters(written);
    if (!mayHoldObjects.isEmpty()) {
      written = cleanUp(key, written, mayHoldObjects);
    }
    if (run.isPresent()) {
      workloadHooks.finish(key, written, HookAction.DELETE, run.get(), true);
    }
    objects.forget(key);
    List<String> remaining = new ArrayList<>(written.metadata().finalizers());
    remaining.remove(RESOURCES_FINALIZER);
    Application removed =
        applications.writeByController(
            written.withMetadata(written.metadata().withFinalizers(remaining)));
    dispatch(HookPoint.APPLICATION_POST_DELETE, removed, cluster.orElse(null));
    log.info(
        "application {}: resources deleted{}",
        key,
        remaining.isEmpty() ? ", removed" : ", waiting for finalizers " + remaining);
    return ReconcileResult.done();
  }

  // ------------------------------------------------------------------ shutdown gate

  private boolean hasShutdownHook(Application app) {
    if (!app.spec().hooks().contains(Applications.SHUTDOWN_HOOK)) {
      return false;
    }
    if (shutdown.isEmpty()) {
      log.warn(
          "application {}/{} has the shutdown hook, but no hooks configuration was given:"
              + " going on without a shutdown",
          app.metadata().namespace().orElse(""),
          app.metadata().name());
      return false;
    }
    return true;
  }

  /** Empty: proceed now; else what to return instead. */
  private Optional<ReconcileResult> gate(ResourceKey key, ShutdownPurpose purpose) {
    ShutdownDecision decision = shutdown.orElseThrow().step(key.namespace(), key.name(), purpose);
    switch (decision.kind()) {
      case PROCEED:
        log.info(
            "application {}: shutdown {} for {}",
            key,
            decision.acknowledged() ? "acknowledged" : "not acknowledged (delete strategy)",
            purpose);
        return Optional.empty();
      case WAIT:
        Instant deadline = decision.deadline().orElseThrow();
        Duration wait = Duration.between(clock.instant(), deadline);
        return Optional.of(ReconcileResult.requeueAfter(wait.isNegative() ? Duration.ZERO : wait));
      default:
        log.info("application {}: shutdown for {}: {}", key, purpose, decision);
        return Optional.of(ReconcileResult.done());
    }
  }

  // ------------------------------------------------------------------ helpers

  private Optional<Cluster> cluster(ResourceRef ref) {
    return krake.clusters().get(ref.namespace().orElse(""), ref.name());
  }

  private static String clusterKey(ResourceRef ref) {
    return ref.namespace().orElse("") + "/" + ref.name();
  }

  /** Records the cluster among the owners, where deletion and migration look for objects. */
  private static Application withOwner(Application app, ResourceRef cluster) {
    List<ResourceRef> owners = app.metadata().owners();
    if (owners.stream().anyMatch(o -> sameCluster(o, cluster))) {
      return app;
    }
    List<ResourceRef> next = new ArrayList<>(owners);
    next.add(cluster);
    return app.withMetadata(app.metadata().withOwners(next));
  }

  private static boolean sameCluster(ResourceRef a, ResourceRef b) {
    return a.name().equals(b.name())
        && a.namespace().equals(b.namespace())
        && a.kind().equals(b.kind());
  }

  private static Application withFinalizer(Application app) {
    List<String> finalizers = app.metadata().finalizers();
    if (finalizers.contains(RESOURCES_FINALIZER)) {
      return app;
    }
    List<String> next = new ArrayList<>(finalizers);
    next.add(RESOURCES_FINALIZER);
    return app.withMetadata(app.metadata().withFinalizers(next));
  }

  private Application dispatch(HookPoint point, Application app, Cluster cluster) {
    if (hooks.handlers(point).isEmpty()) {
      return app;
    }
    return hooks
        .dispatch(HookContext.of(point, app, Optional.ofNullable(cluster)))
        .application()
        .orElse(app);
  }

  private Application dispatchResource(
      HookPoint point,
      Application app,
      Cluster cluster,
      ObjectNode resource,
      Optional<ObjectNode> response) {
    if (hooks.handlers(point).isEmpty()) {
      return app;
    }
    return hooks
        .dispatch(
            new HookContext(
                point,
                Optional.of(app),
                Optional.ofNullable(cluster),
                Optional.of(resource),
                response))
        .application()
        .orElse(app);
  }
}
