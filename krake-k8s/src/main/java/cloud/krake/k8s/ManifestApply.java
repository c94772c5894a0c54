package cloud.krake.k8s;

import cloud.krake.action.ActionChain;
import cloud.krake.action.ActionInterceptor;
import cloud.krake.action.ActionOutcome;
import cloud.krake.action.KrakeAction;
import cloud.krake.dispatcher.DispatcherHookPoint;
import cloud.krake.k8s.internal.ClusterObjects;
import cloud.krake.k8s.internal.ObservedManifests;
import cloud.krake.k8s.internal.WorkloadHealth;
import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.ApplicationStatus;
import cloud.krake.model.Cluster;
import cloud.krake.model.ObserverSchemas;
import cloud.krake.model.Reason;
import cloud.krake.model.ResourceRef;
import cloud.krake.runtime.ResourceKey;
import cloud.krake.store.Applications;
import cloud.krake.store.ConflictException;
import cloud.krake.store.NotFoundException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of a deploy's and an update's chain, and the reconcile pass's work on a cluster ({@code
 * running_on} empty or equal to {@code scheduled_to}): {@code ApplicationPreReconcile}; the
 * observer schema and {@code last_applied_manifest} regenerated; {@code ApplicationMangling} (the
 * complete and shutdown hooks inject their Secrets and environment); the delta against what the
 * cluster's watches report; when there is one: finalizer, the target cluster recorded in {@code
 * metadata.owners} (if the binding has not already) and CREATING or RECONCILING, in one write
 * before anything is applied; deletes then creates then updates by server-side apply, each between
 * {@code ResourcePre*} and {@code ResourcePost*} ({@link AppliedResources}); {@code services} from
 * every Service the cluster then has, applied by this pass or found there; {@code running_on}; the
 * state, settled through the settle chain (below); {@code ApplicationPostReconcile}.
 *
 * <p>Settling, after an apply and on every observation pass: an inner {@link ActionChain} of the
 * settle interceptors the controller gives (outermost first: the latest deploy's or update's
 * onSuccess / onFailure, {@link WorkloadHookGates#settledResults()}, around the postStart gate,
 * {@link WorkloadHookGates#postStart()}), whose action is that latest deploy or update ({@code
 * UPDATE} when the spec changed since creation, else {@code DEPLOY}, also for a migration's second
 * half and for an observation) and whose end is the state from the workloads' health (a starting
 * DEGRADED workload of an application that has not been RUNNING since its last apply stays at the
 * pending state). Its outcome is the state written: {@code PROCEED} the end's state; a wait the
 * pending state while the workload looks RUNNING or COMPLETED (else the health), and the pass waits
 * too; {@code FAIL} FAILED with the reason. This class knows no hook: it only runs the chain; the
 * chain writes nothing, so an apply still ends in one write and an observation writes only what
 * changed.
 *
 * <p>Observation: the cluster's objects are watched (one list-and-watch per cluster and kind), not
 * polled; a change of an application's object re-queues it, and the next pass records {@code
 * last_observed_manifest}, {@code services} and the health (RUNNING, DEGRADED, COMPLETED,
 * RESTARTING), and repairs drift by applying again. Thread-safe.
 */
final class ManifestApply {

  private static final Logger log = LoggerFactory.getLogger(ApplicationController.class);

  /** States of an application that has not been RUNNING since its last apply. */
  private static final Set<ApplicationState> SETTLING_STATES =
      Set.of(ApplicationState.CREATING, ApplicationState.RECONCILING, ApplicationState.MIGRATING);

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

  /**
   * One apply of an application's manifest to a cluster.
   *
   * @param key the application's key
   * @param app the application as read (after {@code ApplicationPreReconcile})
   * @param mangled the application with its regenerated and mangled manifest
   * @param cluster the target cluster
   * @param target the reference to it
   * @param client its client
   * @param present the server objects of the desired resources
   * @param delta what to delete, create and update
   * @param observed the projections of what the cluster has, by the observer schema
   * @param migrating whether this is the second half of a migration
   * @param operation the deploy's or update's occurrence, when it declares execution hooks (its
   *     failure count is reset once the resources are applied)
   */
  record Request(
      ResourceKey key,
      Application app,
      Application mangled,
      Cluster cluster,
      ResourceRef target,
      ClusterClient client,
      Map<ObjectNode, ObjectNode> present,
      ObservedManifests.Delta delta,
      List<ObjectNode> observed,
      boolean migrating,
      Optional<String> operation) {

    Request withOperation(String operation) {
      return new Request(
          key,
          app,
          mangled,
          cluster,
          target,
          client,
          present,
          delta,
          observed,
          migrating,
          Optional.of(operation));
    }
  }

