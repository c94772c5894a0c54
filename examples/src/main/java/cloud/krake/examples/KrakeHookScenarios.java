package cloud.krake.examples;

import cloud.krake.k8s.ClusterClient;
import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.GlobalMetricsProvider;
import cloud.krake.model.KrakeJson;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * The quickstart's scenarios of Krake's own hooks, and the plain deployment they start from: {@code
 * echo} (no hook), {@code nightly-report} ({@code complete}), {@code ledger} ({@code shutdown} and
 * the migration between the clusters), {@code legacy-db} and {@code scratch-cache} ({@code
 * shutdown} never acknowledged: {@code give_up} and {@code delete}). Each method returns once its
 * scenario reached its expected end and throws the reason otherwise.
 */
final class KrakeHookScenarios extends QuickstartHost {

  KrakeHookScenarios(QuickstartHost host) {
    super(host);
  }

  void echoServer() throws Exception {
    create("echo", "echo-server.yaml", "[]", PINNED_TO_DE);
    Application running =
        await(
            "echo",
            a ->
                a.status().state() == ApplicationState.RUNNING
                    && a.status().services().containsKey("echo"));
    String endpoint = running.status().services().get("echo");
    timeline.say("echo", "RUNNING", "service endpoint echo -> " + endpoint);
    for (int i = 0; i < 2; i++) {
      timeline.say("echo", "[client]", "GET http://" + endpoint + "/ -> " + get(endpoint));
    }
    krake.applications().delete(NS, "echo");
    krake.awaitApplicationGone(NS, "echo", TIMEOUT);
    awaitNothingLeft("echo");
  }

  void completeHook() throws Exception {
    create("nightly-report", "batch-job.yaml", "[complete]", PINNED_TO_DE);
    krake.awaitApplicationGone(NS, "nightly-report", TIMEOUT);
    check(
        table.history("nightly-report").contains(ApplicationState.RUNNING),
        "removed without having run");
    awaitNothingLeft("nightly-report");
  }

  void shutdownHookAndMigration() throws Exception {
    create("ledger", "stateful-service.yaml", "[shutdown]", "shutdown_grace_time: 10");
    Application placed = awaitServing("ledger");
    String first = placed.status().runningOn().orElseThrow().name();
    timeline.say("ledger", "RUNNING", "placed on " + first + " by the green_energy metric");
    if (clusters.size() < 2) {
      timeline.say("ledger", "-", "only one cluster given: the migration is skipped");
    } else {
      String to = first.equals("de") ? "fr" : "de";
      krake
          .globalMetricsProviders()
          .modify(
              "",
              "energy",
              p -> {
                ObjectNode doc = KrakeJson.toObjectNode(p);
                ObjectNode metrics = (ObjectNode) doc.at("/spec/static/metrics");
                metrics.put("green_energy_" + first, 0.1);
                metrics.put("green_energy_" + to, 0.9);
                return KrakeJson.convert(doc, GlobalMetricsProvider.class);
              });
      timeline.say("ledger", "-", "metrics changed: " + to + " is greener now");
      await(
          "ledger",
          a ->
              a.status().state() == ApplicationState.RUNNING
                  && a.status().runningOn().map(r -> r.name().equals(to)).orElse(false));
      check(
          table.history("ledger").contains(ApplicationState.READY_FOR_ACTION),
          "migrated without the shutdown acknowledgement");
      awaitNothingLeftOn(first, "ledger");
      awaitServing("ledger");
      timeline.say("ledger", "RUNNING", "migrated " + first + " -> " + to);
    }
    int acknowledgements =
        ApplicationTable.count(table.history("ledger"), ApplicationState.READY_FOR_ACTION);
    krake.applications().delete(NS, "ledger");
    krake.awaitApplicationGone(NS, "ledger", TIMEOUT);
    check(
        ApplicationTable.count(table.history("ledger"), ApplicationState.READY_FOR_ACTION)
            > acknowledgements,
        "deleted without the shutdown acknowledgement");
    awaitNothingLeft("ledger");
  }

  void giveUp() throws Exception {
    create(
        "legacy-db",
        "never-acknowledges.yaml",
        "[shutdown]",
        PINNED_TO_DE
            + "\n  shutdown_grace_time: 1\n  shutdown_failure_strategy: give_up\n"
            + "  shutdown_retry_count: 1");
    Application running = awaitServing("legacy-db");
    ClusterClient de = clients.get("de");
    krake.applications().delete(NS, "legacy-db");
    awaitState("legacy-db", ApplicationState.DEGRADED);
    int before = table.history("legacy-db").size();
    krake.applications().retryShutdown(NS, "legacy-db");
    timeline.say("legacy-db", "-", "retry requested through the Java API");
    until(
        "legacy-db: not DEGRADED again after WAITING_FOR_CLEANING",
        () -> {
          List<ApplicationState> since = table.history("legacy-db");
          since = since.subList(Math.min(before, since.size()), since.size());
          int waiting = since.indexOf(ApplicationState.WAITING_FOR_CLEANING);
          return waiting >= 0
              && since.subList(waiting, since.size()).contains(ApplicationState.DEGRADED);
        });
    Application degraded = krake.applications().require(NS, "legacy-db");
    List<ObjectNode> kept = present(de, running.status().lastAppliedManifest());
    check(degraded.metadata().isDeleted(), "not marked deleted");
    check(!kept.isEmpty(), "its resources were removed although the strategy is give_up");
    timeline.say(
        "legacy-db",
        "DEGRADED",
        "gave up again; its resources are kept on de (" + ApplicationTable.kinds(kept) + ")");
    krake.applications().forceDelete(NS, "legacy-db");
    for (ObjectNode o : kept) {
      de.delete(o);
    }
    timeline.say("legacy-db", "-", "force-deleted by the operator; its resources removed by hand");
    krake.awaitApplicationGone(NS, "legacy-db", TIMEOUT);
    awaitNothingLeft("legacy-db");
  }

  void deleteAnyway() throws Exception {
    create(
        "scratch-cache",
        "never-acknowledges.yaml",
        "[shutdown]",
        PINNED_TO_DE + "\n  shutdown_grace_time: 1\n  shutdown_failure_strategy: delete");
    awaitServing("scratch-cache");
    krake.applications().delete(NS, "scratch-cache");
    krake.awaitApplicationGone(NS, "scratch-cache", TIMEOUT);
    check(
        !table.history("scratch-cache").contains(ApplicationState.READY_FOR_ACTION),
        "acknowledged although it never calls its hook");
    awaitNothingLeft("scratch-cache");
  }
}
