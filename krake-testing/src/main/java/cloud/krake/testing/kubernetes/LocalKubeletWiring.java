package cloud.krake.testing.kubernetes;

import cloud.krake.testing.kubernetes.LocalKubelet.PodNetwork;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The host resources a {@link LocalKubelet} is assembled on, opened in order by the constructor:
 * its two thread pools, its work directory, the relay of host ports, and the node network of
 * isolated Pods. A step that fails releases what the steps before it opened. Not thread-safe; the
 * kubelet closes these parts itself, in its own order.
 */
final class LocalKubeletWiring {

  /** The kubelet's sync thread, {@code krake-kubelet-<cluster>-sync}. */
  final ScheduledThreadPoolExecutor sync;

  /** The threads of process output and exec streams, {@code krake-kubelet-<cluster>-io-N}. */
  final ThreadPoolExecutor io;

  final Path workDirectory;
  final boolean ownsWorkDirectory;
  final Relay relay;

  /** The network of isolated Pods; null with {@link PodNetwork#HOST}. */
  final NodeNetwork network;

  /** Why Pods are on the host's network, for the isolation line; meaningless with a network. */
  final String hostNetworkReason;

  /**
   * Opens the parts.
   *
   * @param cluster the server's name
   * @param maxThreads the most io threads
   * @param workDirectory the directory to use, or null for a temporary one the kubelet owns
   * @param podNetwork as asked, null for isolated where available
   * @param python the python3 of the node network
   * @throws UncheckedIOException if the work directory or the relay cannot be opened
   * @throws IllegalStateException if {@link PodNetwork#ISOLATED} was asked for and is unavailable
   */
  LocalKubeletWiring(
      String cluster, int maxThreads, Path workDirectory, PodNetwork podNetwork, Path python) {
    String prefix = "krake-kubelet-" + cluster;
    this.sync = new ScheduledThreadPoolExecutor(1, named(prefix + "-sync", null));
    sync.setRemoveOnCancelPolicy(true);
    this.io =
        new ThreadPoolExecutor(
            0,
            maxThreads,
            30,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            named(prefix + "-io-", new AtomicInteger()));
    try {
      if (workDirectory != null) {
        this.workDirectory = Files.createDirectories(workDirectory);
        this.ownsWorkDirectory = false;
      } else {
        this.workDirectory = Files.createTempDirectory("krake-kubelet-");
        this.ownsWorkDirectory = true;
      }
    } catch (IOException e) {
      sync.shutdownNow();
      io.shutdownNow();
      throw new UncheckedIOException("cannot create the kubelet's work directory", e);
    }
    try {
      this.relay = new Relay(prefix + "-proxy");
    } catch (IOException e) {
      sync.shutdownNow();
      io.shutdownNow();
      deleteWorkDirectory();
      throw new UncheckedIOException("cannot open the kubelet's relay", e);
    }
    NodeNetwork isolated = null;
    String reason = "as asked";
    if (podNetwork != PodNetwork.HOST) {
      try {
        isolated = NodeNetwork.create(NodeNetwork.tools(python), cluster, socketDirectory(), relay);
      } catch (NodeNetwork.UnavailableException e) {
        if (podNetwork == PodNetwork.ISOLATED) {
          relay.close();
          sync.shutdownNow();
          io.shutdownNow();
          deleteWorkDirectory();
          throw new IllegalStateException(
              "isolated Pod networking is not available: " + e.getMessage(), e);
        }
        reason = "isolated Pod networking is not available: " + e.getMessage();
      }
    }
    this.network = isolated;
    this.hostNetworkReason = reason;
  }

  /** Releases every part at once, after a later step of the kubelet's assembly failed. */
  void release() {
    if (network != null) {
      network.close();
    }
    relay.close();
    sync.shutdownNow();
    io.shutdownNow();
    deleteWorkDirectory();
  }

  void deleteWorkDirectory() {
    if (ownsWorkDirectory) {
      PodWorkerContext.deleteRecursively(workDirectory);
    }
  }

  /** Where the host ports' Unix sockets go: a socket's path has at most 107 bytes. */
  private Path socketDirectory() {
    Path directory = workDirectory.resolve("net");
    if (directory.resolve("h65535.sock").toString().length() <= 100) {
      return directory;
    }
    try {
      return Files.createTempDirectory("krake-net-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a directory for the Pod network's sockets", e);
    }
  }

  private static ThreadFactory named(String name, AtomicInteger counter) {
    return runnable -> {
      Thread thread =
          new Thread(runnable, counter == null ? name : name + counter.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