  /** The state to record after an apply or an observation, and what comes next. */
  private record Settled(ApplicationState state, Optional<Reason> reason, ActionOutcome next) {}

  private final Applications applications;
  private final ApplicationHookPoints points;
  private final ClusterObjects<ResourceKey> objects;
  private final List<ActionInterceptor> settle;
  private final ActionAttempts attempts;
  private final ClusterCleanup cleanup;
  private final ClusterConnector connector;

  ManifestApply(
      Applications applications,
      ApplicationHookPoints points,
      ClusterObjects<ResourceKey> objects,
      List<ActionInterceptor> settle,
      ActionAttempts attempts,
      ClusterCleanup cleanup,
      ClusterConnector connector) {
    this.cleanup = cleanup;
    this.connector = connector;
    this.applications = applications;
    this.points = points;
    this.objects = objects;
    this.settle = List.copyOf(settle);
    this.attempts = attempts;
  }

  /**
   * Prepares a pass on the target cluster: {@code ApplicationPreReconcile}, the manifest
   * regenerated and mangled ({@code ApplicationMangling}), the cluster's objects observed (watch
   * cache first), the delta against them.
   *
   * @return the request, or empty when the cluster does not exist (yet)
   */
  Optional<Request> prepare(
      ResourceKey key, Application read, ResourceRef target, boolean migrating) {
    Optional<Cluster> found = cleanup.cluster(target);
    if (found.isEmpty()) {
      return Optional.empty();
    }
    Cluster cluster = found.get();
    ClusterClient client = connector.connect(cluster);
    String clusterKey = clusterKey(target);

    Application app = points.dispatch(DispatcherHookPoint.APPLICATION_PRE_RECONCILE, read, cluster);
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
    return Optional.of(
        new Request(
            key,
            app,
            mangled,
            cluster,
            target,
            client,
            present,
            delta,
            observed,
            migrating,
            Optional.empty()));
  }

  /**
   * Applies the delta: finalizer, owner and CREATING / RECONCILING / MIGRATING in one write first,
   * then every resource, then {@code running_on} and the settled state; {@code
   * ApplicationPostReconcile}. The outcome is never FAIL: a failed postStart is written as FAILED
   * here.
   */
  ActionOutcome apply(Request r) {
    Application app = r.app();
    ApplicationStatus status = r.mangled().status();
    ApplicationState applying =
        r.migrating()
            ? ApplicationState.MIGRATING
            : app.status().runningOn().isEmpty()
                ? ApplicationState.CREATING
                : ApplicationState.RECONCILING;
    Application written =
        applications.writeByController(
            ClusterCleanup.withFinalizer(ClusterCleanup.withOwner(r.mangled(), r.target()))
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
        r.key(),
        applying,
        r.target().name(),
        r.delta().created().size(),
        r.delta().modified().size(),
        r.delta().deleted().size());

    AppliedResources applied =
        new AppliedResources(
            written.status(), new LinkedHashMap<>(r.present()), r.client(), points);
    for (ObjectNode resource : r.delta().deleted()) {
      applied.delete(written, r.cluster(), resource);
    }
    applyCreatedAndModified(r, written, applied);
    applied.registerServices();
    WorkloadHealth health = WorkloadHealth.of(applied.objects.values());
    r.operation().ifPresent(operation -> attempts.reset(r.key(), operation));
    Settled settled = settle(written, r.cluster(), health, applying);
    ApplicationStatus done =
        applied
            .status
            .withRunningOn(Optional.of(r.target()))
            .withState(settled.state())
            .withContainerHealth(health.containers())
            .withReason(settled.reason())
            .withObservedGeneration(app.metadata().generation());
    if (r.migrating()) {
      done = done.withShutdownGracePeriod(Optional.empty()).withShutdownAttempts(0);
    }
    try {
      written = applications.writeByController(applied.app.withStatus(done));
    } catch (ConflictException | NotFoundException e) {
      if (takeBackIfAbandoned(
          r.key(), r.target(), r.client(), written, app.status().runningOn().isEmpty())) {
        return ActionOutcome.proceed();
      }
      throw e;
    }
    points.dispatch(DispatcherHookPoint.APPLICATION_POST_RECONCILE, written, r.cluster());
    log.info("application {}: {} on cluster {}", r.key(), settled.state(), r.target().name());
    return settled.next();
  }

