package cloud.krake.examples;

import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.store.ResourceEvent;
import cloud.krake.store.WatchEvent;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The quickstart's view of its applications, kept from the store's watch: each application's state
 * history, where it runs, what was last applied, when it was removed; printed at the end like
 * Krake's {@code rok kube app list}. Thread-safe: the watch writes while the scenarios read
 * (guarded by this).
 */
final class ApplicationTable {

  private static final DateTimeFormatter HH_MM_SS =
      DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

  private final Clock clock;
  private final Timeline timeline;

  /** The rows by application name, in creation order (guarded by this). */
  private final Map<String, Row> apps = new LinkedHashMap<>();

  /** What the table shows of an application (guarded by the table). */
  private static final class Row {
    ApplicationState state = ApplicationState.PENDING;
    String runningOn = "-";
    Instant created;
    Optional<Instant> removed = Optional.empty();
    Optional<Instant> firstRunning = Optional.empty();
    String reason = "-";
    List<ApplicationState> history = new ArrayList<>();
    List<ObjectNode> applied = List.of();
  }

  ApplicationTable(Clock clock, Timeline timeline) {
    this.clock = clock;
    this.timeline = timeline;
  }

  /** Starts a fresh row for an application about to be created. */
  synchronized void expect(String app) {
    apps.put(app, new Row());
  }

  /** When the watch first saw the application RUNNING, if it has. */
  synchronized Optional<Instant> firstRunning(String app) {
    Row row = apps.get(app);
    return row == null ? Optional.empty() : row.firstRunning;
  }

  /** The cluster the application last ran on, {@code -} if none. */
  synchronized String runningOn(String app) {
    return apps.get(app).runningOn;
  }

  /** The application's last applied manifest; empty if it was never applied. */
  synchronized List<ObjectNode> applied(String app) {
    return apps.get(app).applied;
  }

  /** The rows of the applications table, the header first. */
  synchronized List<String[]> rows(String namespace) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"name", "namespace", "state", "running_on", "created", "age", "reason"});
    for (Map.Entry<String, Row> e : apps.entrySet()) {
      Row row = e.getValue();
      String age =
          row.created == null
              ? "-"
              : String.format(
                  "%.1fs",
                  Duration.between(row.created, row.removed.orElse(clock.instant())).toMillis()
                      / 1000.0);
      rows.add(
          new String[] {
            e.getKey(),
            namespace,
            row.state + (row.removed.isPresent() ? " (removed)" : ""),
            row.runningOn,
            row.created == null ? "-" : HH_MM_SS.format(row.created),
            age,
            row.reason
          });
    }
    return rows;
  }

  /** Records a state change from the store's watch and prints it on the timeline. */
  void stateChange(ResourceEvent<Application> event) {
    Application app = event.resource();
    String name = app.metadata().name();
    boolean removed = event.type() == WatchEvent.Type.DELETED;
    ApplicationState state = app.status().state();
    ApplicationState before;
    synchronized (this) {
      Row row = apps.computeIfAbsent(name, n -> new Row());
      before = row.history.isEmpty() ? null : row.history.get(row.history.size() - 1);
      if (!removed && before != state) {
        row.history.add(state);
      }
      if (!removed && state == ApplicationState.RUNNING && row.firstRunning.isEmpty()) {
        row.firstRunning = Optional.of(clock.instant());
      }
      row.state = state;
      row.created = app.metadata().created().orElse(row.created);
      app.status().runningOn().ifPresent(r -> row.runningOn = r.name());
      app.status()
          .reason()
          .ifPresent(r -> row.reason = abbreviate(r.code() + ": " + oneLine(r.message()), 60));
      if (!app.status().lastAppliedManifest().isEmpty()) {
        row.applied = app.status().lastAppliedManifest();
      }
      if (removed) {
        row.removed = Optional.of(clock.instant());
      }
    }
    if (removed) {
      timeline.say(name, "-", "removed from the store");
    } else if (before != state) {
      String where =
          app.status()
              .runningOn()
              .or(() -> app.status().scheduledTo())
              .map(r -> " on " + r.name())
              .orElse("");
      timeline.say(
          name,
          state.name(),
          "state " + state + where + (app.metadata().isDeleted() ? " (deleted)" : ""));
    }
  }

  /** A message on one line (a KubeTask's log tail may end with a newline). */
  static String oneLine(String message) {
    return message.strip().replaceAll("\\s*\\n\\s*", " ");
  }

  static String abbreviate(String text, int max) {
    return text.length() <= max ? text : text.substring(0, max - 3) + "...";
  }

  synchronized boolean removed(String app) {
    Row row = apps.get(app);
    return row != null && row.removed.isPresent();
  }

  synchronized List<ApplicationState> history(String app) {
    Row row = apps.get(app);
    return row == null ? List.of() : List.copyOf(row.history);
  }

  static int count(List<ApplicationState> history, ApplicationState state) {
    return (int) history.stream().filter(s -> s == state).count();
  }

  static String kind(ObjectNode o) {
    return o.path("kind").asText() + "/" + o.at("/metadata/name").asText();
  }

  static String kinds(List<ObjectNode> manifest) {
    List<String> kinds = new ArrayList<>();
    manifest.forEach(r -> kinds.add(kind(r)));
    return String.join(", ", kinds);
  }

  /** Prints rows as a table framed like rok's. */
  static void print(Timeline timeline, List<String[]> rows) {
    int[] widths = new int[rows.get(0).length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    StringBuilder rule = new StringBuilder("+");
    for (int w : widths) {
      rule.append("-".repeat(w + 2)).append('+');
    }
    timeline.print(rule.toString());
    for (int r = 0; r < rows.size(); r++) {
      StringBuilder line = new StringBuilder("|");
      for (int i = 0; i < widths.length; i++) {
        line.append(' ').append(String.format("%-" + widths[i] + "s", rows.get(r)[i])).append(" |");
      }
      timeline.print(line.toString());
      if (r == 0) {
        timeline.print(rule.toString().replace('-', '='));
      }
    }
    timeline.print(rule.toString());
  }
}
