package cloud.krake.hooks.lifecycle;

import cloud.krake.model.KrakeJson;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The durable record of one run of a lifecycle hook, as {@link LifecycleRecords} stores it: when it
 * started and ended, its state, the error, its events and the redacted tail of an exec's output.
 *
 * <p>{@link #toString()} shows the output tail's length only.
 *
 * @param namespace the application's namespace
 * @param application the application's name
 * @param hook postStart or preStop
 * @param run the run's number for this hook, from 1, increasing
 * @param handler the handler's kind: {@code exec}, {@code http_get} or {@code sleep}
 * @param state the run's state
 * @param startedAt when it started
 * @param finishedAt when it ended; empty while {@link State#RUNNING}
 * @param error why it failed or was interrupted, redacted; present exactly for {@link State#FAILED}
 *     and {@link State#INTERRUPTED}
 * @param events its events in order
 * @param outputTail the last 10 KiB of an exec's stdout followed by its stderr, redacted; empty for
 *     other handlers
 * @param target where it ran, {@code <cluster>/<pod namespace>/<pod>} (empty in records written
 *     before this field existed): a postStart belongs to one pod, and a new pod runs it again, as
 *     the kubelet runs postStart for every container start
 */
public record LifecycleRun(
    String namespace,
    String application,
    LifecycleHookPoint hook,
    long run,
    String handler,
    LifecycleRun.State state,
    Instant startedAt,
    Optional<Instant> finishedAt,
    Optional<String> error,
    List<LifecycleEvent> events,
    String outputTail,
    String target) {

  /** The state of a run. */
  public enum State {
    /** Started and not yet recorded as ended; after a crash, the hook runs again. */
    RUNNING,
    /** The handler succeeded. */
    SUCCEEDED,
    /** The handler failed or ran out of time. */
    FAILED,
    /** Found {@link #RUNNING} by a later run: its outcome is unknown, the hook was run again. */
    INTERRUPTED
  }

  /**
   * Checks and copies the components.
   *
   * @throws IllegalArgumentException if the run is not positive or the optional components do not
   *     fit the state
   */
  public LifecycleRun {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(application, "application");
    Objects.requireNonNull(hook, "hook");
    Objects.requireNonNull(handler, "handler");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(finishedAt, "finishedAt");
    Objects.requireNonNull(error, "error");
    events = List.copyOf(Objects.requireNonNull(events, "events"));
    Objects.requireNonNull(outputTail, "outputTail");
    Objects.requireNonNull(target, "target");
    if (run < 1) {
      throw new IllegalArgumentException("runs count from 1");
    }
    if ((state == State.RUNNING) == finishedAt.isPresent()) {
      throw new IllegalArgumentException("a finished time is present exactly when not running");
    }
    if ((state == State.FAILED || state == State.INTERRUPTED) != error.isPresent()) {
      throw new IllegalArgumentException("an error is present exactly for failed or interrupted");
    }
  }

  /** Returns a copy that ended at {@code time} in {@code state}. */
  LifecycleRun finish(
      State state, Instant time, Optional<String> error, List<LifecycleEvent> more, String tail) {
    List<LifecycleEvent> all = new ArrayList<>(events);
    all.addAll(more);
    return new LifecycleRun(
        namespace,
        application,
        hook,
        run,
        handler,
        state,
        startedAt,
        Optional.of(time),
        error,
        all,
        tail,
        target);
  }

  ObjectNode toJson() {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put("namespace", namespace);
    node.put("application", application);
    node.put("hook", hook.jsonName());
    node.put("run", run);
    node.put("handler", handler);
    node.put("state", state.name());
    node.put("started_at", startedAt.toString());
    finishedAt.ifPresent(t -> node.put("finished_at", t.toString()));
    error.ifPresent(e -> node.put("error", e));
    ArrayNode eventsNode = node.putArray("events");
    for (LifecycleEvent event : events) {
      eventsNode
          .addObject()
          .put("type", event.type().name())
          .put("reason", event.reason())
          .put("message", event.message())
          .put("time", event.time().toString());
    }
    node.put("output_tail", outputTail);
    node.put("target", target);
    return node;
  }

  static LifecycleRun fromJson(byte[] document) {
    JsonNode node = KrakeJson.read(document, JsonNode.class);
    LifecycleHookPoint hook =
        LifecycleHookPoint.fromJsonName(node.path("hook").asText()).orElseThrow();
    List<LifecycleEvent> events = new ArrayList<>();
    for (JsonNode event : node.path("events")) {
      events.add(
          new LifecycleEvent(
              LifecycleEvent.Type.valueOf(event.path("type").asText()),
              event.path("reason").asText(),
              event.path("message").asText(),
              Instant.parse(event.path("time").asText()),
              hook));
    }
    return new LifecycleRun(
        node.path("namespace").asText(),
        node.path("application").asText(),
        hook,
        node.path("run").asLong(),
        node.path("handler").asText(),
        State.valueOf(node.path("state").asText()),
        Instant.parse(node.path("started_at").asText()),
        node.hasNonNull("finished_at")
            ? Optional.of(Instant.parse(node.get("finished_at").asText()))
            : Optional.empty(),
        node.hasNonNull("error") ? Optional.of(node.get("error").asText()) : Optional.empty(),
        events,
        node.path("output_tail").asText(),
        node.path("target").asText());
  }

  @Override
  public String toString() {
    return "LifecycleRun["
        + namespace
        + "/"
        + application
        + " "
        + hook.jsonName()
        + " #"
        + run
        + " ("
        + handler
        + ") "
        + state
        + error.map(e -> " error=" + e).orElse("")
        + " events="
        + events.size()
        + " output=<"
        + outputTail.length()
        + " chars>]";
  }
}
