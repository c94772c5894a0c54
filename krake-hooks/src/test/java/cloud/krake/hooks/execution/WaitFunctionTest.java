package cloud.krake.hooks.execution;

import static cloud.krake.hooks.execution.Fixtures.json;
import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.model.FieldError;
import cloud.krake.model.ResourceRef;
import cloud.krake.testing.ManualClock;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Wait's anyOf/allOf conditions over an in-memory object reader, time on a manual clock. */
class WaitFunctionTest {

  private final ManualClock clock = new ManualClock(Fixtures.T0);
  private final AtomicInteger polls = new AtomicInteger();

  /** Objects by "kind/namespace/name"; a pod's labels are matched by an "app=x" selector. */
  private final Map<String, ObjectNode> objects = new ConcurrentHashMap<>();

  private final ObjectReader reader =
      new ObjectReader() {
        @Override
        public Optional<ObjectNode> read(
            ResourceRef cluster, String apiVersion, String kind, String namespace, String name) {
          polls.incrementAndGet();
          return Optional.ofNullable(objects.get(kind + "/" + namespace + "/" + name));
        }

        @Override
        public List<ObjectNode> list(
            ResourceRef cluster,
            String apiVersion,
            String kind,
            String namespace,
            String selector) {
          polls.incrementAndGet();
          String[] kv = selector.split("=");
          List<ObjectNode> matches = new ArrayList<>();
          objects.forEach(
              (key, o) -> {
                if (key.startsWith(kind + "/" + namespace + "/")
                    && o.path("metadata").path("labels").path(kv[0]).asText().equals(kv[1])) {
                  matches.add(o);
                }
              });
          return matches;
        }
      };

  /** A sleeper that moves the clock and, on the third pause, makes the deployment ready. */
  private final Sleeper sleeper =
      d -> {
        clock.advance(d);
        if (clock.instant().equals(Fixtures.T0.plusSeconds(6))) {
          objects.put("Deployment/db/web", json("{\"status\": {\"readyReplicas\": 2}}"));
        }
      };

  private final ExecutionEngine engine =
      ExecutionEngine.builder().objectReader(reader).clock(clock).sleeper(sleeper).build();

  private ActionResult waitFor(String conditions, String timeout) {
    return engine.run(
        BlueprintAction.of(
            Phase.of(
                "Wait",
                "wait",
                json("{\"timeout\": \"" + timeout + "\", \"conditions\": " + conditions + "}"))),
        Fixtures.context());
  }

  @Test
  void waitsUntilAllConditionsHold() {
    objects.put("Deployment/db/web", json("{\"status\": {\"readyReplicas\": 0}}"));
    objects.put(
        "Pod/db/web-1",
        json(
            "{\"metadata\": {\"labels\": {\"app\": \"web\"}}, \"status\": {\"phase\": \"Running\"}}"));

    ActionResult result =
        waitFor(
            """
            {"allOf": [
              {"objectReference": {"apiVersion": "apps/v1", "kind": "Deployment",
                                   "namespace": "{{ .Namespace.Name }}", "name": "web"},
               "condition": "{{ $.status.readyReplicas }} >= 2"},
              {"objectReference": {"apiVersion": "v1", "kind": "Pod", "namespace": "db",
                                   "selector": "app=web"},
               "condition": "{{ $.status.phase }} == 'Running'"}]}
            """,
            "120s");

    assertThat(result.succeeded()).isTrue();
    assertThat(clock.instant()).isEqualTo(Fixtures.T0.plusSeconds(6));
  }

  @Test
  void succeedsWhenAnyConditionHolds() {
    objects.put("Deployment/db/web", json("{\"status\": {\"readyReplicas\": 0}}"));
    objects.put("Deployment/db/api", json("{\"status\": {\"available\": true}}"));

    ActionResult result =
        waitFor(
            """
            {"anyOf": [
              {"objectReference": {"apiVersion": "apps/v1", "kind": "Deployment", "namespace": "db", "name": "web"},
               "condition": "{{ $.status.readyReplicas }} > 0"},
              {"objectReference": {"apiVersion": "apps/v1", "kind": "Deployment", "namespace": "db", "name": "api"},
               "condition": "{{ $.status.available }}"}]}
            """,
            "1m");

    assertThat(result.succeeded()).isTrue();
    assertThat(polls.get()).isEqualTo(2);
    assertThat(clock.instant()).isEqualTo(Fixtures.T0);
  }