  /**
   * The first half of a migration that moves data: finalizer, owner and MIGRATING in one write,
   * then every resource of the manifest created or updated on the new cluster, without deleting
   * anything there and without recording {@code running_on}: until the data is moved, the
   * application stays on its old cluster, so a restarted host resumes the migration. The status
   * records {@code services} from every Service the new cluster has, as {@link #apply} does.
   *
   * @return the application as written, with the status the applied resources leave (not written)
   */
  Application applyBeforeDataMove(Request r) {
    Application written =
        applications.writeByController(
            ClusterCleanup.withFinalizer(ClusterCleanup.withOwner(r.mangled(), r.target()))
                .withStatus(r.mangled().status().withState(ApplicationState.MIGRATING)));
    log.info(
        "application {}: MIGRATING, applying {} resources on cluster {} before moving the data",
        r.key(),
        r.delta().created().size() + r.delta().modified().size(),
        r.target().name());
    AppliedResources applied =
        new AppliedResources(
            written.status(), new LinkedHashMap<>(r.present()), r.client(), points);
    applyCreatedAndModified(r, written, applied);
    // as apply(): also the Services an earlier, interrupted first half applied (not in the delta)
    applied.registerServices();
    return (applied.app == null ? written : applied.app).withStatus(applied.status);
  }

  /**
   * Applies the delta's created and modified resources, each between its hook points, and records
   * each answer in the watch cache ({@link ClusterObjects#applied}), so that the next pass, which
   * the application's own write may start before the watch delivers these changes, does not apply
   * them again.
   */
  private void applyCreatedAndModified(Request r, Application written, AppliedResources applied) {
    String clusterKey = clusterKey(r.target());
    for (ObjectNode resource : r.delta().created()) {
      applied.apply(written, r.cluster(), resource, true);
      objects.applied(clusterKey, r.client(), applied.objects.get(resource));
    }
    for (ObjectNode resource : r.delta().modified()) {
      applied.apply(written, r.cluster(), resource, false);
      objects.applied(clusterKey, r.client(), applied.objects.get(resource));
    }
  }

  private static String clusterKey(ResourceRef target) {
    return target.namespace().orElse("") + "/" + target.name();
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
                    !ClusterCleanup.recorded(a, target)
                        || (a.metadata().isDeleted()
                            && (a.status().state() == ApplicationState.DELETING
                                || !a.metadata()
                                    .finalizers()
                                    .contains(ApplicationController.RESOURCES_FINALIZER)))
                        || (a.status().state() == ApplicationState.MIGRATING
                            && !ClusterCleanup.scheduledTo(a, target))
                        || (firstApply
                            && (a.metadata().isDeleted()
                                || !ClusterCleanup.scheduledTo(a, target))))
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

