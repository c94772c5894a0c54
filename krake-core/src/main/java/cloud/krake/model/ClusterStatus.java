package cloud.krake.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The observed state of a {@link Cluster}, as Krake's {@code ClusterStatus}, with its JSON field
 * names. Absent values read as empty or as the documented defaults; {@link #initial()} is the
 * status of a new cluster. JSON trees are copied once, when the record is built, into read-only
 * trees ({@link ReadOnlyJson}) that the accessors return as they are ({@code deepCopy()} gives a
 * tree to change).
 *
 * @param state the current state; default {@link ClusterState#PENDING}
 * @param reason the last error
 * @param kubeControllerTriggered when the cluster was last handed to the controller
 * @param metricsReasons metric name to the error that occurred while fetching it
 * @param lastAppliedTosca the TOSCA template last applied by the infrastructure controller; empty
 *     when absent
 * @param nodes the cluster's nodes as last observed, each as Krake's {@code ClusterNode} ({@code
 *     {api, kind, metadata: {name}, status: {conditions: [...]}}})
 * @param clusterId the identifier of the cluster at its infrastructure provider
 * @param scheduled when {@code scheduled_to} last changed
 * @param scheduledTo the cloud the cluster is bound to
 * @param runningOn the cloud the cluster runs on
 * @param retries the controller's retry count; default {@code 0}
 * @param observedGeneration the {@code metadata.generation} of the spec the cluster controller last
 *     acted on (probed with); {@code 0} (the default) before its first observation. Not in Krake's
 *     model: written as {@code observed_generation} only when not {@code 0}
 */
public record ClusterStatus(
    ClusterState state,
    Optional<Reason> reason,
    Optional<Instant> kubeControllerTriggered,
    Map<String, Reason> metricsReasons,
    ObjectNode lastAppliedTosca,
    List<ObjectNode> nodes,
    Optional<String> clusterId,
    Optional<Instant> scheduled,
    Optional<ResourceRef> scheduledTo,
    Optional<ResourceRef> runningOn,
    int retries,
    @JsonInclude(JsonInclude.Include.NON_DEFAULT) long observedGeneration) {

  private static final ClusterStatus INITIAL =
      new ClusterStatus(null, null, null, null, null, null, null, null, null, null, 0, 0);

  /**
   * Normalises absent values and copies the collections and JSON trees.
   *
   * @throws InvalidResourceException naming the element if a list or map holds a {@code null}
   */
  public ClusterStatus {
    state = state == null ? ClusterState.PENDING : state;
    reason = Values.opt(reason);
    kubeControllerTriggered = Values.opt(kubeControllerTriggered);
    metricsReasons = Values.map("metrics_reasons", metricsReasons);
    lastAppliedTosca = Values.object(lastAppliedTosca);
    nodes = Values.nodes("nodes", nodes);
    clusterId = Values.opt(clusterId);
    scheduled = Values.opt(scheduled);
    scheduledTo = Values.opt(scheduledTo);
    runningOn = Values.opt(runningOn);
  }

  /** Returns the status of a new cluster: {@code PENDING}, everything else empty or zero. */
  public static ClusterStatus initial() {
    return INITIAL;
  }

  /**
   * Returns the last applied TOSCA template, read-only and never copied (see {@link ReadOnlyJson});
   * call {@code deepCopy()} on it to get a tree to change.
   */
  @Override
  public ObjectNode lastAppliedTosca() {
    return lastAppliedTosca;
  }

  /**
   * Returns the nodes, as an unmodifiable list of read-only trees (the same instances on every
   * call, never copied; see {@link ReadOnlyJson}); call {@code deepCopy()} on a node to get one to
   * change.
   */
  @Override
  public List<ObjectNode> nodes() {
    return nodes;
  }

  /**
   * Returns a copy with another {@code state}.
   *
   * @param state the new value
   */
  public ClusterStatus withState(ClusterState state) {
    return new ClusterStatus(
        state,
        reason,
        kubeControllerTriggered,
        metricsReasons,
        lastAppliedTosca,
        nodes,
        clusterId,
        scheduled,
        scheduledTo,
        runningOn,
        retries,
        observedGeneration);
  }

  /**
   * Returns a copy with another {@code reason}.
   *
   * @param reason the new value
   */
  public ClusterStatus withReason(Optional<Reason> reason) {
    return new ClusterStatus(
        state,
        reason,
        kubeControllerTriggered,
        metricsReasons,
        lastAppliedTosca,
        nodes,
        clusterId,
        scheduled,
        scheduledTo,
        runningOn,
        retries,
        observedGeneration);
  }

  /**
   * Returns a copy with another {@code kube_controller_triggered}.
   *
   * @param kubeControllerTriggered the new value
   */
  public ClusterStatus withKubeControllerTriggered(Optional<Instant> kubeControllerTriggered) {
    return new ClusterStatus(
        state,
        reason,
        kubeControllerTriggered,
        metricsReasons,
        lastAppliedTosca,
        nodes,
        clusterId,
        scheduled,
        scheduledTo,
        runningOn,
        retries,
        observedGeneration);
  }

  /**
   * Returns a copy with another {@code metrics_reasons}.
   *
   * @param metricsReasons the new value
   */
  public ClusterStatus withMetricsReasons(Map<String, Reason> metricsReasons) {
    return new ClusterStatus(
        state,
        reason,
        kubeControllerTriggered,
        metricsReasons,
        lastAppliedTosca,
        nodes,
        clusterId,
        scheduled,
        scheduledTo,
        runningOn,
        retries,
        observedGeneration);
  }

  /**
   * Returns a copy with another {@code last_applied_tosca}.
   *
   * @param lastAppliedTosca the new value
   */
  public ClusterStatus withLastAppliedTosca(ObjectNode lastAppliedTosca) {
    return new ClusterStatus(
        state,
        reason,
        kubeControllerTriggered,
        metricsReasons,
        lastAppliedTosca,
        nodes,
        clusterId,
        scheduled,
        scheduledTo,
        runningOn,
        retries,
        observedGeneration);
  }

  /**
   * Returns a copy with another {@code nodes}.
   *
   * @param nodes the new value
   */
  public ClusterStatus withNodes(List<ObjectNode> nodes) {
    return new ClusterStatus(
        state,
        reason,
        kubeControllerTriggered,
        metricsReasons,
        lastAppliedTosca,
        nodes,
        clusterId,
        scheduled,
        scheduledTo,
        runningOn,
        retries,
        observedGeneration);
  }

  /**
   * Returns a copy with another {@code cluster_id}.
   *
   * @param clusterId the new value
   */
  public ClusterStatus withClusterId(Optional<String> clusterId) {
    return new ClusterStatus(
        state,
        reason,
        kubeControllerTriggered,
        metricsReasons,
        lastAppliedTosca,
        nodes,
        clusterId,
        scheduled,
        scheduledTo,
        runningOn,
        retries,
        observedGeneration);
  }

  /**
   * Returns a copy with another {@code scheduled}.
   *
   * @param scheduled the new value
   */
  public ClusterStatus withScheduled(Optional<Instant> scheduled) {
    return new ClusterStatus(
        state,
        reason,
        kubeControllerTriggered,
        metricsReasons,
        lastAppliedTosca,
        nodes,
        clusterId,
        scheduled,
        scheduledTo,
        runningOn,
        retries,
        observedGeneration);
  }

  /**
   * Returns a copy with another {@code scheduled_to}.
   *
   * @param scheduledTo the new value
   */
  public ClusterStatus withScheduledTo(Optional<ResourceRef> scheduledTo) {
    return new ClusterStatus(
        state,
        reason,
        kubeControllerTriggered,
        metricsReasons,
        lastAppliedTosca,
        nodes,
        clusterId,
        scheduled,
        scheduledTo,
        runningOn,
        retries,
        observedGeneration);
  }

  /**
   * Returns a copy with another {@code running_on}.
   *
   * @param runningOn the new value
   */
  public ClusterStatus withRunningOn(Optional<ResourceRef> runningOn) {
    return new ClusterStatus(
        state,
        reason,
        kubeControllerTriggered,
        metricsReasons,
        lastAppliedTosca,
        nodes,
        clusterId,
        scheduled,
        scheduledTo,
        runningOn,
        retries,
        observedGeneration);
  }

  /**
   * Returns a copy with another {@code retries}.
   *
   * @param retries the new value
   */
  public ClusterStatus withRetries(int retries) {
    return new ClusterStatus(
        state,
        reason,
        kubeControllerTriggered,
        metricsReasons,
        lastAppliedTosca,
        nodes,
        clusterId,
        scheduled,
        scheduledTo,
        runningOn,
        retries,
        observedGeneration);
  }

  /**
   * Returns a copy with another {@code observed_generation}: the generation of the spec the
   * controller acted on.
   *
   * @param observedGeneration the new value
   */
  public ClusterStatus withObservedGeneration(long observedGeneration) {
    return new ClusterStatus(
        state,
        reason,
        kubeControllerTriggered,
        metricsReasons,
        lastAppliedTosca,
        nodes,
        clusterId,
        scheduled,
        scheduledTo,
        runningOn,
        retries,
        observedGeneration);
  }
}
