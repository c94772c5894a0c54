package cloud.krake.testing.kubernetes;

import cloud.krake.testing.kubernetes.ApiResource.GroupKind;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The part of the API server's validation of pod specs that the fake performs ({@code
 * ValidatePodSpec} of Kubernetes' {@code pkg/apis/core/validation}): in every container and init
 * container, each volume mount's {@code mountPath} must be unique ({@code Invalid value: "<path>":
 * must be unique}), and volume names must be unique in {@code volumes} ({@code Duplicate value:
 * "<name>"}). Checked for Pods and for the pod templates of ReplicationControllers, PodTemplates,
 * Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs and CronJobs, as the real server checks
 * them on create and on every update of the main resource (the status subresource is not checked).
 *
 * <p>The errors are reported as the real server reports them: 422 {@code Invalid}, the message
 * {@code <Kind>.<group> "<name>" is invalid: <field>: <detail>} (several errors in brackets,
 * separated by {@code ", "}) and one {@code details.causes} entry per error.
 */
final class PodSpecValidation {

  private static final List<String> TEMPLATE = List.of("spec", "template", "spec");

  private static final Map<GroupKind, List<String>> POD_SPECS =
      Map.of(
          new GroupKind("", "Pod"), List.of("spec"),
          new GroupKind("", "PodTemplate"), List.of("template", "spec"),
          new GroupKind("", "ReplicationController"), TEMPLATE,
          new GroupKind("apps", "Deployment"), TEMPLATE,
          new GroupKind("apps", "StatefulSet"), TEMPLATE,
          new GroupKind("apps", "DaemonSet"), TEMPLATE,
          new GroupKind("apps", "ReplicaSet"), TEMPLATE,
          new GroupKind("batch", "Job"), TEMPLATE,
          new GroupKind("batch", "CronJob"),
              List.of("spec", "jobTemplate", "spec", "template", "spec"));

  private PodSpecValidation() {}

  /**
   * Checks the pod spec of an object of a kind that has one; other kinds pass.
   *
   * @throws ApiError 422 Invalid listing every error
   */
  static void validate(ApiResource type, ObjectNode object) {
    List<String> path = POD_SPECS.get(type.groupKind());
    if (path == null) {
      return;
    }
    JsonNode podSpec = object;
    for (String key : path) {
      podSpec = podSpec.path(key);
    }
    if (!podSpec.isObject()) {
      return;
    }
    String prefix = String.join(".", path);
    List<ApiError.Cause> errors = new ArrayList<>();
    Set<String> volumes = new HashSet<>();
    JsonNode volumeList = podSpec.path("volumes");
    for (int i = 0; i < volumeList.size(); i++) {
      String name = volumeList.get(i).path("name").asText("");
      if (!name.isEmpty() && !volumes.add(name)) {
        errors.add(
            new ApiError.Cause(
                "FieldValueDuplicate",
                prefix + ".volumes[" + i + "].name",
                "Duplicate value: " + quote(name)));
      }
    }
    for (String group : List.of("initContainers", "containers")) {
      JsonNode containers = podSpec.path(group);
      for (int c = 0; c < containers.size(); c++) {
        mountPaths(prefix + "." + group + "[" + c + "]", containers.get(c))
            .ifPresent(errors::addAll);
      }
    }
    if (!errors.isEmpty()) {
      throw ApiError.invalid(type, object.path("metadata").path("name").asText(""), errors);
    }
  }

  private static Optional<List<ApiError.Cause>> mountPaths(String container, JsonNode spec) {
    List<ApiError.Cause> errors = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    JsonNode mounts = spec.path("volumeMounts");
    for (int i = 0; i < mounts.size(); i++) {
      String mountPath = mounts.get(i).path("mountPath").asText("");
      if (!mountPath.isEmpty() && !seen.add(mountPath)) {
        errors.add(
            new ApiError.Cause(
                "FieldValueInvalid",
                container + ".volumeMounts[" + i + "].mountPath",
                "Invalid value: " + quote(mountPath) + ": must be unique"));
      }
    }
    return errors.isEmpty() ? Optional.empty() : Optional.of(errors);
  }

  /** A string as Go's {@code %q} writes the plain ones the fake reports. */
  private static String quote(String value) {
    return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
