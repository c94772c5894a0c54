package cloud.krake.testing.kubernetes;

import cloud.krake.testing.kubernetes.PodWorker.Container;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The status a {@link PodWorker} reports for its Pod, as the kubelet's status manager builds it:
 * phase, conditions (with their transition times, kept here across reports), IPs and container
 * statuses. Not thread-safe, like the worker it reports on.
 */
final class PodStatusReport {
  /** Per condition type: its last status and when it took it. */
  private final Map<String, String[]> conditionTimes = new HashMap<>();

  /** The Pod's status as the kubelet reports it. */
  ObjectNode status(PodWorker w) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode status = f.objectNode();
    status.put("phase", phase(w));
    String created =
        w.pod.path("metadata").path("creationTimestamp").asText(PodWorker.time(w.startTime));
    List<String> unready = new ArrayList<>();
    for (Container container : w.containers().values()) {
      if (container.state != PodWorker.State.RUNNING) {
        unready.add(container.name);
      }
    }
    ArrayNode conditions = status.putArray("conditions");
    condition(w, conditions, "PodReadyToStartContainers", w.volumesReady, "", "", created);
    condition(w, conditions, "Initialized", true, "", "", created);
    String message = unready.isEmpty() ? "" : "containers with unready status: " + unready;
    condition(w, conditions, "Ready", unready.isEmpty(), "ContainersNotReady", message, created);
    condition(
        w,
        conditions,
        "ContainersReady",
        unready.isEmpty(),
        "ContainersNotReady",
        message,
        created);
    condition(w, conditions, "PodScheduled", true, "", "", created);
    status.put("hostIP", LocalKubelet.POD_IP);
    status.putArray("hostIPs").addObject().put("ip", LocalKubelet.POD_IP);
    w.podIp()
        .ifPresent(
            ip -> {
              status.put("podIP", ip);
              status.putArray("podIPs").addObject().put("ip", ip);
            });
    status.put("startTime", PodWorker.time(w.startTime));
    status.put("qosClass", "BestEffort");
    ArrayNode statuses = status.putArray("containerStatuses");
    for (Container container : w.containers().values()) {
      ObjectNode c = statuses.addObject();
      c.put("name", container.name);
      c.put("image", container.spec.path("image").asText(""));
      c.put("imageID", "");
      if (container.everStarted) {
        c.put("containerID", "local://" + w.uid + "/" + container.name + "/" + container.run);
      }
      c.put("ready", container.state == PodWorker.State.RUNNING);
      c.put("started", container.state == PodWorker.State.RUNNING);
      c.put("restartCount", container.restartCount);
      ObjectNode state = c.putObject("state");
      switch (container.state) {
        case RUNNING ->
            state.putObject("running").put("startedAt", PodWorker.time(container.startedAt));
        case TERMINATED -> state.set("terminated", terminatedState(w, container));
        default -> {
          ObjectNode waiting = state.putObject("waiting");
          waiting.put("reason", container.waitingReason);
          if (!container.waitingMessage.isEmpty()) {
            waiting.put("message", container.waitingMessage);
          } else if (!w.volumeError.isEmpty()) {
            waiting.put("message", w.volumeError);
          } else if (!w.sandboxError.isEmpty()) {
            waiting.put("message", w.sandboxError);
          }
        }
      }
      ObjectNode last = c.putObject("lastState");
      if (container.lastTerminated != null) {
        last.set("terminated", container.lastTerminated.deepCopy());
      }
    }
    return status;
  }

  static ObjectNode terminatedState(PodWorker w, Container container) {
    ObjectNode terminated = JsonNodeFactory.instance.objectNode();
    terminated.put("exitCode", container.exitCode);
    terminated.put("reason", container.terminatedReason);
    terminated.put("startedAt", PodWorker.time(container.startedAt));
    terminated.put("finishedAt", PodWorker.time(container.finishedAt));
    terminated.put("containerID", "local://" + w.uid + "/" + container.name + "/" + container.run);
    return terminated;
  }

  /** The phase as the kubelet's {@code getPhase}. */
  static String phase(PodWorker w) {
    int waiting = 0;
    int running = 0;
    int stopped = 0;
    int succeeded = 0;
    for (Container container : w.containers().values()) {
      switch (container.state) {
        case RUNNING -> running++;
        case TERMINATED -> {
          stopped++;
          if (container.exitCode == 0) {
            succeeded++;
          }
        }
        default -> {
          if (container.lastTerminated != null) {
            stopped++;
          } else {
            waiting++;
          }
        }
      }
    }
    if (waiting > 0) {
      return "Pending";
    }
    if (running > 0) {
      return "Running";
    }
    if (stopped == 0) {
      return "Pending";
    }
    return switch (w.restartPolicy()) {
      case "Never" -> stopped == succeeded ? "Succeeded" : "Failed";
      case "OnFailure" -> stopped == succeeded ? "Succeeded" : "Running";
      default -> "Running";
    };
  }

  private void condition(
      PodWorker w,
      ArrayNode conditions,
      String type,
      boolean value,
      String reason,
      String message,
      String initial) {
    String status = value ? "True" : "False";
    String[] previous = conditionTimes.get(type);
    String since;
    if (previous == null) {
      since = value ? initial : PodWorker.time(w.now());
    } else if (previous[0].equals(status)) {
      since = previous[1];
    } else {
      since = PodWorker.time(w.now());
    }
    conditionTimes.put(type, new String[] {status, since});
    ObjectNode condition = conditions.addObject();
    condition.put("type", type);
    condition.put("status", status);
    condition.put("lastProbeTime", (String) null);
    condition.put("lastTransitionTime", since);
    if (!value && !reason.isEmpty()) {
      condition.put("reason", reason);
      condition.put("message", message);
    }
  }
}
