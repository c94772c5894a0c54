package cloud.krake.testing.controlplane;

import cloud.krake.testing.EtcdServer;
import cloud.krake.testing.internal.LocalProcesses;
import cloud.krake.testing.internal.LoopbackPorts;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.bouncycastle.util.IPAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kubernetes control plane for tests: etcd ({@link EtcdServer}, Debian's binary), and {@code
 * kube-apiserver}, {@code kube-controller-manager} and {@code kube-scheduler} of Kubernetes {@value
 * #KUBERNETES_RELEASE}, built from Kubernetes' Go modules by {@value #BUILD_SCRIPT}, each on free
 * loopback ports, with a PKI generated for this instance. No node runs: pods stay {@code Pending}
 * until a kubelet (the local kubelet) registers one with {@link #nodeCredentials(String)}.
 *
 * <p>Plain class, usable outside JUnit; {@link KubernetesControlPlaneExtension} wraps it for JUnit
 * 5. Several instances may run at once (two clusters): each has its own etcd, ports, PKI and
 * temporary directory.
 *
 * <pre>{@code
 * try (KubernetesControlPlane cluster = KubernetesControlPlane.builder().build()) {
 *   cluster.start();
 *   ApiClient client = ClientBuilder.kubeconfig(
 *       KubeConfig.loadKubeConfig(Files.newBufferedReader(cluster.kubeconfigFile()))).build();
 *   ...
 * }
 * }</pre>
 *
 * <p>{@link #start()} returns once the API server answers {@code GET /readyz}, the controller
 * manager and the scheduler answer {@code GET /healthz}, and the service-account controller has
 * created the {@code default} ServiceAccount of namespace {@code default} (before that, the API
 * server's ServiceAccount admission rejects pods). The set-up follows kubeadm's: authorization
 * {@code Node,RBAC} with the {@code NodeRestriction} admission plugin (the other admission plugins
 * are the API server's defaults), service-account tokens signed with an EC key ({@code
 * --service-account-signing-key-file}, issuer {@value #SERVICE_ACCOUNT_ISSUER}), the controller
 * manager with its own client certificate ({@code system:kube-controller-manager}) and one service
 * account per controller ({@code --use-service-account-credentials}), all controllers ({@code
 * --controllers=*}), no node CIDR allocation, no leader election, services in {@value
 * #SERVICE_CLUSTER_IP_RANGE}. The API server listens on and advertises {@code 127.0.0.1} only, an
 * address Kubernetes forbids in Endpoints: it runs with {@code --endpoint-reconciler-type=none}, so
 * the {@code kubernetes} Service of namespace {@code default} exists without Endpoints (pods that
 * call the API server need {@link #server()} instead). The API server calls kubelets ({@code logs},
 * {@code exec}) at a node's {@code InternalIP} with a client certificate of the cluster CA and
 * checks their serving certificate against the cluster CA.
 *
 * <p>The binaries are looked up, in order, in {@link Builder#binaryDirectory(Path)}, the system
 * property {@value #BINARY_DIRECTORY_PROPERTY}, the environment variable {@value
 * #BINARY_DIRECTORY_VARIABLE}, and {@code
 * ${KRAKE_CONTROL_PLANE_CACHE:-$HOME/.cache/krake/control-plane}/}{@value #KUBERNETES_RELEASE}
 * {@code /bin}, where {@value #BUILD_SCRIPT} puts them.
 *
 * <p>Each component's output goes to {@link #logFile(ControlPlaneComponent)}; a failed start quotes
 * the last lines of the component that failed. Keys are written with mode 600 into the temporary
 * directory and never logged.
 *
 * <p>Threading: the lifecycle methods are {@code synchronized}; the accessors may be called from
 * any thread.
 */
public final class KubernetesControlPlane implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(KubernetesControlPlane.class);

  /** The Kubernetes release whose binaries the fixture runs (control-plane/go.mod's). */
  public static final String KUBERNETES_RELEASE = "v1.37.2";

  /** The script, relative to the repository's root, that builds the binaries. */
  public static final String BUILD_SCRIPT = "scripts/build-control-plane.sh";

  /** System property naming the directory that holds the three binaries. */
  public static final String BINARY_DIRECTORY_PROPERTY = "krake.controlPlane.binaryDirectory";

  /** Environment variable naming the directory that holds the three binaries. */
  public static final String BINARY_DIRECTORY_VARIABLE = "KRAKE_CONTROL_PLANE_BIN";

  /** Environment variable naming the cache the build script builds into. */
  public static final String CACHE_VARIABLE = "KRAKE_CONTROL_PLANE_CACHE";

  /** The services' virtual IP range ({@code --service-cluster-ip-range}). */
  public static final String SERVICE_CLUSTER_IP_RANGE = "10.0.0.0/24";

  /** The IP of the {@code kubernetes} service in {@link #SERVICE_CLUSTER_IP_RANGE}. */
  public static final String KUBERNETES_SERVICE_IP = "10.0.0.1";

  /** The issuer of service-account tokens ({@code --service-account-issuer}). */
  public static final String SERVICE_ACCOUNT_ISSUER =
      "https://kubernetes.default.svc.cluster.local";

  /** The common name of the API server's client certificate for kubelet calls. */
  public static final String API_SERVER_KUBELET_CLIENT = "kube-apiserver-kubelet-client";

  /** How long {@link #start()} waits for the control plane to be ready by default: 120 s. */
  public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(120);

  /** How long {@link #stop()} waits after SIGTERM before it kills a process: 10 s. */
  public static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

  private static final String ADMIN = "krake-admin";
  private static final ObjectMapper json = new ObjectMapper();

  /** The three Kubernetes components the fixture runs, in start order. */
  public enum ControlPlaneComponent {
    /** {@code kube-apiserver}. */
    KUBE_APISERVER("kube-apiserver"),
    /** {@code kube-controller-manager}. */
    KUBE_CONTROLLER_MANAGER("kube-controller-manager"),
    /** {@code kube-scheduler}. */
    KUBE_SCHEDULER("kube-scheduler");

    private final String binaryName;

    ControlPlaneComponent(String binaryName) {
      this.binaryName = binaryName;
    }

    /** Returns the name of the binary (and of the command), e.g. {@code kube-apiserver}. */
    public String binaryName() {
      return binaryName;
    }
  }

  private final Map<ControlPlaneComponent, Path> binaries;
  private final Map<ControlPlaneComponent, List<String>> extraArguments;
  private final List<String> apiServerAddresses;
  private final Duration startupTimeout;
  private final Path directory;
  private final Path pkiDirectory;
  private final EtcdServer etcd;
  private final TestPki pki;
  private final CertificateAndKey admin;
  private final CertificateAndKey kubeletClient;
  private final ControlPlaneFiles files;
  private final Map<ControlPlaneComponent, Integer> ports;
  private final Map<ControlPlaneComponent, Path> logFiles;
  private final ObjectNode kubeconfig;
  private final Path kubeconfigFile;
  private final ControlPlaneProbe probe;

  // Guarded by this.
  private final Map<ControlPlaneComponent, Process> processes =
      new EnumMap<>(ControlPlaneComponent.class);
  private boolean closed;

  private KubernetesControlPlane(Builder builder) {
    Path binaryDirectory =
        builder.binaryDirectory.orElseGet(KubernetesControlPlane::binaryDirectory);
    Map<ControlPlaneComponent, Path> found = new EnumMap<>(ControlPlaneComponent.class);
    for (ControlPlaneComponent component : ControlPlaneComponent.values()) {
      Path binary = binaryDirectory.resolve(component.binaryName());
      if (!Files.isExecutable(binary)) {
        throw new IllegalStateException(
            component.binaryName()
                + " not found at "
                + binary
                + ": build Kubernetes "
                + KUBERNETES_RELEASE
                + "'s control plane with "
                + BUILD_SCRIPT
                + " (needs Go; scripts/setup.sh runs it), or name the directory holding"
                + " kube-apiserver, kube-controller-manager and kube-scheduler with -D"
                + BINARY_DIRECTORY_PROPERTY
                + " or $"
                + BINARY_DIRECTORY_VARIABLE);
      }
      found.put(component, binary);
    }
    this.binaries = Map.copyOf(found);
    this.extraArguments = Map.copyOf(builder.extraArguments);
    this.apiServerAddresses = List.copyOf(builder.apiServerAddresses);
    this.startupTimeout = builder.startupTimeout;
    EtcdServer.Builder etcdBuilder = EtcdServer.builder().startupTimeout(builder.startupTimeout);
    builder.etcdBinary.ifPresent(etcdBuilder::binary);
    this.etcd = etcdBuilder.build();
    try {
      this.directory = Files.createTempDirectory("krake-control-plane-");
      this.pkiDirectory = Files.createDirectory(directory.resolve("pki"));
      Files.createDirectory(directory.resolve("logs"));
      int[] free = LoopbackPorts.free(ControlPlaneComponent.values().length);
      Map<ControlPlaneComponent, Integer> assigned = new EnumMap<>(ControlPlaneComponent.class);
      Map<ControlPlaneComponent, Path> logs = new EnumMap<>(ControlPlaneComponent.class);
      for (ControlPlaneComponent component : ControlPlaneComponent.values()) {
        assigned.put(component, free[component.ordinal()]);
        logs.put(component, directory.resolve("logs").resolve(component.binaryName() + ".log"));
      }
      this.ports = Map.copyOf(assigned);
      this.logFiles = Map.copyOf(logs);
      this.pki =
          TestPki.create(
              "krake-test-kubernetes-ca-" + ports.get(ControlPlaneComponent.KUBE_APISERVER));
      this.admin = pki.client(ADMIN, List.of("system:masters"));
      this.kubeletClient = pki.client(API_SERVER_KUBELET_CLIENT, List.of("system:masters"));
      this.files =
          new ControlPlaneFiles(
              directory, pkiDirectory, pki, kubeletClient, ports, apiServerAddresses, server());
      this.kubeconfig = files.kubeconfig(ADMIN, admin);
      this.kubeconfigFile = directory.resolve("admin.kubeconfig");
      ControlPlaneFiles.writeSecret(
          kubeconfigFile, json.writerWithDefaultPrettyPrinter().writeValueAsString(kubeconfig));
      files.write();
    } catch (IOException | RuntimeException e) {
      etcd.close();
      throw e instanceof IOException io
          ? new UncheckedIOException("cannot prepare the control plane's temporary directory", io)
          : (RuntimeException) e;
    }
    this.probe = new ControlPlaneProbe(pki.ca(), admin);
  }

  /** Returns a builder with the default binaries and startup timeout. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the directory the binaries are taken from when {@link Builder#binaryDirectory(Path)} is
   * not set: the system property {@value #BINARY_DIRECTORY_PROPERTY}, else the environment variable
   * {@value #BINARY_DIRECTORY_VARIABLE}, else the build script's cache for {@value
   * #KUBERNETES_RELEASE}. The directory may not exist.
   */
  public static Path binaryDirectory() {
    return binaryDirectory(
        System.getProperty(BINARY_DIRECTORY_PROPERTY),
        System.getenv(BINARY_DIRECTORY_VARIABLE),
        System.getenv(CACHE_VARIABLE),
        System.getProperty("user.home"));
  }

  static Path binaryDirectory(String property, String variable, String cache, String home) {
    if (property != null && !property.isBlank()) {
      return Path.of(property);
    }
    if (variable != null && !variable.isBlank()) {
      return Path.of(variable);
    }
    Path root =
        cache != null && !cache.isBlank()
            ? Path.of(cache)
            : Path.of(home, ".cache", "krake", "control-plane");
    return root.resolve(KUBERNETES_RELEASE).resolve("bin");
  }

  /**
   * Starts etcd, the API server, the controller manager and the scheduler, and waits until they are
   * ready (see the class comment). A call while it runs does nothing; a call after {@link #stop()}
   * starts the components again on the same ports with the same data.
   *
   * @return this control plane
   * @throws IllegalStateException if it was closed, a component exited, or it was not ready within
   *     the startup timeout (the message quotes the end of the failing component's log)
   * @throws UncheckedIOException if a process cannot be launched
   */
  public synchronized KubernetesControlPlane start() {
    if (closed) {
      throw new IllegalStateException("control plane was closed");
    }
    if (running()) {
      return this;
    }
    long started = System.nanoTime();
    long deadline = started + startupTimeout.toNanos();
    long etcdReady;
    long apiServerReady;
    try {
      etcd.start();
      etcdReady = System.nanoTime();
      launch(ControlPlaneComponent.KUBE_APISERVER);
      awaitOk(ControlPlaneComponent.KUBE_APISERVER, "/readyz", deadline);
      apiServerReady = System.nanoTime();
      // Only now: they exit when the RBAC roles the API server bootstraps are not there yet.
      launch(ControlPlaneComponent.KUBE_CONTROLLER_MANAGER);
      launch(ControlPlaneComponent.KUBE_SCHEDULER);
      awaitOk(ControlPlaneComponent.KUBE_CONTROLLER_MANAGER, "/healthz", deadline);
      awaitOk(ControlPlaneComponent.KUBE_SCHEDULER, "/healthz", deadline);
      awaitOk(
          ControlPlaneComponent.KUBE_APISERVER,
          "/api/v1/namespaces/default/serviceaccounts/default",
          deadline);
    } catch (RuntimeException e) {
      stop();
      throw e;
    }
    long ready = System.nanoTime();
    log.info(
        "Kubernetes {} control plane started at {} in {} ms (etcd {} ms, API server ready {} ms"
            + " later, controllers and default ServiceAccount {} ms later; files in {})",
        KUBERNETES_RELEASE,
        server(),
        TimeUnit.NANOSECONDS.toMillis(ready - started),
        TimeUnit.NANOSECONDS.toMillis(etcdReady - started),
        TimeUnit.NANOSECONDS.toMillis(apiServerReady - etcdReady),
        TimeUnit.NANOSECONDS.toMillis(ready - apiServerReady),
        directory);
    return this;
  }

  /**
   * Stops the scheduler, the controller manager, the API server (SIGTERM, then a kill after {@link
   * #STOP_TIMEOUT}) and etcd. The data stays, so {@link #start()} resumes with it. Does nothing for
   * components that are not running.
   */
  public synchronized void stop() {
    List<Process> stopping = new ArrayList<>();
    ControlPlaneComponent[] components = ControlPlaneComponent.values();
    for (int i = components.length - 1; i >= 0; i--) {
      Process process = processes.remove(components[i]);
      if (process != null) {
        stopping.add(process);
      }
    }
    LocalProcesses.stop(stopping, STOP_TIMEOUT);
    etcd.stop();
    if (!stopping.isEmpty()) {
      log.info("Kubernetes control plane at {} stopped", server());
    }
  }

  /** Returns whether all three components and etcd are running. */
  public synchronized boolean running() {
    if (!etcd.running() || processes.size() != ControlPlaneComponent.values().length) {
      return false;
    }
    return processes.values().stream().allMatch(Process::isAlive);
  }

  /**
   * Stops everything and deletes the temporary directories (data, PKI, kubeconfigs, logs).
   * Idempotent; the control plane cannot be started again.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    stop();
    closed = true;
    etcd.close();
    probe.close();
    try (Stream<Path> files = Files.walk(directory)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      log.warn("cannot delete {}: {}", directory, e.toString());
    }
  }

  /** Returns the API server's URL, {@code https://127.0.0.1:<port>}; stable across restarts. */
  public URI server() {
    return URI.create("https://127.0.0.1:" + ports.get(ControlPlaneComponent.KUBE_APISERVER));
  }

  /**
   * Returns a kubeconfig for a cluster administrator (user {@code krake-admin} in group {@code
   * system:masters}) with the CA, client certificate and key embedded ({@code *-data}); a copy on
   * each call.
   */
  public ObjectNode kubeconfig() {
    return kubeconfig.deepCopy();
  }

  /** Returns {@link #kubeconfig()} as a file (JSON, mode 600) in the temporary directory. */
  public Path kubeconfigFile() {
    return kubeconfigFile;
  }

  /**
   * Returns a kubeconfig for a new client certificate of the cluster CA: Kubernetes takes the user
   * from its common name and the groups from its organizations (authorized by RBAC).
   *
   * @param user the user name, e.g. {@code jane}
   * @param groups the groups, e.g. {@code system:masters}; may be empty
   * @return the kubeconfig with embedded credentials
   */
  public ObjectNode kubeconfig(String user, List<String> groups) {
    Objects.requireNonNull(user, "user");
    List<String> copy = List.copyOf(Objects.requireNonNull(groups, "groups"));
    return files.kubeconfig(user, pki.client(user, copy));
  }

  /** Returns the cluster CA's certificate as PEM (it signed the API server's certificate). */
  public String caCertificatePem() {
    return pki.ca().certificatePem();
  }

  /** Returns {@link #caCertificatePem()} as a file. */
  public Path caCertificateFile() {
    return pkiDirectory.resolve("ca.crt");
  }

  /** Returns the administrator's client certificate and key (see {@link #kubeconfig()}). */
  public CertificateAndKey adminCredentials() {
    return admin;
  }

  /**
   * Issues what a kubelet needs to be the node {@code nodeName} (see {@link NodeCredentials}).
   *
   * @param nodeName the node's name, a DNS-1123 subdomain
   * @return fresh certificates and a kubeconfig for the node
   */
  public NodeCredentials nodeCredentials(String nodeName) {
    Objects.requireNonNull(nodeName, "nodeName");
    CertificateAndKey client = pki.client("system:node:" + nodeName, List.of("system:nodes"));
    CertificateAndKey serving =
        pki.server(nodeName, List.of("localhost", nodeName), List.of("127.0.0.1"));
    return new NodeCredentials(
        nodeName,
        server(),
        caCertificatePem(),
        client,
        serving,
        caCertificatePem(),
        API_SERVER_KUBELET_CLIENT,
        files.kubeconfig("system:node:" + nodeName, client));
  }

  /** Returns the binary run for a component. */
  public Path binary(ControlPlaneComponent component) {
    return binaries.get(Objects.requireNonNull(component, "component"));
  }

  /** Returns the loopback port a component serves HTTPS on. */
  public int port(ControlPlaneComponent component) {
    return ports.get(Objects.requireNonNull(component, "component"));
  }

  /** Returns the file that collects a component's output. */
  public Path logFile(ControlPlaneComponent component) {
    return logFiles.get(Objects.requireNonNull(component, "component"));
  }

  /**
   * Returns the process id of a running component, for example to measure its memory.
   *
   * @return the pid, or empty when the component is not running
   */
  public synchronized Optional<Long> pid(ControlPlaneComponent component) {
    Process process = processes.get(Objects.requireNonNull(component, "component"));
    return process != null && process.isAlive() ? Optional.of(process.pid()) : Optional.empty();
  }

  /** Returns the control plane's etcd. */
  public EtcdServer etcd() {
    return etcd;
  }

  /** Returns the temporary directory (PKI, kubeconfigs, logs), deleted by {@link #close()}. */
  public Path directory() {
    return directory;
  }

  private void launch(ControlPlaneComponent component) {
    List<String> command = new ArrayList<>();
    command.add(binaries.get(component).toString());
    command.addAll(files.arguments(component, etcd.endpoint().toString()));
    command.addAll(extraArguments.getOrDefault(component, List.of()));
    processes.put(component, LocalProcesses.launch(command, logFiles.get(component)));
  }

  private void awaitOk(ControlPlaneComponent component, String path, long deadline) {
    probe.awaitOk(
        component,
        ports.get(component),
        path,
        processes.get(component),
        deadline,
        startupTimeout,
        () -> logTail(component));
  }

  private String logTail(ControlPlaneComponent component) {
    return LocalProcesses.logTail(logFiles.get(component));
  }

  /** Builds a {@link KubernetesControlPlane}; not thread-safe. */
  public static final class Builder {
    private Optional<Path> binaryDirectory = Optional.empty();
    private Optional<Path> etcdBinary = Optional.empty();
    private Duration startupTimeout = DEFAULT_STARTUP_TIMEOUT;
    private final Map<ControlPlaneComponent, List<String>> extraArguments = new LinkedHashMap<>();
    private final List<String> apiServerAddresses = new ArrayList<>();

    private Builder() {}

    /**
     * The directory holding {@code kube-apiserver}, {@code kube-controller-manager} and {@code
     * kube-scheduler} (default {@link KubernetesControlPlane#binaryDirectory()}).
     *
     * @param binaryDirectory the directory
     * @return this builder
     */
    public Builder binaryDirectory(Path binaryDirectory) {
      this.binaryDirectory =
          Optional.of(Objects.requireNonNull(binaryDirectory, "binaryDirectory"));
      return this;
    }

    /**
     * The etcd binary (default {@link EtcdServer}'s: Debian's {@code /usr/bin/etcd}).
     *
     * @param etcdBinary the executable
     * @return this builder
     */
    public Builder etcdBinary(Path etcdBinary) {
      this.etcdBinary = Optional.of(Objects.requireNonNull(etcdBinary, "etcdBinary"));
      return this;
    }

    /**
     * How long {@link KubernetesControlPlane#start()} waits for everything to be ready, etcd
     * included (default {@link KubernetesControlPlane#DEFAULT_STARTUP_TIMEOUT}).
     *
     * @param startupTimeout a positive duration
     * @return this builder
     * @throws IllegalArgumentException if the duration is not positive
     */
    public Builder startupTimeout(Duration startupTimeout) {
      Objects.requireNonNull(startupTimeout, "startupTimeout");
      if (startupTimeout.isNegative() || startupTimeout.isZero()) {
        throw new IllegalArgumentException("startupTimeout must be positive: " + startupTimeout);
      }
      this.startupTimeout = startupTimeout;
      return this;
    }

    /**
     * Adds IP addresses to the API server's serving certificate (besides {@code 127.0.0.1} and
     * {@link KubernetesControlPlane#KUBERNETES_SERVICE_IP}), for clients that reach it at another
     * address of the host, such as pods behind a bridge; the API server listens there only with
     * {@code arguments(ControlPlaneComponent.KUBE_APISERVER, "--bind-address=0.0.0.0")}.
     *
     * @param ipAddresses IPv4 or IPv6 literals
     * @return this builder
     * @throws IllegalArgumentException if one is not an IP literal
     */
    public Builder apiServerAddresses(String... ipAddresses) {
      for (String address : ipAddresses) {
        Objects.requireNonNull(address, "ipAddresses");
        if (!IPAddress.isValid(address)) {
          throw new IllegalArgumentException("apiServerAddresses: not an IP address: " + address);
        }
        apiServerAddresses.add(address);
      }
      return this;
    }

    /**
     * Adds command-line flags for a component, after the fixture's own (a later flag wins), e.g.
     * {@code argument(ControlPlaneComponent.KUBE_APISERVER, "--feature-gates=SomeGate=true")}.
     *
     * @param component the component
     * @param arguments the flags
     * @return this builder
     */
    public Builder arguments(ControlPlaneComponent component, String... arguments) {
      Objects.requireNonNull(component, "component");
      List<String> list = new ArrayList<>(extraArguments.getOrDefault(component, List.of()));
      for (String argument : arguments) {
        list.add(Objects.requireNonNull(argument, "arguments"));
      }
      extraArguments.put(component, List.copyOf(list));
      return this;
    }

    /**
     * Creates the control plane (ports, temporary directory, PKI, kubeconfigs) without starting it.
     *
     * @return the control plane; call {@link KubernetesControlPlane#start()}
     * @throws IllegalStateException if a binary is missing (the message names it and the build
     *     script), or etcd is not installed
     * @throws UncheckedIOException if the temporary directory cannot be prepared
     */
    public KubernetesControlPlane build() {
      return new KubernetesControlPlane(this);
    }
  }
}
