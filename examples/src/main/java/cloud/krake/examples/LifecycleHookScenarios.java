package cloud.krake.examples;

import cloud.krake.hooks.lifecycle.LifecycleEvent;
import cloud.krake.hooks.lifecycle.LifecycleHookPoint;
import cloud.krake.hooks.lifecycle.LifecycleRun;
import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.KrakeJson;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The quickstart's scenarios of the Kubernetes container lifecycle hooks: {@code fortune} (exec
 * postStart and preStop) and {@code misprint} (an {@code http_get} postStart answered 404). Each
 * method returns once its scenario reached its expected end and throws the reason otherwise.
 */
final class LifecycleHookScenarios extends QuickstartHost {

  LifecycleHookScenarios(QuickstartHost host) {
    super(host);
  }

  /**
   * Container lifecycle hooks: the server serves what its postStart hook writes, so the content is
   * there when the application is RUNNING; its preStop drains it before the kubelet's SIGTERM.
   */
  void lifecycleHooks() throws Exception {
    create(
        "fortune",
        manifest("fortune", "fortune.yaml"),
        "[]",
        PINNED_TO_DE
            + spec(
                """

              lifecycle:
                post_start:
                  exec:
                    command:
                    - /bin/sh
                    - -c
                    - |
                      set -- "Krake moves what the greenest cluster can run." \
                        "A hook that succeeded is never run twice." \
                        "Drain first, then stop."
                      shift $(( $(date +%s) % 3 ))
                      echo "$1" > "$CONTENT_DIR/index.txt"
                      echo "postStart: wrote the fortune to $CONTENT_DIR/index.txt"
                pre_stop:
                  exec:
                    command:
                    - python3
                    - -c
                    - |
                      import os, urllib.request
                      url = "http://127.0.0.1:%s/drain" % os.environ["PORT"]
                      print(urllib.request.urlopen(url, timeout=8).read().decode().strip())"""));
    Application running =
        await(
            "fortune",
            a ->
                a.status().state() == ApplicationState.RUNNING
                    && a.status().services().containsKey("fortune"));
    LifecycleRun postStart = lifecycle("fortune", LifecycleHookPoint.POST_START);
    // the timeline's watch records the first RUNNING event; the read above may come first
    until(
        "fortune: the timeline saw no RUNNING event",
        () -> table.firstRunning("fortune").isPresent());
    Instant firstRunning = table.firstRunning("fortune").orElseThrow();
    check(
        postStart.state() == LifecycleRun.State.SUCCEEDED
            && !postStart.finishedAt().orElseThrow().isAfter(firstRunning),
        "RUNNING before its postStart hook succeeded: " + postStart);
    String endpoint = running.status().services().get("fortune");
    String first = firstAnswer(endpoint);
    timeline.say("fortune", "[client]", "GET http://" + endpoint + "/ -> " + first);
    check(first.startsWith("200 "), "RUNNING, but the content was not there: " + first);
    krake.applications().delete(NS, "fortune");
    krake.awaitApplicationGone(NS, "fortune", TIMEOUT);
    LifecycleRun preStop = lifecycle("fortune", LifecycleHookPoint.PRE_STOP);
    Duration took = Duration.between(preStop.startedAt(), preStop.finishedAt().orElseThrow());
    check(
        preStop.state() == LifecycleRun.State.SUCCEEDED
            && preStop.outputTail().contains("drained")
            && took.compareTo(Duration.ofSeconds(10)) < 0,
        "preStop did not drain the server within its 10 s grace period: " + preStop);
    timeline.say(
        "fortune",
        "-",
        String.format(
            "preStop drained the server in %.1f s of its 10 s grace period",
            took.toMillis() / 1e3));
    awaitNothingLeft("fortune");
    forgetHookRecords("fortune");
  }

  /**
   * The kubelet's http_get trap: a mistyped path answered 404 still counts as success, so the
   * application becomes RUNNING; the library records a warning event that makes it visible.
   *
   * <p>The hook is a warm-up pod's: its postStart calls the fortune server through the server's
   * Service ({@code <node>:<nodePort>}, as a client of the cluster would). A postStart runs right
   * after its container starts, as the kubelet runs it, so an {@code http_get} against the server's
   * own container races the server's start and is refused (the kubelet's race, kubernetes#133091);
   * each failure would then replace the server's pod with a new one that races again. Here a
   * failure only replaces the warm-up pod, and after the restart back-off the next one finds the
   * server listening.
   */
  void httpGetTrap() throws Exception {
    List<ObjectNode> manifest = new ArrayList<>(manifest("misprint", "fortune.yaml"));
    manifest.add(
        KrakeJson.read(
            """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: warm-up}
            spec:
              replicas: 1
              selector:
                matchLabels: {app: warm-up}
              template:
                metadata:
                  labels: {app: warm-up}
                spec:
                  terminationGracePeriodSeconds: 2
                  containers:
                    - name: warm-up
                      image: busybox
                      command: [/bin/sh, -c, 'trap "exit 0" TERM; while true; do sleep 1; done']
            """,
            ObjectNode.class));
    labelPods(manifest, "misprint");
    create(
        "misprint",
        manifest,
        "[]",
        PINNED_TO_DE
            + spec(
                """

              lifecycle:
                post_start:
                  target: {kind: Deployment, name: warm-up}
                  http_get: {host: %s, path: /warm-up, port: %d}"""
                    .formatted(clients.get("de").host(), nodePort(manifest))));
    awaitState("misprint", ApplicationState.RUNNING);
    LifecycleRun postStart = lifecycle("misprint", LifecycleHookPoint.POST_START);
    List<LifecycleEvent> warnings =
        postStart.events().stream()
            .filter(e -> e.reason().equals(LifecycleEvent.LIFECYCLE_HTTP_NON_2XX))
            .toList();
    check(
        postStart.state() == LifecycleRun.State.SUCCEEDED && !warnings.isEmpty(),
        "no LifecycleHTTPNon2xx warning for the 404: " + postStart);
    timeline.say(
        "misprint",
        "RUNNING",
        "the 404 counted as success, as the kubelet counts it; only the warning shows the typo");
    krake.applications().delete(NS, "misprint");
    krake.awaitApplicationGone(NS, "misprint", TIMEOUT);
    awaitNothingLeft("misprint");
    forgetHookRecords("misprint");
  }
}
