package cloud.krake.examples;

import cloud.krake.k8s.ClusterClient;
import cloud.krake.k8s.KubernetesException;
import cloud.krake.k8s.ObjectEvent;
import cloud.krake.k8s.ObjectListener;
import cloud.krake.k8s.ObjectWatch;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The pods' side of the timeline for one cluster, read through the Kubernetes API as {@code kubectl
 * get pods -w} and {@code kubectl logs} would: phase changes of the quickstart's pods (those
 * labelled {@value #APP_LABEL}) and the new lines of their logs, polled every {@link #POLL_MILLIS}
 * ms while they run.
 *
 * <p>Log lines are best effort: a pod removed between two polls takes its last lines with it.
 * Threading: the watch calls back on the client's thread; the polls run on the shared scheduler.
 */
final class PodObserver implements AutoCloseable {

  /** The pod label naming the Krake application a pod belongs to, set by the quickstart. */
  static final String APP_LABEL = "krake-quickstart/app";

  static final long POLL_MILLIS = 200;

  private final String cluster;
  private final ClusterClient client;
  private final Timeline timeline;
  private final String namespace;
  private final Map<String, PodSeen> pods = new ConcurrentHashMap<>();
  private final ObjectWatch watch;
  private final ScheduledFuture<?> poll;

  /** What was last reported of a pod; replaced, never mutated. */
  private record PodSeen(String app, String phase, boolean terminating, String log) {}

  PodObserver(
      String cluster, ClusterClient client, Timeline timeline, ScheduledExecutorService scheduler) {
    this.cluster = cluster;
    this.client = client;
    this.timeline = timeline;
    this.namespace = client.defaultNamespace();
    this.watch =
        client.watch(
            "v1",
            "Pod",
            Optional.of(namespace),
            new ObjectListener() {
              @Override
              public void onEvent(ObjectEvent event) {
                seen(event.type(), event.object());
              }

              @Override
              public void onResync(List<ObjectNode> objects) {
                objects.forEach(o -> seen(ObjectEvent.Type.ADDED, o));
              }
            });
    this.poll =
        scheduler.scheduleWithFixedDelay(
            this::pollLogs, POLL_MILLIS, POLL_MILLIS, TimeUnit.MILLISECONDS);
  }

  private void seen(ObjectEvent.Type type, ObjectNode pod) {
    String app = pod.at("/metadata/labels").path(APP_LABEL).asText("");
    if (app.isEmpty()) {
      return;
    }
    String name = pod.at("/metadata/name").asText();
    if (type == ObjectEvent.Type.DELETED) {
      PodSeen last = pods.remove(name);
      if (last != null) {
        timeline.say(app, "[pod]", cluster + "/" + name + " removed");
      }
      return;
    }
    String phase = pod.at("/status/phase").asText("Pending");
    boolean terminating = pod.at("/metadata/deletionTimestamp").isTextual();
    boolean[] changed = new boolean[1];
    pods.compute(
        name,
        (k, before) -> {
          if (before != null
              && before.phase().equals(phase)
              && before.terminating() == terminating) {
            return before;
          }
          changed[0] = true;
          return new PodSeen(app, phase, terminating, before == null ? "" : before.log());
        });
    if (changed[0]) {
      timeline.say(
          app, "[pod]", cluster + "/" + name + " " + phase + (terminating ? ", terminating" : ""));
    }
  }

  private void pollLogs() {
    for (Map.Entry<String, PodSeen> entry : pods.entrySet()) {
      PodSeen pod = entry.getValue();
      if (pod.phase().equals("Pending")) {
        continue;
      }
      String now;
      try {
        now = client.logs(namespace, entry.getKey(), Optional.empty());
      } catch (KubernetesException | UnsupportedOperationException e) {
        continue; // gone or not started: the watch reports it
      }
      boolean continued = now.startsWith(pod.log());
      String fresh = continued ? now.substring(pod.log().length()) : now;
      int end = fresh.lastIndexOf('\n');
      if (end < 0) {
        continue;
      }
      for (String line : fresh.substring(0, end).split("\n", -1)) {
        timeline.say(pod.app(), "[pod]", cluster + "/" + entry.getKey() + ": " + line);
      }
      String consumed = (continued ? pod.log() : "") + fresh.substring(0, end + 1);
      pods.computeIfPresent(
          entry.getKey(),
          (k, v) ->
              v.log().equals(pod.log())
                  ? new PodSeen(v.app(), v.phase(), v.terminating(), consumed)
                  : v);
    }
  }

  @Override
  public void close() {
    poll.cancel(false);
    watch.close();
  }
}
