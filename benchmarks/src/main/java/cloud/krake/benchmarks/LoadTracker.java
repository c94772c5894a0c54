package cloud.krake.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/** Records the host's events: when each application first reached RUNNING, and left. */
final class LoadTracker {
  final Map<String, Long> runningAt = new ConcurrentHashMap<>();
  final Map<String, String> runningOn = new ConcurrentHashMap<>();
  final Map<String, Long> goneAt = new ConcurrentHashMap<>();
  final Map<String, String> failures = new ConcurrentHashMap<>();
  final List<String> createFailures = java.util.Collections.synchronizedList(new ArrayList<>());
  final AtomicInteger shardChanges = new AtomicInteger();
  final CountDownLatch running;
  final CountDownLatch gone;

  LoadTracker(int applications, LoadResult result) {
    this.running = new CountDownLatch(applications);
    this.gone = new CountDownLatch(applications);
  }

  /** Consumes an event line of the host; false for an answer. */
  boolean event(String line) {
    String[] parts = line.split(" ", 4);
    switch (parts[0]) {
      case "running" -> {
        runningOn.put(parts[1], parts[3]);
        if (runningAt.putIfAbsent(parts[1], Long.parseLong(parts[2])) == null) {
          running.countDown();
        }
        return true;
      }
      case "gone" -> {
        if (goneAt.putIfAbsent(parts[1], Long.parseLong(parts[2])) == null) {
          gone.countDown();
        }
        return true;
      }
      case "failed" -> {
        failures.put(parts[1], line.substring(line.indexOf(parts[1]) + parts[1].length()).trim());
        return true;
      }
      case "create-failed" -> {
        createFailures.add(line);
        return true;
      }
      case "shards" -> {
        shardChanges.incrementAndGet(); // an instance's share changed (a group on etcd)
        return true;
      }
      default -> {
        return false;
      }
    }
  }
}
