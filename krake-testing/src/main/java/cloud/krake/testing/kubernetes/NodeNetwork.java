package cloud.krake.testing.kubernetes;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local kubelet's node network when Pods are isolated, as a CNI bridge plugin and the CRI's Pod
 * sandboxes set it up: a Linux bridge {@code kkbr<N>} with the host at {@code 10.244.<N>.1/24}
 * (standing in for {@code cni0}); per Pod a network namespace held by a "pause" process, joined to
 * the bridge by a veth pair ({@code kk<N>v<seq>} on the host, {@code eth0} in the Pod) with its own
 * address {@code 10.244.<N>.<2..254>} and a default route through the host.
 *
 * <p>The pause process is Python's {@code pod-forwarder.py}: it also relays the host's loopback
 * ports a Pod needs (a Pod's {@code 127.0.0.1} is its own) through Unix sockets this class serves
 * from the host's network, one per port and kubelet ({@link #hostSocket}). It is started with
 * {@code unshare --net} and {@code setpriv --pdeathsig KILL}, so it, the namespace and the Pod's
 * end of the veth pair go away with the JVM even when nothing is closed; a bridge left by a JVM
 * that died is deleted by the next kubelet (each bridge's alias names its owner's pid).
 *
 * <p>Needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN), iproute2's {@code ip}, util-linux's {@code
 * nsenter}, {@code unshare} and {@code setpriv}, and {@code python3}. Thread-safe (synchronized);
 * every method may start short-lived {@code ip} processes.
 */
