package cloud.krake.gc;

import cloud.krake.KrakeContext;
import cloud.krake.membership.KrakeMembership;
import cloud.krake.membership.MembershipListener;
import cloud.krake.model.Metadata;
import cloud.krake.model.Resource;
import cloud.krake.model.ResourceRef;
import cloud.krake.runtime.Component;
import cloud.krake.runtime.ComponentHealth;
import cloud.krake.runtime.Controller;
import cloud.krake.runtime.ReconcileResult;
import cloud.krake.runtime.Reflector;
import cloud.krake.runtime.ResourceKey;
import cloud.krake.runtime.Timer;
import cloud.krake.store.NotFoundException;
import cloud.krake.store.Resources;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Krake's garbage collector ({@code krake/controller/gc.py}) as a controller on the core runtime:
 * it decides when the {@value Resources#CASCADE_DELETION} finalizer of a resource in deletion can
 * be removed, and cascades deletions to the resource's dependents, the resources naming it in
 * {@code metadata.owners} (the scheduler makes the cluster an owner of every application it binds).
 *
 * <pre>{@code
 * GarbageCollector gc = new GarbageCollector(krake, Timer.system(timers), 2);
 * gc.start();                       // lists and watches every kind, then runs 2 workers
 * krake.clusters().delete("tenant", "de");  // its applications are deleted, then the cluster
 * gc.close();
 * }</pre>
 *
 * <p><b>What it does.</b> One {@link Reflector} per {@link CollectedKind} (by default {@link
 * CollectedKind#all(KrakeContext) every kind Krake exposes}) keeps an in-memory dependency graph,
 * owner → dependents, built from the owners each resource names. It is built from the listings at
 * {@link #watch()} and kept up to date from the watch events; a re-list after a compaction brings
 * it back in line, resources gone meanwhile included. A resource is handled when it is <em>in
 * deletion</em> in Krake's sense ({@code is_in_deletion}: {@code metadata.deleted} set and the
 * <em>last</em> finalizer {@value Resources#CASCADE_DELETION}, see {@link #isInDeletion}). Handling
 * it:
 *
 * <ul>
 *   <li>every dependent that still exists and still names it is <em>live</em>; each live dependent
 *       not yet in deletion is deleted ({@link Resources#delete}, which marks it and adds its own
 *       {@value Resources#CASCADE_DELETION}, so it cascades further on its own);
 *   <li>with no live dependent, {@value Resources#CASCADE_DELETION} is removed. The typed layer
 *       removes the resource from the store when no finalizer remains; other finalizers (the
 *       application controller's {@code kubernetes_resources_deletion}) stay, and their owner takes
 *       over, as Krake's finalizer ordering intends.
 * </ul>
 *
 * <p>When a dependent leaves the store, or stops naming an owner (the application controller drops
 * the old cluster from the owners of a migrated or deleted application), that owner is queued
 * again, so that an owner waiting for its dependents is released by the last of them. Resources not
 * in deletion are never written. Owners that do not exist (dangling references) and references to
 * kinds not collected block nothing.
 *
 * <p><b>Cycles.</b> An owner chain that comes back to itself (A owns B, B owns A; or A owns itself)
 * is detected by a depth-first search whenever a resource's owners change, and logged as a warning
 * naming the cycle when it is found ({@link #cycles()} lists them). A resource in deletion that is
 * on a cycle is <em>left alone</em>: its dependents are not deleted and its {@value
 * Resources#CASCADE_DELETION} stays. Cascading within a cycle cannot finish (every member would
 * wait for the next to disappear) and would delete every member although only one was deleted;
 * popping the finalizer alone would silently skip the cascade to the resource's other dependents.
 * Krake drops the members from its graph and never handles them again; here they are handled as
 * soon as the cycle is broken (an owner list edited): the members are queued again. Until then the
 * host may break the cycle or {@link Resources#forceDelete force-delete}.
 *
 * <p><b>Where it differs from Krake on purpose.</b> The graph is only a hint of where to look:
 * every reconcile of a resource that its reflector's copy shows in deletion (or does not hold)
 * re-reads it from the store (Krake acts on the copies its reflectors delivered; a copy that is not
 * in deletion ends the reconcile without a read, since a later revision in deletion is queued by
 * its own event) and re-reads each dependent before deleting or disregarding it, so the finalizer
 * is removed only once the store confirmed that no dependent is left (a dependent whose cached copy
 * is already in deletion counts as live without a read: its removal queues the owner again). Every
 * write is a compare-and-set through the typed layer, re-read and retried when it loses ({@link
 * Resources#modify}); the queue is keyed by {@link ResourceRef} (kind, namespace, name), not by
 * uid. The finalizer is removed only once every kind has been listed, so that a restarted collector
 * never releases an owner whose dependents it has not seen yet (it re-checks after {@link
 * #UNSYNCED_RETRY}). A dependent created in the instant between the check of the dependents and the
 * removal of the finalizer is not waited for, as in Krake: its owner reference then dangles.
 *
 * <p>Driven with {@link #start()} (a worker pool) or step by step with {@link #watch()} then {@link
 * #runOnce()} / {@link #drain()}; {@link #close()} stops the reflectors and the workers. While a
 * resource is handled the MDC holds its namespace and name ({@link Controller#MDC_NAMESPACE},
 * {@link Controller#MDC_NAME}).
 *
 * <p>Threading: thread-safe. Reflector callbacks run on the store's watch threads and only update
 * the graph and the queue; reconciles run on the workers (at most one per resource at a time) or on
 * the thread calling {@link #runOnce()}.
 */
public final class GarbageCollector implements Component {

  /** The component's name. */
  public static final String NAME = "garbage-collector";

  @Override
  public String name() {
    return NAME;
  }

  /** How long a reconcile waits before re-checking while a kind has not been listed yet. */
  public static final Duration UNSYNCED_RETRY = Duration.ofSeconds(1);

  private static final Logger log = LoggerFactory.getLogger(GarbageCollector.class);

  private final Map<KindName, Watched<?>> kinds = new LinkedHashMap<>();
  private final DependencyGraph graph = new DependencyGraph();
  private final Controller<ResourceRef> controller;
  private final KrakeMembership membership;

  /** Queues the resources in deletion when this instance gains shard 0 (grouped only). */
  private final MembershipListener resync =
      event -> {
        if (event.gained().contains(0)) {
          kinds.values().forEach(Watched::queueInDeletion);
        }
      };

  /** Guarded by this. */
  private boolean watching;

  /**
   * Creates the garbage collector of every kind {@code krake} gives typed access to ({@link
   * CollectedKind#all(KrakeContext)}), not started.
   *
   * @param krake the context (typed layers, clock)
   * @param scheduler runs re-checks and the runtime's backoff delays
   * @param workers worker threads for {@link #start()}; at least 1
   * @throws IllegalArgumentException if {@code workers} is less than 1
   */
  public GarbageCollector(KrakeContext krake, Timer scheduler, int workers) {
    this(krake, CollectedKind.all(Objects.requireNonNull(krake, "krake")), scheduler, workers);
  }

  /**
   * Creates the garbage collector of the given kinds, not started.
   *
   * @param krake the context (clock)
   * @param kinds the kinds to watch and collect; references to other kinds are dangling for it
   * @param scheduler runs re-checks and the runtime's backoff delays
   * @param workers worker threads for {@link #start()}; at least 1
   * @throws IllegalArgumentException if {@code workers} is less than 1, {@code kinds} is empty or
   *     names a kind twice
   */
  public GarbageCollector(
      KrakeContext krake, List<CollectedKind<?>> kinds, Timer scheduler, int workers) {
    Objects.requireNonNull(krake, "krake");
    Objects.requireNonNull(kinds, "kinds");
    Objects.requireNonNull(scheduler, "scheduler");
    if (kinds.isEmpty()) {
      throw new IllegalArgumentException("the garbage collector needs at least one kind");
    }
    this.controller =
        Controller.<ResourceRef>builder("gc", this::reconcile)
            .clock(krake.clock())
            .timer(scheduler)
            .workerCount(workers)
            .metricsRecorder(krake.metricsRecorder())
            .build();
    this.membership = krake.membership();
    if (membership.grouped()) {
      // the collector of a group runs on the owner of shard 0, its writes fenced by that shard
      controller.queue().admitOnly(ref -> membership.owns(0));
      membership.addListener(resync);
    }
    for (CollectedKind<?> kind : kinds) {
      Watched<?> watched = watched(kind, scheduler);
      if (this.kinds.putIfAbsent(new KindName(kind.api(), kind.kind()), watched) != null) {
        throw new IllegalArgumentException("kind listed twice: " + kind);
      }
    }
  }

  private <T extends Resource<T>> Watched<T> watched(CollectedKind<T> kind, Timer scheduler) {
    return new Watched<>(Objects.requireNonNull(kind, "kind"), scheduler);
  }

  /**
   * Returns Krake's {@code is_in_deletion}: whether {@code metadata.deleted} is set and the last
   * finalizer is {@value Resources#CASCADE_DELETION}, the resources this collector handles.
   *
   * @param resource the resource
   */
  public static boolean isInDeletion(Resource<?> resource) {
    return isInDeletion(Objects.requireNonNull(resource, "resource").metadata());
  }

  private static boolean isInDeletion(Metadata metadata) {
    List<String> finalizers = metadata.finalizers();
    return metadata.isDeleted()
        && !finalizers.isEmpty()
        && finalizers.get(finalizers.size() - 1).equals(Resources.CASCADE_DELETION);
  }

  /**
   * Lists and watches every kind on the calling thread, building the dependency graph and queuing
   * the resources in deletion. A failed listing is retried on the scheduler. Idempotent; does
   * nothing once closed.
   */
  @Override
  public void watch() {
    synchronized (this) {
      if (watching) {
        return;
      }
      watching = true;
    }
    kinds.values().forEach(w -> w.reflector.start());
  }

  /**
   * Starts watching (if not yet) and the worker threads.
   *
   * @throws IllegalStateException if already started or closed
   */
  @Override
  public void start() {
    boolean watch;
    synchronized (this) {
      watch = !watching;
    }
    if (watch) {
      watch();
    }
    controller.start();
  }

  /**
   * Handles one ready resource on the calling thread.
   *
   * @return whether there was one
   * @throws IllegalStateException if {@link #start()} was called (its workers own the queue)
   */
  public boolean runOnce() {
    return controller.runOnce();
  }

  /**
   * Handles ready resources on the calling thread until none is ready. Re-checks queued with a
   * delay are not waited for.
   *
   * @return how many were handled
   * @throws IllegalStateException if {@link #start()} was called
   */
  @Override
  public int drain() {
    return controller.drain();
  }

  /** Returns how many resources wait in the work queue. */
  @Override
  public int queued() {
    return controller.queue().size();
  }

  /**
   * Returns the owner cycles currently known, each as a path of references in which every element
   * names the next one as owner and the last names the first. Their members in deletion are left
   * alone until the cycle is broken.
   */
  public List<List<ResourceRef>> cycles() {
    return graph.cycles();
  }

  /** Reports the workers and the reflectors' watches. */
  @Override
  public ComponentHealth health() {
    List<String> watching = new ArrayList<>();
    List<String> notWatching = new ArrayList<>();
    for (Watched<?> w : kinds.values()) {
      (w.reflector.watching() ? watching : notWatching).add(w.reflector.name());
    }
    return new ComponentHealth(
        name(),
        true,
        controller.started() ? controller.workerCount() : 0,
        controller.workersAlive(),
        watching,
        notWatching);
  }

  /** Stops the reflectors, then the workers ({@link Controller#close()}). Idempotent. */
  @Override
  public void close() {
    synchronized (this) {
      watching = true;
    }
    membership.removeListener(resync);
    kinds.values().forEach(w -> w.reflector.close());
    controller.close();
  }

  // ------------------------------------------------------------------ graph upkeep (watch threads)

  /** A resource was listed, added or updated. */
  private void observed(ResourceRef ref, Metadata metadata) {
    Set<ResourceRef> owners = new LinkedHashSet<>();
    for (ResourceRef owner : metadata.owners()) {
      owners.add(canonical(owner));
    }
    DependencyGraph.Update update = graph.put(ref, owners);
    update
        .newCycle()
        .ifPresent(
            cycle ->
                log.warn(
                    "owner cycle {}: deletions are not cascaded within it until it is broken",
                    describeCycle(cycle)));
    requeue(update);
    if (isInDeletion(metadata)) {
      controller.queue().add(ref);
    }
  }

  /** A resource left the store. */
  private void disappeared(ResourceRef ref) {
    DependencyGraph.Update update = graph.remove(ref);
    if (update.remainingDependents() > 0) {
      log.warn(
          "{} was removed while {} resources still name it as owner (forced deletion?)",
          describe(ref),
          update.remainingDependents());
    }
    requeue(update);
  }

  /** Queues the owners whose dependents changed and the members of broken cycles. */
  private void requeue(DependencyGraph.Update update) {
    for (ResourceRef owner : update.touchedOwners()) {
      if (kinds.containsKey(KindName.of(owner))) {
        controller.queue().add(owner);
      }
    }
    update.released().forEach(controller.queue()::add);
  }

  /** The reference as the graph keys it: global kinds and empty namespaces without namespace. */
  private ResourceRef canonical(ResourceRef ref) {
    Watched<?> watched = kinds.get(KindName.of(ref));
    boolean global = watched != null && !watched.kind.namespaced();
    if (ref.namespace().isPresent() && (global || ref.namespace().get().isEmpty())) {
      return new ResourceRef(ref.api(), Optional.empty(), ref.kind(), ref.name());
    }
    return ref;
  }

  // ------------------------------------------------------------------ reconcile (workers)

  private ReconcileResult reconcile(ResourceRef ref) {
    if (!membership.tryBeginWork(0)) {
      return ReconcileResult.done(); // another instance owns shard 0: it collects
    }
    try {
      return reconcileOwned(ref);
    } finally {
      membership.endWork(0);
    }
  }

  private ReconcileResult reconcileOwned(ResourceRef ref) {
    Watched<?> watched = kinds.get(KindName.of(ref));
    if (watched == null) {
      return ReconcileResult.done();
    }
    MDC.put(Controller.MDC_NAMESPACE, ref.namespace().orElse(""));
    MDC.put(Controller.MDC_NAME, ref.name());
    return reconcile(watched, ref);
  }

  private <T extends Resource<T>> ReconcileResult reconcile(Watched<T> watched, ResourceRef ref) {
    Resources<T> resources = watched.kind.resources();
    Optional<Metadata> seen =
        watched.reflector.cachedMetadata(new ResourceKey(ref.namespace().orElse(""), ref.name()));
    if (seen.isPresent() && !isInDeletion(seen.get())) {
      // Nothing to do on the revision the watch delivered last; a later revision that is in
      // deletion comes with its own event, which queues it (updated), so no store read is needed.
      return ReconcileResult.done();
    }
    Optional<T> read = resources.get(ref.namespace().orElse(""), ref.name());
    if (read.isEmpty() || !isInDeletion(read.get())) {
      return ReconcileResult.done();
    }
    Optional<List<ResourceRef>> cycle = graph.cycleThrough(ref);
    if (cycle.isPresent()) {
      log.debug(
          "{} is on the owner cycle {}: left alone", describe(ref), describeCycle(cycle.get()));
      return ReconcileResult.done();
    }
    List<ResourceRef> live = new ArrayList<>();
    for (ResourceRef dependent : graph.dependents(ref)) {
      if (cascade(dependent, ref)) {
        live.add(dependent);
      }
    }
    if (!live.isEmpty()) {
      log.debug("{} waits for {} dependents: {}", describe(ref), live.size(), describe(live));
      return ReconcileResult.done();
    }
    if (!kinds.values().stream().allMatch(w -> w.reflector.hasSynced())) {
      log.debug("{} has no known dependents, but not every kind is listed yet", describe(ref));
      return ReconcileResult.requeueAfter(UNSYNCED_RETRY);
    }
    try {
      T released =
          resources.modify(
              ref.namespace().orElse(""),
              ref.name(),
              current -> isInDeletion(current) ? withoutLastFinalizer(current) : current);
      log.info(
          "{} has no dependents left: removed {}, remaining finalizers {}",
          describe(ref),
          Resources.CASCADE_DELETION,
          released.metadata().finalizers());
    } catch (NotFoundException e) {
      log.debug("{} is gone already", describe(ref));
    }
    return ReconcileResult.done();
  }

  /**
   * Re-reads a dependent (unless the reflector's copy shows it in deletion and naming {@code
   * owner}); if it still exists and names {@code owner}, deletes it unless it is in deletion
   * already.
   *
   * @return whether it is a live dependent of {@code owner}
   */
  private boolean cascade(ResourceRef dependent, ResourceRef owner) {
    Watched<?> watched = kinds.get(KindName.of(dependent));
    return watched != null && cascade(watched, dependent, owner);
  }

  private <T extends Resource<T>> boolean cascade(
      Watched<T> watched, ResourceRef dependent, ResourceRef owner) {
    String namespace = dependent.namespace().orElse("");
    Optional<Metadata> cached =
        watched.reflector.cachedMetadata(new ResourceKey(namespace, dependent.name()));
    if (cached.isPresent() && cached.get().isDeleted() && names(cached.get(), owner)) {
      // Already in deletion: its removal, or dropping the owner, queues the owner again. Counting
      // it live without a read keeps an owner with many dependents from re-reading all of them
      // each time one goes.
      return true;
    }
    Resources<T> resources = watched.kind.resources();
    Optional<T> read = resources.get(namespace, dependent.name());
    if (read.isEmpty() || !names(read.get().metadata(), owner)) {
      return false;
    }
    if (!read.get().metadata().isDeleted()) {
      try {
        resources.delete(namespace, dependent.name());
        log.info("deleting {}, a dependent of {}", describe(dependent), describe(owner));
      } catch (NotFoundException e) {
        return false;
      }
    }
    return true;
  }

  /** Returns whether a resource names an owner. */
  private boolean names(Metadata metadata, ResourceRef owner) {
    return metadata.owners().stream().map(this::canonical).anyMatch(owner::equals);
  }

  private static <T extends Resource<T>> T withoutLastFinalizer(T resource) {
    List<String> finalizers = resource.metadata().finalizers();
    return resource.withMetadata(
        resource.metadata().withFinalizers(finalizers.subList(0, finalizers.size() - 1)));
  }

  private static String describe(ResourceRef ref) {
    return ref.kind() + " " + ref.namespace().map(ns -> ns + "/").orElse("") + ref.name();
  }

  private static String describe(List<ResourceRef> refs) {
    return refs.stream().map(GarbageCollector::describe).collect(Collectors.joining(" -> "));
  }

  private static String describeCycle(List<ResourceRef> cycle) {
    return describe(cycle) + " -> " + describe(cycle.get(0));
  }

  /** A kind's identity in references. */
  private record KindName(String api, String kind) {
    static KindName of(ResourceRef ref) {
      return new KindName(ref.api(), ref.kind());
    }
  }

  /** One collected kind and its reflector, feeding the graph. */
  private final class Watched<T extends Resource<T>> {
    final CollectedKind<T> kind;
    final Reflector<T> reflector;

    Watched(CollectedKind<T> kind, Timer scheduler) {
      this.kind = kind;
      this.reflector =
          new Reflector<>(
              "gc-" + kind.kind().toLowerCase(Locale.ROOT),
              kind.resources(),
              this::changed,
              scheduler);
    }

    /** Queues every cached resource in deletion. */
    void queueInDeletion() {
      for (ResourceKey key : reflector.cachedKeys()) {
        Optional<Metadata> cached = reflector.cachedMetadata(key);
        if (cached.isPresent() && isInDeletion(cached.get())) {
          controller.queue().add(kind.ref(key));
        }
      }
    }

    /** Called by the reflector, after its cache took the change in. */
    private void changed(ResourceKey key) {
      ResourceRef ref = kind.ref(key);
      Optional<Metadata> cached = reflector.cachedMetadata(key);
      if (cached.isPresent()) {
        observed(ref, cached.get());
      } else {
        disappeared(ref);
      }
    }
  }
}
