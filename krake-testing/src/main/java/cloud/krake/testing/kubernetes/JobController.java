package cloud.krake.testing.kubernetes;

import static cloud.krake.testing.kubernetes.WorkloadControllers.name;
import static cloud.krake.testing.kubernetes.WorkloadControllers.ready;
import static cloud.krake.testing.kubernetes.WorkloadControllers.terminating;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Job controller of {@link WorkloadControllers}: up to {@code parallelism} Pods at a time until
 * {@code completions} succeeded ({@code SuccessCriteriaMet} and {@code Complete}) or more than
 * {@code backoffLimit} failed ({@code FailureTarget} and {@code Failed}); a finished or suspended
 * Job's active Pods are deleted. Failures are counted from failed Pods only, without the Job's own
 * back-off between retries.
 *
 * <p>Confined to the kubelet's sync thread.
 */
final class JobController {
  private final WorkloadControllers controllers;
  private final ApiResource pods;
  private final Clock clock;

  JobController(WorkloadControllers controllers, ApiResource pods, Clock clock) {
    this.controllers = controllers;
    this.pods = pods;
    this.clock = clock;
  }

  /** Reconciles one Job: its Pods until it completes or fails, its conditions and counts. */
  void sync(ApiResource type, ObjectNode job) {
    JsonNode metadata = job.path("metadata");
    JsonNode spec = job.path("spec");
    String namespace = metadata.path("namespace").asText();
    String uid = metadata.path("uid").asText();
    JsonNode old = job.path("status");
    List<ObjectNode> owned = controllers.owned(pods, namespace, uid);
    int succeeded = 0;
    int failed = 0;
    int ready = 0;
    List<ObjectNode> active = new ArrayList<>();
    for (ObjectNode pod : owned) {
      String phase = pod.path("status").path("phase").asText("");
      if (phase.equals("Succeeded")) {
        succeeded++;
      } else if (phase.equals("Failed")) {
        failed++;
      } else if (!terminating(pod)) {
        active.add(pod);
        ready += ready(pod) ? 1 : 0;
      }
    }
    boolean finished = hasCondition(old, "Complete") || hasCondition(old, "Failed");
    int completions = spec.path("completions").asInt(1);
    int parallelism = spec.path("parallelism").asInt(1);
    int backoffLimit = spec.path("backoffLimit").asInt(6);
    boolean suspended = spec.path("suspend").asBoolean(false);
    String now = PodWorker.time(clock.instant());
    ObjectNode status = JsonNodeFactory.instance.objectNode();
    status.put("startTime", old.path("startTime").asText(now));
    ArrayNode conditions = status.putArray("conditions");
    for (JsonNode condition : old.path("conditions")) {
      conditions.add(condition.deepCopy());
    }
    if (!finished && succeeded >= completions) {
      conditions.add(jobCondition("SuccessCriteriaMet", "CompletionsReached", now));
      conditions.add(jobCondition("Complete", "CompletionsReached", now));
      status.put("completionTime", now);
      finished = true;
    } else if (!finished && failed > backoffLimit) {
      conditions.add(jobCondition("FailureTarget", "BackoffLimitExceeded", now));
      conditions.add(jobCondition("Failed", "BackoffLimitExceeded", now));
      finished = true;
    } else if (old.has("completionTime")) {
      status.set("completionTime", old.get("completionTime"));
    }
    if (finished || suspended) {
      active.forEach(pod -> controllers.delete(pods, pod));
      active.clear();
      ready = 0;
    } else {
      int want = Math.min(parallelism, completions - succeeded) - active.size();
      Map<String, String> labels =
          Map.of(
              "batch.kubernetes.io/controller-uid",
              uid,
              "batch.kubernetes.io/job-name",
              name(job),
              "controller-uid",
              uid,
              "job-name",
              name(job));
      for (int i = 0; i < want; i++) {
        controllers.createPod(job, namespace, null, name(job) + "-", labels, null);
      }
    }
    if (conditions.isEmpty()) {
      status.remove("conditions");
    }
    status.put("active", active.size());
    status.put("ready", ready);
    status.put("succeeded", succeeded);
    status.put("failed", failed);
    status.putObject("uncountedTerminatedPods");
    controllers.writeStatus(type, job, status);
  }

  private ObjectNode jobCondition(String type, String reason, String now) {
    ObjectNode condition = JsonNodeFactory.instance.objectNode();
    condition.put("type", type);
    condition.put("status", "True");
    condition.put("reason", reason);
    condition.put(
        "message",
        reason.equals("CompletionsReached")
            ? "Reached expected number of succeeded pods"
            : "Job has reached the specified backoff limit");
    condition.put("lastProbeTime", now);
    condition.put("lastTransitionTime", now);
    return condition;
  }

  private static boolean hasCondition(JsonNode status, String type) {
    for (JsonNode condition : status.path("conditions")) {
      if (condition.path("type").asText().equals(type)
          && condition.path("status").asText().equals("True")) {
        return true;
      }
    }
    return false;
  }
}