  @Test
  void failsAtItsTimeoutSayingWhatIsStillPending() {
    ActionResult result =
        waitFor(
            """
            {"allOf": [
              {"objectReference": {"apiVersion": "v1", "kind": "Pod", "namespace": "db", "selector": "app=none"},
               "condition": "{{ $.status.phase }} == \\"Running\\""},
              {"objectReference": {"apiVersion": "apps/v1", "kind": "StatefulSet", "namespace": "db", "name": "x"},
               "condition": "{{ $.status.readyReplicas }} == 1"}]}
            """,
            "5s");

    assertThat(result.succeeded()).isFalse();
    assertThat(result.error())
        .get()
        .asString()
        .contains("timed out after 5s waiting for allOf")
        .contains("allOf[0] (Pod db/selector app=none): no object matches")
        .contains("allOf[1] (StatefulSet db/x): not found");
    assertThat(clock.instant()).isEqualTo(Fixtures.T0.plusSeconds(5));
  }

  @Test
  void comparesNumbersStringsAndMissingFields() {
    ObjectNode o =
        json(
            "{\"status\": {\"n\": 3, \"s\": \"3\", \"phase\": \"Ready\", \"list\": [{\"a\": 1}], \"labels\": {\"a.b/c\": \"x\"}}}");

    assertThat(Condition.parse("{{ $.status.n }} == 3").holds(o)).isTrue();
    assertThat(Condition.parse("{{ $.status.s }} >= 2.5").holds(o)).isTrue();
    assertThat(Condition.parse("{{ $.status.n }} != 3").holds(o)).isFalse();
    assertThat(Condition.parse("{{ $.status.phase }} == \"Ready\"").holds(o)).isTrue();
    assertThat(Condition.parse("{{ $.status.phase }} > 1").holds(o)).isFalse();
    assertThat(Condition.parse("{{ $.status.list[0].a }} < 2").holds(o)).isTrue();
    assertThat(Condition.parse("{{ $.status.labels['a.b/c'] }} == 'x'").holds(o)).isTrue();
    assertThat(Condition.parse("{{ $.status.missing }} == null").holds(o)).isTrue();
    assertThat(Condition.parse("{{ $.status.missing }} >= 0").holds(o)).isFalse();
    assertThat(Condition.parse("{{ $.status.missing }}").holds(o)).isFalse();
  }

  @Test
  void rejectsBadArgumentsNamingThem() {
    List<FieldError> errors =
        new WaitFunction(ObjectReader.NONE)
            .validate(
                json(
                    """
                    {"timeout": "25h",
                     "conditions": {"anyOf": [
                       {"objectReference": {"apiVersion": "v1", "kind": "Pod", "name": "a", "selector": "b=c"},
                        "condition": "{{ if (eq .status.phase \\"Running\\") }}true{{ end }}"},
                       {"objectReference": {"kind": "Pod", "name": "a"}, "condition": "{{ $.a }} ~ 1"}]}}
                    """));

    assertThat(errors)
        .extracting(FieldError::field)
        .containsExactly(
            "timeout",
            "conditions.anyOf[0].objectReference.selector",
            "conditions.anyOf[0].condition",
            "conditions.anyOf[1].objectReference.apiVersion",
            "conditions.anyOf[1].condition");
    assertThat(errors.get(2).message()).contains("Go template actions");
    assertThat(
            new WaitFunction(ObjectReader.NONE)
                .validate(json("{\"conditions\": {\"allOf\": [], \"anyOf\": []}}")))
        .extracting(FieldError::toString)
        .containsExactly(
            "timeout: is required (for example \"120s\" or \"10m\")",
            "conditions: has both anyOf and allOf; give one");
  }

  @Test
  void readsGoDurations() {
    assertThat(Args.duration(json("{\"d\": \"2m30s\"}").get("d")))
        .contains(Duration.ofSeconds(150));
    assertThat(Args.duration(json("{\"d\": \"500ms\"}").get("d"))).contains(Duration.ofMillis(500));
    assertThat(Args.duration(json("{\"d\": 90}").get("d"))).contains(Duration.ofSeconds(90));
    assertThat(Args.duration(json("{\"d\": \"5 minutes\"}").get("d"))).isEmpty();
  }
}