final class NodeNetwork implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NodeNetwork.class);

  /** The first two octets of every Pod subnet (Flannel's default cluster CIDR, 10.244.0.0/16). */
  static final String SUBNET_PREFIX = "10.244.";

  /** The prefix of the bridges' names (then the subnet's third octet). */
  static final String BRIDGE_PREFIX = "kkbr";

  private static final String OWNER = "krake-kubelet:";
  private static final Pattern LINK = Pattern.compile("^\\d+: ([^:@ ]+)[@:]");
  private static final Pattern ALIAS = Pattern.compile(" alias (\\S+)");
  private static final Pattern BRIDGE = Pattern.compile("kkbr(\\d{1,3})");
  private static final Pattern VETH = Pattern.compile("kk(\\d{1,3})v\\d+");
  private static final Pattern ADDRESS = Pattern.compile(" inet 10\\.244\\.(\\d{1,3})\\.");
  private static final long COMMAND_TIMEOUT_SECONDS = 10;
  private static final int MAX_SEQUENCE = 99_999;

  /** The executables it runs. */
  record Tools(Path ip, Path nsenter, Path unshare, Path setpriv, Path python) {}

  private final Tools tools;
  private final String cluster;
  private final int subnet;
  private final String bridge;
  private final Path directory;
  private final Path forwarder;
  private final Relay relay;

  // Guarded by this
  private final BitSet addresses = new BitSet(256);
  private final Map<Integer, Relay.Listener> hostSockets = new HashMap<>();
  private final Set<PodSandbox> sandboxes = new LinkedHashSet<>();
  private int sequence;
  private boolean closed;

  private NodeNetwork(
      Tools tools, String cluster, int subnet, Path directory, Path forwarder, Relay relay) {
    this.tools = tools;
    this.cluster = cluster;
    this.subnet = subnet;
    this.bridge = BRIDGE_PREFIX + subnet;
    this.directory = directory;
    this.forwarder = forwarder;
    this.relay = relay;
  }

  /**
   * Finds the tools, or says what is missing.
   *
   * @param python the {@code python3} to run the forwarder with
   * @return the tools, or the reason isolated Pods cannot run here
   */
  static Tools tools(Path python) throws UnavailableException {
    if (!root()) {
      throw new UnavailableException("not running as root (network namespaces need CAP_NET_ADMIN)");
    }
    List<String> missing = new ArrayList<>();
    Path ip = executable("ip", missing);
    Path nsenter = executable("nsenter", missing);
    Path unshare = executable("unshare", missing);
    Path setpriv = executable("setpriv", missing);
    if (!Files.isExecutable(python)) {
      missing.add(python.toString());
    }
    if (!missing.isEmpty()) {
      throw new UnavailableException("missing " + String.join(", ", missing));
    }
    return new Tools(ip, nsenter, unshare, setpriv, python);
  }

  /** Why isolated Pod networking is not available. */
  static final class UnavailableException extends Exception {
    private static final long serialVersionUID = 1L;

    UnavailableException(String message) {
      super(message);
    }
  }

  static boolean root() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          return line.split("\\s+")[2].equals("0");
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return false;
  }

  static Path executable(String name, List<String> missing) {
    List<String> directories = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      directories.addAll(List.of(path.split(":")));
    }
    directories.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
    for (String directory : directories) {
      if (directory.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(directory, name);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    missing.add(name);
    return Path.of(name);
  }

  /**
   * Deletes the bridges (and host veth ends) of kubelets whose JVM is gone, then creates this
   * kubelet's bridge on the first free subnet.
   *
   * @param directory where the forwarder script and the host ports' Unix sockets go (short: a
   *     socket path has at most 107 bytes)
   * @throws UnavailableException if the bridge cannot be created (no permission, no free subnet)
   */
  static NodeNetwork create(Tools tools, String cluster, Path directory, Relay relay)
      throws UnavailableException {
    Path forwarder;
    try {
      Files.createDirectories(directory);
      forwarder = directory.resolve("pod-forwarder.py");
      try (InputStream script = NodeNetwork.class.getResourceAsStream("pod-forwarder.py")) {
        if (script == null) {
          throw new UnavailableException("pod-forwarder.py is not on the class path");
        }
        Files.write(forwarder, script.readAllBytes());
      }
    } catch (IOException e) {
      throw new UnavailableException("cannot write the Pod forwarder: " + e.getMessage());
    }
    Set<Integer> used = new TreeSet<>();
    String links;
    try {
      links = run(tools, List.of(tools.ip().toString(), "-o", "link", "show"), "");
      deleteStale(tools, links, used);
      for (Matcher m =
              ADDRESS.matcher(
                  run(tools, List.of(tools.ip().toString(), "-o", "-4", "addr", "show"), ""));
          m.find(); ) {
        used.add(Integer.parseInt(m.group(1)));
      }
    } catch (CommandException e) {
      throw new UnavailableException(e.getMessage());
    }
    String alias =
        OWNER + ProcessHandle.current().pid() + ":" + cluster.replaceAll("[^\\w.-]", "_");
    CommandException last = null;
    for (int n = 0; n < 256; n++) {
      if (used.contains(n)) {
        continue;
      }
      String bridge = BRIDGE_PREFIX + n;
      try {
        run(tools, List.of(tools.ip().toString(), "link", "add", bridge, "type", "bridge"), "");
      } catch (CommandException e) {
        last = e;
        if (e.getMessage().contains("File exists")) {
          continue; // taken by a kubelet starting in another JVM
        }
        throw new UnavailableException(e.getMessage());
      }
      try {
        ip(
            tools,
            "link set " + bridge + " alias " + alias,
            "addr add " + SUBNET_PREFIX + n + ".1/24 dev " + bridge,
            "link set " + bridge + " up");
      } catch (CommandException e) {
        deleteLink(tools, bridge);
        throw new UnavailableException(e.getMessage());
      }
      log.debug("Local kubelet for {}: bridge {} at {}{}.1/24", cluster, bridge, SUBNET_PREFIX, n);
      return new NodeNetwork(tools, cluster, n, directory, forwarder, relay);
    }
    throw new UnavailableException(
        "no free Pod subnet in " + SUBNET_PREFIX + "0.0/16" + (last == null ? "" : ": " + last));
  }

  /** Deletes the links of kubelets whose JVM is gone; collects the subnets of the others. */
  private static void deleteStale(Tools tools, String links, Set<Integer> used) {
    Set<Integer> stale = new TreeSet<>();
    Set<Integer> live = new TreeSet<>();
    List<String[]> veths = new ArrayList<>();
    for (String line : links.split("\n")) {
      Matcher name = LINK.matcher(line);
      if (!name.find()) {
        continue;
      }
      Matcher bridge = BRIDGE.matcher(name.group(1));
      Matcher veth = VETH.matcher(name.group(1));
      if (bridge.matches()) {
        int n = Integer.parseInt(bridge.group(1));
        Matcher alias = ALIAS.matcher(line);
        if (alias.find() && alias.group(1).startsWith(OWNER) && !alive(alias.group(1))) {
          stale.add(n);
        } else {
          live.add(n);
        }
      } else if (veth.matches()) {
        veths.add(new String[] {name.group(1), veth.group(1)});
      }
    }
    for (String[] veth : veths) {
      int n = Integer.parseInt(veth[1]);
      if (!live.contains(n)) {
        deleteLink(tools, veth[0]);
      }
    }
    for (int n : stale) {
      log.info("Local kubelet: deleting bridge {}{} left by a JVM that is gone", BRIDGE_PREFIX, n);
      deleteLink(tools, BRIDGE_PREFIX + n);
    }
    used.addAll(live);
  }

  private static boolean alive(String owner) {
    String[] parts = owner.substring(OWNER.length()).split(":", 2);
    try {
      return ProcessHandle.of(Long.parseLong(parts[0])).map(ProcessHandle::isAlive).orElse(false);
    } catch (NumberFormatException e) {
      return true; // not ours to judge
    }
  }

  /** The bridge's name. */
  String bridge() {
    return bridge;
  }

  /** The host's address on the bridge, the Pods' gateway. */
  String gateway() {
    return SUBNET_PREFIX + subnet + ".1";
  }

  /**
   * Creates a Pod's sandbox: a network namespace held by a forwarder process, a veth pair to the
   * bridge, the Pod's address, loopback up and a default route.
   *
   * @param pod {@code namespace/name}, for messages
   * @throws IllegalStateException if the namespace cannot be set up (the message says why)
   */
  synchronized PodSandbox open(String pod) {
    if (closed) {
      throw new IllegalStateException("the kubelet's network is closed");
    }
    int octet = addresses.nextClearBit(2);
    if (octet > 254) {
      throw new IllegalStateException("no free Pod address in " + SUBNET_PREFIX + subnet + ".0/24");
    }
    sequence = sequence >= MAX_SEQUENCE ? 0 : sequence + 1;
    String veth = "kk" + subnet + "v" + sequence;
    String ip = SUBNET_PREFIX + subnet + "." + octet;
    Process holder;
    try {
      ProcessBuilder builder =
          new ProcessBuilder(
                  tools.unshare().toString(),
                  "--net",
                  "--",
                  tools.setpriv().toString(),
                  "--pdeathsig",
                  "KILL",
                  "--",
                  tools.python().toString(),
                  "-I",
                  "-S",
                  "-u",
                  forwarder.toString())
              .redirectErrorStream(true);
      builder.environment().clear();
      builder.environment().put("PATH", "/usr/local/bin:/usr/bin:/bin");
      holder = builder.start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the Pod's network holder: " + e.getMessage());
    }
    PodSandbox sandbox = new PodSandbox(pod, ip, octet, veth, holder, tools.nsenter());
    try {
      sandbox.awaitOwnNamespace();
      ip(
          tools,
          "link add " + veth + " type veth peer name eth0 netns " + holder.pid(),
          "link set " + veth + " master " + bridge + " up");
      List<String> configure = new ArrayList<>(sandbox.enter());
      configure.addAll(List.of(tools.ip().toString(), "-batch", "-"));
      run(
          tools,
          configure,
          String.join(
              "\n",
              "link set lo up",
              "addr add " + ip + "/24 dev eth0",
              "link set eth0 up",
              "route add default via " + gateway(),
              ""));
    } catch (CommandException | IllegalStateException e) {
      sandbox.stop();
      deleteLink(tools, veth);
      throw new IllegalStateException("cannot set up the Pod's network: " + e.getMessage());
    }
    addresses.set(octet);
    sandboxes.add(sandbox);
    log.debug("Pod {}: network namespace of pid {} at {} ({})", pod, holder.pid(), ip, veth);
    return sandbox;
  }

  /**
   * Makes the host's {@code 127.0.0.1:port} reachable from the sandbox's {@code 127.0.0.1:port}.
   *
   * @throws IllegalStateException if the port cannot be relayed
   */
  synchronized void forward(PodSandbox sandbox, Set<Integer> ports) {
    Map<Integer, Path> sockets = new HashMap<>();
    for (int port : ports) {
      if (!sandbox.forwards(port)) {
        sockets.put(port, hostSocket(port));
      }
    }
    if (!sockets.isEmpty()) {
      sandbox.forward(sockets);
    }
  }

  /** The Unix socket relaying to the host's {@code 127.0.0.1:port} (created once). */
  private Path hostSocket(int port) {
    Path socket = directory.resolve("h" + port + ".sock");
    if (!hostSockets.containsKey(port)) {
      InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
      try {
        hostSockets.put(
            port, relay.listen(UnixDomainSocketAddress.of(socket), () -> Optional.of(target)));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot serve " + socket, e);
      }
    }
    return socket;
  }

  /** Stops the sandbox's holder, deletes its veth pair and frees its address; idempotent. */
  synchronized void release(PodSandbox sandbox) {
    if (!sandboxes.remove(sandbox)) {
      return;
    }
    sandbox.stop();
    deleteLink(tools, sandbox.veth());
    addresses.clear(sandbox.octet());
    log.debug("Pod {}: network released ({})", sandbox.pod(), sandbox.ip());
  }

  /** Releases every sandbox, stops the host sockets and deletes the bridge; idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (PodSandbox sandbox : new ArrayList<>(sandboxes)) {
      release(sandbox);
    }
    hostSockets.values().forEach(Relay.Listener::close);
    hostSockets.clear();
    deleteLink(tools, bridge);
    log.debug("Local kubelet for {}: bridge {} deleted", cluster, bridge);
  }

  // ------------------------------------------------------------------------------ commands

  /** A command that failed; the message has the command and its output. */
  static final class CommandException extends Exception {
    private static final long serialVersionUID = 1L;

    CommandException(String message) {
      super(message);
    }
  }

  private static void ip(Tools tools, String... batch) throws CommandException {
    run(tools, List.of(tools.ip().toString(), "-batch", "-"), String.join("\n", batch) + "\n");
  }

  private static void deleteLink(Tools tools, String link) {
    try {
      run(tools, List.of(tools.ip().toString(), "link", "del", link), "");
    } catch (CommandException e) {
      log.debug("{}", e.getMessage()); // gone already
    }
  }

  /** Runs a command to completion and returns its output (stdout and stderr). */
  static String run(Tools tools, List<String> command, String stdin) throws CommandException {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      try (OutputStream input = process.getOutputStream()) {
        input.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
      String output;
      try (InputStream out = process.getInputStream()) {
        output = new String(out.readAllBytes(), StandardCharsets.UTF_8);
      }
      if (!process.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new CommandException(String.join(" ", command) + " did not finish");
      }
      if (process.exitValue() != 0) {
        throw new CommandException(
            String.join(" ", command)
                + (stdin.isEmpty() ? "" : " <<< " + stdin.strip().replace('\n', ';'))
                + " failed: "
                + output.strip());
      }
      return output;
    } catch (IOException e) {
      throw new CommandException(String.join(" ", command) + " failed: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CommandException(String.join(" ", command) + " interrupted");
    }
  }

  /** Reads lines until one starts with {@code prefix}; empty at end of stream. */
  static Optional<String> readUntil(BufferedReader reader, String... prefixes) throws IOException {
    String line;
    while ((line = reader.readLine()) != null) {
      for (String prefix : prefixes) {
        if (line.startsWith(prefix)) {
          return Optional.of(line);
        }
      }
      log.debug("Pod forwarder: {}", line);
    }
    return Optional.empty();
  }

  static BufferedReader reader(Process process) {
    return new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
  }

  static Writer writer(Process process) {
    return new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
  }
}
