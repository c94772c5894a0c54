package cloud.krake.hooks.execution;

import cloud.krake.model.KrakeJson;
import cloud.krake.testing.ManualClock;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/** Shared helpers of the execution-hook tests. */
final class Fixtures {

  static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");

  private Fixtures() {}

  static ObjectNode json(String jsonOrYaml) {
    return (ObjectNode) KrakeJson.read(jsonOrYaml, JsonNode.class);
  }

  /** A sleeper that moves the manual clock instead of waiting. */
  static Sleeper advancing(ManualClock clock) {
    return clock::advance;
  }

  static ExecutionContext context() {
    return ExecutionContext.of("default", "mysql")
        .withCluster("edge-1")
        .withNamespace("db")
        .withSubject(Subject.statefulSet("mysql"));
  }

  /**
   * An in-process function that records its phases and rendered args, and answers with a script.
   */
  static final class Recording implements HookFunction {
    final String name;
    final List<String> calls = new CopyOnWriteArrayList<>();
    final List<ObjectNode> args = new CopyOnWriteArrayList<>();
    private final Function<FunctionContext, PhaseOutput> behaviour;

    Recording(String name, Function<FunctionContext, PhaseOutput> behaviour) {
      this.name = name;
      this.behaviour = behaviour;
    }

    /** Outputs every argument that is a string, under its name. */
    static Recording echo(String name) {
      return new Recording(
          name,
          c -> {
            Map<String, String> out = new java.util.LinkedHashMap<>();
            c.args()
                .properties()
                .forEach(
                    e -> {
                      if (e.getValue().isTextual()) {
                        out.put(e.getKey(), e.getValue().asText());
                      }
                    });
            return PhaseOutput.of(out);
          });
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public PhaseOutput execute(FunctionContext context) {
      calls.add(context.phase());
      args.add(context.args());
      return behaviour.apply(context);
    }
  }
}
