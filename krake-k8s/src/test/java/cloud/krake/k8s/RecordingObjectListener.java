package cloud.krake.k8s;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/** Captures what a watch delivers, for assertions. Thread-safe. */
final class RecordingObjectListener implements ObjectListener {

  /** Guarded by this. */
  private final List<ObjectEvent> events = new ArrayList<>();

  /** Guarded by this. */
  private final List<List<ObjectNode>> resyncs = new ArrayList<>();

  /** Guarded by this. */
  private final List<KubernetesException> errors = new ArrayList<>();

  @Override
  public synchronized void onEvent(ObjectEvent event) {
    events.add(event);
  }

  @Override
  public synchronized void onResync(List<ObjectNode> objects) {
    resyncs.add(List.copyOf(objects));
  }

  @Override
  public synchronized void onError(KubernetesException error) {
    errors.add(error);
  }

  synchronized List<ObjectEvent> events() {
    return List.copyOf(events);
  }

  /** Returns "TYPE name" of every event of objects whose name starts with {@code prefix}. */
  synchronized List<String> changes(String prefix) {
    return events.stream()
        .filter(e -> e.object().path("metadata").path("name").asText().startsWith(prefix))
        .map(e -> e.type() + " " + e.object().path("metadata").path("name").asText())
        .toList();
  }

  synchronized List<List<ObjectNode>> resyncs() {
    return List.copyOf(resyncs);
  }

  /** Returns the names in the last resync. */
  synchronized List<String> lastResyncNames() {
    return resyncs.isEmpty()
        ? List.of()
        : resyncs.get(resyncs.size() - 1).stream()
            .map(o -> o.path("metadata").path("name").asText())
            .toList();
  }

  synchronized List<KubernetesException> errors() {
    return List.copyOf(errors);
  }
}