  /**
   * After the workload is applied or observed: runs the settle chain (see the class comment) and
   * maps its outcome to the state to record and what comes next.
   *
   * @param app the application as written before the apply, or as read for an observation
   * @param cluster the cluster it is on
   * @param health the health of its workloads there
   * @param pending the state it stays in while it has not settled
   */
  private Settled settle(
      Application app, Cluster cluster, WorkloadHealth health, ApplicationState pending) {
    ApplicationState state =
        health.state() == ApplicationState.DEGRADED
                && health.starting()
                && SETTLING_STATES.contains(app.status().state())
            ? pending
            : health.state();
    KrakeAction action = updated(app) ? KrakeAction.UPDATE : KrakeAction.DEPLOY;
    ActionOutcome outcome =
        ActionChain.run(
            settle,
            action,
            app,
            Optional.of(cluster),
            WorkloadHookGates.operation(app, action),
            end ->
                ActionOutcome.proceed(
                    end.application().withStatus(end.application().status().withState(state))));
    return switch (outcome.kind()) {
      case PROCEED ->
          new Settled(
              outcome.application().map(a -> a.status().state()).orElse(state),
              Optional.empty(),
              ActionOutcome.proceed());
      case WAIT_UNTIL, WAIT_FOR_EVENT ->
          new Settled(
              state == ApplicationState.RUNNING || state == ApplicationState.COMPLETED
                  ? pending
                  : state,
              Optional.empty(),
              outcome);
      case FAIL ->
          new Settled(ApplicationState.FAILED, outcome.reason(), ActionOutcome.waitForEvent());
    };
  }

  /** Whether the spec changed since the application was created (an update, not a deploy). */
  static boolean updated(Application app) {
    Optional<Instant> modified = app.metadata().modified();
    Optional<Instant> created = app.metadata().created();
    return modified.isPresent() && created.isPresent() && modified.get().isAfter(created.get());
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
  ActionOutcome recordObservation(Request r) {
    Application app = r.app();
    List<ObjectNode> observed = r.observed();
    WorkloadHealth health = WorkloadHealth.of(r.present().values());
    ApplicationStatus status = r.mangled().status().withLastObservedManifest(observed);
    status =
        status.withServices(
            AppliedResources.services(status.services(), r.present().values(), r.client().host()));
    ApplicationState state = app.status().state();
    ActionOutcome next = ActionOutcome.proceed();
    if (OBSERVED_STATES.contains(state)
        || state == ApplicationState.WAITING_FOR_CLEANING
        || state == ApplicationState.READY_FOR_ACTION) {
      // WAITING_FOR_CLEANING / READY_FOR_ACTION without a migration: the scheduler called the
      // migration off; the application simply runs on.
      ApplicationState pending =
          state == ApplicationState.CREATING || state == ApplicationState.MIGRATING
              ? state
              : ApplicationState.RECONCILING;
      Settled settled = settle(app, r.cluster(), health, pending);
      next = settled.next();
      status =
          status
              .withState(settled.state())
              .withContainerHealth(health.containers())
              .withReason(settled.reason())
              .withRunningOn(Optional.of(r.target()));
      if (state == ApplicationState.WAITING_FOR_CLEANING
          || state == ApplicationState.READY_FOR_ACTION
          || state == ApplicationState.MIGRATING) {
        status = status.withShutdownGracePeriod(Optional.empty()).withShutdownAttempts(0);
      }
    }
    // the spec of this generation is in place on the cluster (no delta): observed
    Application updated =
        r.mangled().withStatus(status.withObservedGeneration(app.metadata().generation()));
    if (!updated.status().equals(app.status())) {
      Application written = applications.writeByController(updated);
      if (written.status().state() != app.status().state()) {
        log.info("application {}: {}", r.key(), written.status().state());
      }
    }
    points.dispatch(DispatcherHookPoint.APPLICATION_POST_RECONCILE, r.mangled(), r.cluster());
    return next;
  }

  /** The server objects of the desired resources: from the watch cache, else read. */
  Map<ObjectNode, ObjectNode> observe(
      String clusterKey, ClusterClient client, List<ObjectNode> desired) {
    Map<ObjectNode, ObjectNode> present = new LinkedHashMap<>();
    for (ObjectNode resource : desired) {
      ClusterObjects.Observation seen = objects.observed(clusterKey, resource);
      Optional<ObjectNode> object = seen.known() ? seen.object() : client.get(resource);
      object.ifPresent(o -> present.put(resource, o));
    }
    return present;
  }

  /**
   * Regenerates the observer schema and {@code last_applied_manifest} from the spec, keeping the
   * values filled from earlier answers, then runs the mangling hooks.
   */
  Application mangle(Application app, Cluster cluster) {
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
    return points.mangling(regenerated, cluster);
  }
}
