package cloud.krake.benchmarks;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The host JVMs ({@link LoadHost}) of one {@link ControllerLoad} run, seen by the driver: one on a
 * {@code MemoryStore} (the default), or several, members of one group on one etcd ({@code
 * krake.load.instances}). Creates are spread over them round-robin, a command with one answer
 * ({@code count}, {@code manifest}) goes to the first (the store is shared), and {@link #callEach}
 * asks every one. Used by the run's own thread only: not thread-safe, but {@link #isAlive()} may be
 * called from any thread.
 */
final class LoadInstances implements AutoCloseable {

  private final List<LoadProtocol.Child> children;
  private final List<URI> hookEndpoints;

  private LoadInstances(List<LoadProtocol.Child> children, List<URI> hookEndpoints) {
    this.children = List.copyOf(children);
    this.hookEndpoints = List.copyOf(hookEndpoints);
  }

  /**
   * Starts {@code count} host JVMs one after the other, each with {@code args} and, when {@code
   * count} instances share a store, {@code membership=i<index>}; returns once each answered {@code
   * ready}. Ends the ones already started if one fails.
   *
   * @param grouped whether to pass {@code membership=i<index>} (several instances on one etcd)
   */
  static LoadInstances start(
      int count,
      List<String> jvmOptions,
      List<String> args,
      boolean grouped,
      LoadProtocol.Child.EventSink events,
      Duration timeout) {
    List<LoadProtocol.Child> children = new ArrayList<>();
    List<URI> endpoints = new ArrayList<>();
    try {
      for (int i = 0; i < count; i++) {
        List<String> own = new ArrayList<>(args);
        if (grouped) {
          own.add("membership=i" + i);
        }
        LoadProtocol.Child child =
            LoadProtocol.Child.start(
                count == 1 ? "host" : "host-" + i, LoadHost.class, jvmOptions, own, events);
        children.add(child);
        endpoints.add(URI.create(child.await("ready", timeout).split(" ")[0]));
      }
    } catch (RuntimeException e) {
      children.forEach(LoadProtocol.Child::close);
      throw e;
    }
    return new LoadInstances(children, endpoints);
  }

  /** How many host JVMs. */
  int size() {
    return children.size();
  }

  /** Their process ids, in order. */
  List<Long> pids() {
    return children.stream().map(LoadProtocol.Child::pid).toList();
  }

  /** Their hook endpoints ({@code https://127.0.0.1:<port>}), in order. */
  List<URI> hookEndpoints() {
    return hookEndpoints;
  }

  /** Sends the {@code i}-th command without answer ({@code create}) to instance {@code i mod n}. */
  void send(int i, String command) {
    children.get(Math.floorMod(i, children.size())).send(command);
  }

  /** Sends a command to the first instance and waits for its answer. */
  String call(String command, String word, Duration timeout) {
    return children.get(0).call(command, word, timeout);
  }

  /**
   * Sends a command to every instance (one after the other: the first has answered before the
   * second is asked) and returns their answers in order.
   */
  List<String> callEach(String command, String word, Duration timeout) {
    List<String> answers = new ArrayList<>();
    for (LoadProtocol.Child child : children) {
      answers.add(child.call(command, word, timeout));
    }
    return answers;
  }

  /** Sends a command to instance {@code i} and waits for its answer. */
  String callOne(int i, String command, String word, Duration timeout) {
    return children.get(i).call(command, word, timeout);
  }

  /** Whether every host JVM is still running. */
  boolean isAlive() {
    return children.stream().allMatch(LoadProtocol.Child::isAlive);
  }

  /**
   * Waits until every instance sees all the others as peers and their owned shards are disjoint and
   * cover {@code shards}: the work is shared before the first create.
   *
   * @throws IllegalStateException if that does not happen within {@code timeout}
   */
  void awaitPartitioned(int shards, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "";
    while (System.nanoTime() - deadline < 0) {
      List<String> answers = callEach("membership", "membership", timeout);
      if (partitioned(answers, shards)) {
        return;
      }
      last = answers.toString();
      try {
        TimeUnit.MILLISECONDS.sleep(100); // a poll of other processes, not a test's wait
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    throw new IllegalStateException(
        "the instances did not partition the shards within " + timeout + ": " + last);
  }

  /**
   * Whether the {@code membership} answers ({@code <id> <peers,...> <shards,...>}) of all the
   * instances of a group show each one seeing every instance and the shards partitioned among them:
   * disjoint, and together exactly {@code 0..shards-1}.
   */
  static boolean partitioned(List<String> answers, int shards) {
    Set<Integer> owned = new HashSet<>();
    int total = 0;
    for (String answer : answers) {
      String[] m = answer.split(" ", -1);
      if (m.length < 3) {
        return false;
      }
      int peers = m[1].isEmpty() ? 0 : m[1].split(",").length;
      if (peers != answers.size()) {
        return false;
      }
      for (String shard : m[2].isEmpty() ? new String[0] : m[2].split(",")) {
        int s = Integer.parseInt(shard);
        if (s < 0 || s >= shards) {
          return false;
        }
        owned.add(s);
        total++;
      }
    }
    return total == owned.size() && owned.size() == shards;
  }

  /** Ends every host JVM (closes its input, waits for it). */
  @Override
  public void close() {
    children.forEach(LoadProtocol.Child::close);
  }
}
