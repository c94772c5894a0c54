package cloud.krake.testing.kubernetes;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One Pod's network sandbox, as the CRI's: a network namespace held by the Pod's forwarder process
 * (see {@link NodeNetwork}), its address and the host end of its veth pair. Every container and
 * exec of the Pod enters it with {@link #enter()}.
 *
 * <p>Used under the {@link NodeNetwork}'s lock, except the immutable accessors.
 */
final class PodSandbox {
  private final String pod;
  private final String ip;
  private final int octet;
  private final String veth;
  private final Process holder;
  private final List<String> enter;
  private final BufferedReader replies;
  private final Writer commands;
  private final Set<Integer> forwarded = new HashSet<>();
  private volatile Path namespace; // net:[inode], once the holder has its own

  PodSandbox(String pod, String ip, int octet, String veth, Process holder, Path nsenter) {
    this.pod = pod;
    this.ip = ip;
    this.octet = octet;
    this.veth = veth;
    this.holder = holder;
    this.enter = List.of(nsenter.toString(), "--net=/proc/" + holder.pid() + "/ns/net", "--");
    this.replies = NodeNetwork.reader(holder);
    this.commands = NodeNetwork.writer(holder);
  }

  String pod() {
    return pod;
  }

  /** The Pod's address ({@code status.podIP}). */
  String ip() {
    return ip;
  }

  int octet() {
    return octet;
  }

  String veth() {
    return veth;
  }

  /** The command prefix that runs a program in the Pod's network namespace. */
  List<String> enter() {
    return enter;
  }

  /** Whether the namespace's holder still runs. */
  boolean alive() {
    return holder.isAlive();
  }

  /**
   * Waits until the holder has left the host's network namespace ({@code unshare} has run; Python
   * may still be starting: what is written to it meanwhile waits in the pipe).
   *
   * @throws IllegalStateException if it exited first or did not get there within 5 s
   */
  void awaitOwnNamespace() {
    Path host = Path.of("/proc/self/ns/net");
    Path own = Path.of("/proc/" + holder.pid() + "/ns/net");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    try {
      Path hostNamespace = Files.readSymbolicLink(host);
      while (holder.isAlive() && System.nanoTime() < deadline) {
        Path namespace = Files.readSymbolicLink(own);
        if (!namespace.equals(hostNamespace)) {
          this.namespace = namespace;
          return;
        }
        LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200));
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the Pod's network namespace: " + e, e);
    }
    throw new IllegalStateException(
        holder.isAlive()
            ? "the Pod's network holder did not leave the host's network namespace"
            : "the Pod's network holder exited at start");
  }

  boolean forwards(int port) {
    return forwarded.contains(port);
  }

  /**
   * Has the forwarder listen on {@code 127.0.0.1:port} in the Pod for each entry, relaying to the
   * Unix socket; returns once each listens.
   *
   * @throws IllegalStateException if the forwarder refuses a port or is gone
   */
  void forward(Map<Integer, Path> sockets) {
    try {
      for (Map.Entry<Integer, Path> entry : sockets.entrySet()) {
        commands.write("listen " + entry.getKey() + " " + entry.getValue() + "\n");
      }
      commands.flush();
      for (int i = 0; i < sockets.size(); i++) {
        Optional<String> reply = NodeNetwork.readUntil(replies, "ok ", "error ");
        if (reply.isEmpty()) {
          throw new IllegalStateException("the Pod's network holder exited");
        }
        String[] parts = reply.get().split(" ", 3);
        if (parts[0].equals("error")) {
          throw new IllegalStateException(
              "cannot forward 127.0.0.1:" + parts[1] + " into the Pod: " + parts[2]);
        }
        forwarded.add(Integer.parseInt(parts[1]));
      }
    } catch (IOException e) {
      throw new IllegalStateException("the Pod's network holder is gone: " + e.getMessage(), e);
    }
  }

  /**
   * SIGKILL to every process in the Pod's network namespace but the holder, as stopping a CRI Pod
   * sandbox does: catches a container process that lost its {@code bwrap} parent while starting.
   */
  void killProcesses() {
    Path target = namespace;
    if (target == null) {
      return;
    }
    ProcessHandle.allProcesses()
        .filter(p -> p.pid() != holder.pid())
        .filter(p -> target.equals(namespaceOf(p.pid())))
        .forEach(ProcessHandle::destroyForcibly);
  }

  private static Path namespaceOf(long pid) {
    try {
      return Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/net"));
    } catch (IOException | UnsupportedOperationException e) {
      return null; // gone, or not ours to read
    }
  }

  /** Ends the holder (its namespace goes once the Pod's processes are gone too). */
  void stop() {
    try {
      commands.close();
    } catch (IOException e) {
      // gone already
    }
    holder.destroyForcibly();
    try {
      holder.waitFor(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
