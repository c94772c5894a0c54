package cloud.krake.k8s.internal;

import cloud.krake.model.ApplicationState;
import cloud.krake.model.ContainerHealth;
import cloud.krake.model.PodTemplates;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collection;

/**
 * The health of an application's workloads as Krake's observer judges it ({@code
 * krake/controller/kubernetes/application/application.py}), from the objects the API server
 * reports: Deployment, StatefulSet and ReplicaSet ready against desired replicas, DaemonSet
 * scheduled against desired, Job completions, Pod phase and first container state.
 *
 * <p>Krake lets the last resource read win; here the worst one does (DEGRADED before RESTARTING
 * before RUNNING), and COMPLETED needs every workload completed, so one finished Job does not hide
 * a failing Deployment. Objects that are not workloads (Services, Secrets, ConfigMaps, …) do not
 * count; an application without workloads is RUNNING.
 *
 * @param state RUNNING, DEGRADED, COMPLETED or RESTARTING
 * @param containers pod counts summed over the workloads
 * @param starting the state is DEGRADED only because workloads have fewer ready replicas than
 *     wanted, with no failure reported (no failed or crash-looping pod, no Deployment whose
 *     progress deadline passed): a rollout in progress. The controller keeps an application that
 *     was not yet RUNNING in its CREATING/RECONCILING/MIGRATING state then, instead of flashing
 *     DEGRADED before RUNNING (Krake's observer would report it 2 s later anyway)
 */
public record WorkloadHealth(ApplicationState state, ContainerHealth containers, boolean starting) {

  /**
   * Judges a set of server objects.
   *
   * @param objects the application's objects as the API server reports them
   * @return the health
   */
  public static WorkloadHealth of(Collection<? extends JsonNode> objects) {
    int rank = -1; // -1 none, 0 completed, 1 running, 2 restarting, 3 degraded (4: still starting)
    boolean settling = false;
    boolean failingSeen = false;
    int desired = 0;
    int running = 0;
    int completed = 0;
    int failed = 0;
    for (JsonNode o : objects) {
      String kind = PodTemplates.isWorkload(o) ? o.path("kind").asText("") : "";
      JsonNode spec = o.path("spec");
      JsonNode status = o.path("status");
      int r;
      switch (kind) {
        case "Deployment", "StatefulSet", "ReplicaSet", "ReplicationController" -> {
          int want = spec.path("replicas").asInt(1);
          int ready = status.path("readyReplicas").asInt(0);
          desired += want;
          running += Math.min(ready, want);
          r = ready == want ? 1 : failing(kind, status) ? 3 : 4;
        }
        case "DaemonSet" -> {
          int want = status.path("desiredNumberScheduled").asInt(0);
          int current = status.path("currentNumberScheduled").asInt(0);
          desired += want;
          running += status.path("numberReady").asInt(current);
          r = want == current ? 1 : 4;
        }
        case "Job" -> {
          int completions = spec.path("completions").asInt(1);
          int succeeded = status.path("succeeded").asInt(0);
          desired += completions;
          completed += succeeded;
          failed += status.path("failed").asInt(0);
          running += status.path("active").asInt(0);
          r = succeeded >= completions ? 0 : 1;
        }
        case "Pod" -> {
          desired += 1;
          r = podRank(o);
          switch (r) {
            case 0 -> completed++;
            case 1 -> running++;
            default -> failed++;
          }
        }
        default -> r = -1;
      }
      if (r == 4) {
        settling = true;
        r = 3;
      } else if (r == 3) {
        failingSeen = true;
      }
      rank = Math.max(rank, r);
    }
    ApplicationState state =
        switch (rank) {
          case 0 -> ApplicationState.COMPLETED;
          case 2 -> ApplicationState.RESTARTING;
          case 3 -> ApplicationState.DEGRADED;
          default -> ApplicationState.RUNNING;
        };
    return new WorkloadHealth(
        state,
        new ContainerHealth(desired, running, completed, failed),
        state == ApplicationState.DEGRADED && settling && !failingSeen);
  }

  /**
   * Whether a Deployment reports a failure rather than a rollout in progress: its {@code
   * Progressing} condition is False (ProgressDeadlineExceeded) or a {@code ReplicaFailure}
   * condition is True.
   */
  private static boolean failing(String kind, JsonNode status) {
    if (!kind.equals("Deployment")) {
      return false;
    }
    for (JsonNode condition : status.path("conditions")) {
      String type = condition.path("type").asText();
      String value = condition.path("status").asText();
      if ((type.equals("Progressing") && value.equals("False"))
          || (type.equals("ReplicaFailure") && value.equals("True"))) {
        return true;
      }
    }
    return false;
  }

  /** Krake's pod rule on the first container: terminated, waiting in CrashLoopBackOff, or up. */
  private static int podRank(JsonNode pod) {
    String phase = pod.path("status").path("phase").asText("");
    String restartPolicy = pod.path("spec").path("restartPolicy").asText("Always");
    if (phase.equals("Succeeded")) {
      return 0;
    }
    if (phase.equals("Failed")) {
      return 3;
    }
    JsonNode first = pod.path("status").path("containerStatuses").path(0).path("state");
    if (first.has("terminated")) {
      return restartPolicy.equals("Never") ? 0 : 2;
    }
    if (first.path("waiting").path("reason").asText("").equals("CrashLoopBackOff")) {
      return 3;
    }
    return 1;
  }
}
