package cloud.krake.testing.kubernetes;

import cloud.krake.runtime.Timer;
import cloud.krake.testing.controlplane.KubernetesControlPlane;
import cloud.krake.testing.controlplane.NodeCredentials;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A kubelet (and controller manager) for a {@link FakeKubernetesApiServer} ({@link #builder}), or a
 * kubelet that joins a real API server as a Node ({@link #forControlPlane}, {@link #forApiServer}:
 * see "A node of a real API server" below): the Pods of the cluster run as local processes (in a
 * bubblewrap sandbox where it is installed), so that what an application's Pods do (call a hook
 * endpoint, trap SIGTERM, answer an exec) really happens in tests.
 *
 * <pre>{@code
 * try (FakeKubernetesApiServer cluster = FakeKubernetesApiServer.builder().build();
 *     LocalKubelet kubelet = LocalKubelet.builder(cluster).build()) {
 *   cluster.put(pod);   // a Pod whose command is sh -c 'echo $GREETING'
 *   await().until(() -> phase(cluster.get("v1", "Pod", "default", "hello")), is("Succeeded"));
 *   assertThat(kubelet.logs("default", "hello", "main")).contains("hi");
 * }
 * }</pre>
 *
 * <h2>What it runs</h2>
 *
 * For every Pod, as the kubelet: the environment ({@code env} with {@code value}, {@code
 * secretKeyRef}, {@code configMapKeyRef}, {@code fieldRef} on {@code metadata.name}, {@code
 * metadata.namespace} and a few more, {@code envFrom}, {@code $(VAR)} expansion; a missing Secret,
 * ConfigMap or key leaves the container waiting with {@code CreateContainerConfigError} until it
 * appears), the volumes ({@code secret}, {@code configMap} with {@code items}, {@code defaultMode}
 * and {@code mode}; {@code projected} of {@code secret} and {@code configMap} sources; {@code
 * emptyDir}; {@code persistentVolumeClaim} as a directory per claim kept by the kubelet; {@code
 * hostPath} read-only; other sources empty; a missing Secret or ConfigMap leaves the Pod {@code
 * ContainerCreating}), then each container's {@code command} and {@code args}. <b>The image is
 * ignored</b> (logged once per image): the command runs on the host's userland, so it must exist
 * there; a container without {@code command} and {@code args} runs {@link Builder#defaultCommand}
 * ({@code sleep infinity}), standing in for the image's entrypoint.
 *
 * <h2>Isolation</h2>
 *
 * {@link PodIsolation}, chosen by {@link Builder#podIsolation} (default {@link PodIsolation#AUTO}:
 * bubblewrap where {@link Builder#bwrap} is executable, else plain processes) and said in one log
 * line when the kubelet is built ({@link #isolation()}, {@code WARN} where a default fell back).
 *
 * <p>{@link PodIsolation#BUBBLEWRAP} ({@code bwrap}, Debian {@code bubblewrap}): the host's root
 * read-only, a private {@code /dev}, {@code /proc} and {@code /tmp} (one per container, shared with
 * its execs), the volumes bind-mounted at their {@code mountPath}s ({@code subPath}, {@code
 * readOnly}; secret, configMap and projected volumes read-only), the working directory {@code
 * workingDir} or {@code /}, a PID namespace in which the command is PID 1 (so, as in a container,
 * it ignores SIGTERM unless it traps it). Processes run as the JVM's user, without resource limits.
 * {@code KUBERNETES_SERVICE_HOST}/{@code _PORT} point at the fake (plain HTTP) at {@value #POD_IP}.
 *
 * <p>{@link PodIsolation#PLAIN_PROCESS}: plain local processes on the host's root file system,
 * read-write. As root with util-linux {@code unshare}, each container and exec gets private mount
 * and PID namespaces: the volumes bind-mounted at their {@code mountPath}s (read-only where they
 * are), its own {@code /tmp}, a fresh {@code /proc}, the command as PID 1; a mount path missing on
 * the host is created there as an empty directory and removed on {@link #close()} if still empty.
 * Otherwise the processes share the host's mounts, PIDs and {@code /tmp}, and a container with a
 * volume mounted anywhere but at its source path waits with {@code RunContainerError}. The network
 * is the same in both modes (below).
 *
 * <h2>Network</h2>
 *
 * {@link PodNetwork#ISOLATED} (the default where it is available): as on a real node, each Pod has
 * its own network namespace, shared by its containers and by {@code exec}s into it, held by a
 * per-Pod "pause" process as the CRI's Pod sandbox is, with its own address on the kubelet's bridge
 * ({@code kkbr<N>}, the host at {@code 10.244.<N>.1/24}, one subnet per kubelet; a CNI bridge's
 * {@code cni0}) reported as {@code status.podIP}/{@code podIPs} ({@code hostIP} stays {@value
 * #POD_IP}). So two Pods, on one kubelet or on the kubelets of two fake clusters, can both listen
 * on port 10000, as Krake's {@code hook-shutdown.yaml} does when it migrates; Pods reach each other
 * and the host reaches them at their addresses. A Pod's {@code 127.0.0.1} is its own, so the host's
 * loopback services a Pod is configured with are relayed into it (a Unix socket per port): the API
 * server's port, every {@code 127.0.0.1:<port>} or {@code localhost:<port>} in a container's
 * environment values (the hook endpoint's {@code KRAKE_COMPLETE_URL} and {@code
 * KRAKE_SHUTDOWN_URL}), and {@link Builder#hostPorts}. Pods with {@code hostNetwork: true} stay on
 * the host's network. Needs root, iproute2 ({@code ip}), util-linux ({@code nsenter}, {@code
 * unshare}, {@code setpriv}) and {@link Builder#python python3}; without them the kubelet logs one
 * warning and runs {@link PodNetwork#HOST}: every Pod on the host's network with address {@value
 * #POD_IP}, as before. The bridge, each Pod's namespace and veth pair are removed when the Pod is
 * gone and on {@link #close()}; the namespaces die with the JVM too, and a bridge left by a JVM
 * that died is deleted by the next kubelet.
 *
 * <p>A minimal kube-proxy, in both modes: each {@code nodePort} of a NodePort or LoadBalancer
 * Service listens on the host at {@code 127.0.0.1:<nodePort>} (where the library reaches a Service:
 * the kubeconfig's server host) and relays to the Service's ready Pods' {@code
 * <podIP>:<targetPort>} in turn (a named {@code targetPort} through their {@code containerPorts}),
 * until the Service is gone. While a kubelet is attached, the fake allocates node ports that are
 * free on the host, so the fakes of one test do not collide; a node port taken anyway is logged and
 * retried. Connections are relayed on one thread, {@code krake-kubelet-<cluster>-proxy}.
 *
 * <h2>What it reports</h2>
 *
 * Pod {@code phase} (Pending, Running, Succeeded, Failed, as the kubelet's {@code getPhase}),
 * conditions ({@code Ready} and {@code ContainersReady} once every container runs: probes are not
 * run), container states ({@code waiting} with reason, {@code running}, {@code terminated} with
 * {@code exitCode} and reason {@code Completed} or {@code Error}, 137 after SIGKILL), {@code
 * lastState}, {@code restartCount} and {@code ready}. {@code restartPolicy} is honoured: {@code
 * Always} and {@code OnFailure} restart after the kubelet's back-off (10 s, doubled per restart, at
 * most 5 min, reset after 10 min of running), waiting meanwhile with reason {@code
 * CrashLoopBackOff}. Deleting a Pod sends SIGTERM to each container's PID 1, then SIGKILL after the
 * grace period ({@code deletionGracePeriodSeconds}: the DeleteOptions', else {@code
 * terminationGracePeriodSeconds}, else 30 s); the Pod object disappears once its processes have
 * stopped. (Lifecycle hooks, probes and init containers are not run.) Logs of the current and
 * previous run of each container (stdout and stderr interleaved, the last {@link
 * Builder#logLimitBytes} bytes) are served at {@code GET .../pods/{name}/log} ({@code container},
 * {@code previous}, {@code tailLines}, {@code limitBytes}; {@code follow} returns what is there)
 * and by {@link #logs}. {@code .../pods/{name}/exec} speaks the WebSocket channel protocol ({@code
 * v5.channel.k8s.io}, {@code v4.channel.k8s.io}) of the official clients and kubectl, running the
 * command in a sandbox with the container's mounts, environment and {@code /tmp}; the exit code is
 * reported in the final {@code Status} as the kubelet does.
 *
 * <p>Controllers: see the kinds in {@link #OWNED_KINDS}. Their Pods are created as objects with
 * {@code ownerReferences} and the usual names ({@code web-5d8f7b6c9f-x2kqz} through a ReplicaSet,
 * {@code db-0}), and their status (replicas, ready, available, conditions, Job completion) is
 * computed from the Pods; the fake's auto-ready leaves these kinds alone while a kubelet is
 * attached.
 *
 * <h2>A node of a real API server</h2>
 *
 * {@link #forApiServer} makes the kubelet a Node of a real control plane (kube-apiserver,
 * kube-controller-manager and kube-scheduler), as the kubelet is; {@link #builder} keeps it the
 * kubelet of a {@link FakeKubernetesApiServer}. The pod workers are the same in both: the kubelet
 * keeps its view of the cluster (the Pods bound to its Node, and all Secrets, ConfigMaps, Services
 * and EndpointSlices, listed and watched with the kubeconfig's credentials) in a private in-memory
 * {@link FakeKubernetesApiServer}, as the kubelet keeps its informer caches, and:
 *
 * <ul>
 *   <li><b>registers its Node</b> ({@link Builder#nodeName}): labels {@code
 *       kubernetes.io/hostname}, {@code kubernetes.io/os} and {@code kubernetes.io/arch}; status
 *       with {@code capacity} and {@code allocatable} (the host's processors and memory, 110 Pods),
 *       the conditions {@code MemoryPressure}, {@code DiskPressure}, {@code PIDPressure} ({@code
 *       False}) and {@code Ready} ({@code True}, {@code KubeletReady}), one address ({@code
 *       InternalIP} {@value #POD_IP}: with a {@code Hostname} address the API server would dial the
 *       node's name), {@code daemonEndpoints.kubeletEndpoint.Port} ({@link #kubeletPort()}), {@code
 *       nodeInfo} and {@code declaredFeatures: [ExtendWebSocketsToKubelet]} (below). The status is
 *       rewritten every minute; the Node's heartbeat is its {@code coordination.k8s.io/v1} Lease in
 *       {@code kube-node-lease} ({@code leaseDurationSeconds} 40, owned by the Node), renewed every
 *       10 s as the kubelet does, both on the {@link Builder#clock} and {@link Builder#timer}. On
 *       {@link #close()} the kubelet <b>deletes its Node</b> (the Lease goes with it): the control
 *       plane's pod garbage collector then removes the Pods that were bound to it, rather than
 *       keeping a {@code NotReady} node around.
 *   <li><b>runs the Pods the scheduler binds to it</b> (watch with {@code
 *       fieldSelector=spec.nodeName=<node>}) as described above, reports their status through
 *       {@code pods/status} (phase, conditions, {@code containerStatuses}, {@code podIP}, {@code
 *       hostIP}, {@code startTime}; {@code qosClass} stays the API server's), honours deletion
 *       (SIGTERM, SIGKILL after {@code deletionGracePeriodSeconds}) and, once the containers have
 *       stopped, deletes the Pod with grace period 0 and a uid precondition, as the kubelet's
 *       status manager does. A Pod it never ran is deleted at once.
 *   <li><b>volumes</b> as above from the watched Secrets and ConfigMaps; a projected {@code
 *       serviceAccountToken} is a token the API server issues for the Pod (TokenRequest bound to
 *       the Pod, not refreshed), so the {@code kube-api-access-*} volume the API server's admission
 *       adds holds a real {@code token}, {@code ca.crt} (ConfigMap {@code kube-root-ca.crt}) and
 *       {@code namespace}. {@code KUBERNETES_SERVICE_HOST}/{@code _PORT} point at the real API
 *       server's port on {@value #POD_IP} (relayed into isolated Pods). The downward API's {@code
 *       metadata.uid} is the local view's uid, not the API server's.
 *   <li><b>serves the kubelet API</b> on HTTPS at {@code 127.0.0.1:}{@link #kubeletPort()} (a
 *       {@link Builder#kubeletServingCertificate}, else a self-signed one, which an API server with
 *       {@code --kubelet-certificate-authority} refuses); with {@link Builder#kubeletClientCa} it
 *       requires a client certificate that authority signed (the API server's {@code
 *       --kubelet-client-certificate}). {@code GET /containerLogs/{ns}/{pod}/{container}} ({@code
 *       previous}, {@code tailLines}, {@code limitBytes}; {@code follow} returns what is there,
 *       {@code timestamps} and {@code sinceSeconds} are ignored) and {@code
 *       /exec/{ns}/{pod}/{container}} ({@code command}, {@code input}, {@code output}, {@code
 *       error}, {@code tty}) over WebSocket ({@code v5.channel.k8s.io}, {@code v4.channel.k8s.io}),
 *       so that {@code kubectl logs}, {@code kubectl exec} and client-java's {@code Exec} work
 *       through the API server.
 *   <li><b>kube-proxy</b> as above, its endpoints read from the Service's EndpointSlices (the
 *       control plane's endpoint slice controller fills them from the Pods' status).
 * </ul>
 *
 * <p>Exec streaming, as found in Kubernetes v1.37.2 ({@code pkg/registry/core/pod/rest/
 * subresources.go}): for a WebSocket {@code v5.channel.k8s.io} request the API server translates
 * the stream to SPDY/3.1 toward the kubelet ({@code TranslateStreamCloseWebsocketRequests}),
 * <em>unless</em> the feature gate {@code ExtendWebSocketsToKubelet} (beta, on by default since
 * 1.36) is on and the Node declares it in {@code status.declaredFeatures} (NodeDeclaredFeatures, GA
 * in 1.37): then, as for {@code v4.channel.k8s.io}, it proxies the WebSocket upgrade to the kubelet
 * unchanged. The kubelet declares it, so no SPDY is spoken and no flag is needed; clients that use
 * SPDY themselves (kubectl before 1.30, or with {@code KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false})
 * are not served. Port forwarding and attach are not served.
 *
 * <p>Credentials: the kubeconfig's (cluster-admin), not a {@code system:node:<name>} certificate:
 * the kubelet lists all Secrets and ConfigMaps, which the Node authorizer forbids a node.
 *
 * <h2>Time and threads</h2>
 *
 * Back-off and grace periods are measured by the {@link Builder#clock} and waited for on the {@link
 * Builder#scheduler} (default: the kubelet's own thread), so a test can drive them with {@code
 * ManualClock} and {@code ManualTimer} instead of waiting. Processes still run in real time. All
 * state is kept on one thread, {@code krake-kubelet-<cluster>-sync}; process output and exec
 * streams use a bounded pool of daemon threads ({@code krake-kubelet-<cluster>-io-N}, {@link
 * Builder#maxThreads}). Thread-safe: {@link #logs} and {@link #close} may be called from any
 * thread.
 *
 * <p>Secrets: environment values and volume contents are never logged.
 */
public final class LocalKubelet implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LocalKubelet.class);

  /** The workload kinds it runs Pods for ({@code group/Kind}), and Pods themselves. */
  public static final Set<String> OWNED_KINDS =
      Set.of(
          "/Pod",
          "apps/Deployment",
          "apps/ReplicaSet",
          "apps/StatefulSet",
          "apps/DaemonSet",
          "batch/Job",
          "/ReplicationController");

  /**
   * The node's address ({@code status.hostIP}), and the address of Pods on the host's network
   * ({@link PodNetwork#HOST}, {@code hostNetwork: true}).
   */
  public static final String POD_IP = "127.0.0.1";

  /** The {@code python3} that runs each isolated Pod's network holder and port forwarder. */
  public static final Path DEFAULT_PYTHON = Path.of("/usr/bin/python3");

  /**
   * How the kubelet networks Pods; see "Network" in the {@link LocalKubelet class documentation}.
   */
  public enum PodNetwork {
    /** Every Pod shares the host's network namespace, as with {@code hostNetwork: true}. */
    HOST,
    /**
     * Each Pod has its own network namespace and address on a bridge, as on a real node; needs
     * root, iproute2, util-linux and {@code python3}.
     */
    ISOLATED
  }

  /** Where Debian's {@code bubblewrap} puts {@code bwrap}. */
  public static final Path DEFAULT_BWRAP = Path.of("/usr/bin/bwrap");

  /**
   * How the kubelet isolates the processes of Pods from the host and from each other; see
   * "Isolation" in the {@link LocalKubelet class documentation}.
   */
  public enum PodIsolation {
    /**
     * {@link #BUBBLEWRAP} where {@link Builder#bwrap} is executable, else {@link #PLAIN_PROCESS}.
     */
    AUTO,
    /** Each container and exec in a bubblewrap sandbox; needs {@code bwrap}. */
    BUBBLEWRAP,
    /**
     * Plain local processes on the host's root file system: in private mount and PID namespaces
     * (volumes at their mount paths, own {@code /tmp}) where root and {@code unshare} allow, else
     * sharing the host's.
     */
    PLAIN_PROCESS
  }

  /** What a container without {@code command} and {@code args} runs. */
  public static final List<String> DEFAULT_COMMAND = List.of("sleep", "infinity");

  /** The log bytes kept per container run. */
  public static final int DEFAULT_LOG_LIMIT_BYTES = 1 << 20;

  /** The most threads for process output and exec streams (two per exec, one per container). */
  public static final int DEFAULT_MAX_THREADS = 64;

  /** How long {@link #close()} waits for processes and threads to end. */
  public static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

  static final String EXEC_PROTOCOL_V5 = "v5.channel.k8s.io";
  static final String EXEC_PROTOCOL_V4 = "v4.channel.k8s.io";

  private final FakeKubernetesApiServer server;
  private final ObjectStore store;
  private final ApiResource podType;
  private final ApiResource secretType;
  private final ApiResource configMapType;
  private final Clock clock;
  private final Timer scheduler;
  private final ScheduledThreadPoolExecutor sync;
  private final ThreadPoolExecutor io;
  private final Path workDirectory;
  private final LocalKubeletWiring wiring;
  private final PodIsolation podIsolation; // BUBBLEWRAP or PLAIN_PROCESS
  private final String isolation;
  private final Consumer<Event> listener;
  private final Relay relay;
  private final PodNetwork podNetwork;
  private final NodeNetwork network; // null with PodNetwork.HOST
  private final AtomicBoolean closed = new AtomicBoolean();
  private final PodWorkerContext context;
  private final PodSyncLoop pods;
  private final KubeletEndpoints runtime;
  private final NodeAgent agent; // null for a fake cluster
  private final boolean ownsServer;

  private LocalKubelet(Builder builder) {
    this.server = builder.server;
    this.store = server.store();
    this.podType = server.resourceType("v1", "Pod");
    this.secretType = server.resourceType("v1", "Secret");
    this.configMapType = server.resourceType("v1", "ConfigMap");
    this.clock = builder.clock;
    Path bwrap = builder.bwrap;
    this.ownsServer = builder.api != null;
    boolean bubblewrap = Files.isExecutable(bwrap);
    if (builder.podIsolation == PodIsolation.BUBBLEWRAP && !bubblewrap) {
      throw new IllegalStateException(
          "bubblewrap is not installed at " + bwrap + " (Debian package bubblewrap)");
    }
    this.podIsolation =
        builder.podIsolation == PodIsolation.PLAIN_PROCESS || !bubblewrap
            ? PodIsolation.PLAIN_PROCESS
            : PodIsolation.BUBBLEWRAP;
    PlainProcess.Tools plain =
        podIsolation == PodIsolation.PLAIN_PROCESS ? PlainProcess.tools() : null;
    LocalKubeletWiring wiring =
        new LocalKubeletWiring(
            server.name(),
            builder.maxThreads,
            builder.workDirectory,
            builder.podNetwork,
            builder.python);
    this.wiring = wiring;
    this.sync = wiring.sync;
    this.io = wiring.io;
    this.scheduler = builder.scheduler != null ? builder.scheduler : Timer.system(sync);
    this.workDirectory = wiring.workDirectory;
    this.relay = wiring.relay;
    this.network = wiring.network;
    this.podNetwork = network == null ? PodNetwork.HOST : PodNetwork.ISOLATED;
    KubeProxy kubeProxy =
        new KubeProxy(
            server.name(),
            store,
            server.resourceType("v1", "Service"),
            podType,
            builder.api != null
                ? store.byKind("discovery.k8s.io/v1", "EndpointSlice")
                : Optional.empty(),
            relay);
    PodConfig.Lookup lookup =
        new KubeletPodLookup(store, secretType, configMapType, this::nodeAgent);
    WorkloadControllers controllers = new WorkloadControllers(server, clock);
    this.context =
        new PodWorkerContext(
            server.name(),
            toString(),
            clock,
            scheduler,
            sync,
            io,
            closed,
            workDirectory,
            bwrap,
            podIsolation,
            plain,
            builder.defaultCommand,
            builder.logLimitBytes,
            lookup,
            network,
            Set.copyOf(builder.hostPorts),
            builder.api != null ? builder.api.port() : server.port(),
            context ->
                new PodSyncLoop(server, sync, workDirectory, controllers, kubeProxy, context));
    this.pods = context.pods();
    this.listener = pods::onEvent;
    this.runtime = new KubeletEndpoints(context);
    this.isolation = context.describeIsolation(builder.podIsolation, wiring.hostNetworkReason);
    try {
      server.attachKubelet(runtime, listener);
    } catch (RuntimeException e) {
      wiring.release();
      throw e;
    }
    NodeAgent started = null;
    if (builder.api != null) {
      try {
        started =
            new NodeAgent(
                server.name(),
                builder.api,
                server,
                clock,
                scheduler,
                Timer.system(sync),
                runtime,
                builder.kubeletPort,
                builder.kubeletClientCa,
                builder.kubeletServing);
        this.agent = started;
        started.start();
      } catch (RuntimeException e) {
        if (started == null) {
          builder.api.close();
        }
        close(); // closes the agent and the local view too
        throw new IllegalStateException(
            "the local kubelet cannot join " + builder.api + ": " + e.getMessage(), e);
      }
    } else {
      this.agent = null;
    }
    store.nodePortCheck(KubeProxy::available);
    pods.start();
    boolean degraded =
        (podIsolation == PodIsolation.PLAIN_PROCESS
                && builder.podIsolation != PodIsolation.PLAIN_PROCESS)
            || (podNetwork == PodNetwork.HOST && builder.podNetwork != PodNetwork.HOST);
    if (degraded) {
      log.warn("Local kubelet for {}: {}", server.name(), isolation);
    } else {
      log.info("Local kubelet for {}: {}", server.name(), isolation);
    }
    log.debug("Local kubelet for {} started in {}", server.name(), workDirectory);
  }

  /** The node agent of a real API server; null for a fake cluster and until it is built. */
  private NodeAgent nodeAgent() {
    return agent;
  }

  /**
   * Returns a builder for a kubelet attached to {@code server} (one kubelet per server).
   *
   * @param server the fake cluster whose Pods it runs
   */
  public static Builder builder(FakeKubernetesApiServer server) {
    return new Builder(Objects.requireNonNull(server, "server"), null);
  }

  /**
   * Returns a builder for a kubelet that joins a real API server as a Node: see "A node of a real
   * API server" in the {@link LocalKubelet class documentation}. Nothing is contacted before {@link
   * Builder#build()}.
   *
   * @param kubeconfig a kubeconfig with embedded credentials (its current context) allowed to
   *     create Nodes, Leases and TokenRequests, write Pods' status, delete Pods and list and watch
   *     Pods, Secrets, ConfigMaps, Services and EndpointSlices: cluster-admin credentials
   */
  public static Builder forApiServer(String kubeconfig) {
    return new Builder(null, Objects.requireNonNull(kubeconfig, "kubeconfig"));
  }

  /**
   * Returns a builder for a kubelet that joins {@code controlPlane} as the Node {@code nodeName}:
   * {@link #forApiServer} with the control plane's administrator kubeconfig, {@link
   * Builder#nodeName}, the serving certificate the control plane issues for the node ({@link
   * KubernetesControlPlane#nodeCredentials}, checked by its API server) and, as {@link
   * Builder#kubeletClientCa}, the authority of the API server's kubelet client certificate. The
   * control plane must be started.
   *
   * @throws IllegalArgumentException if {@code nodeName} is not a DNS subdomain name
   */
  public static Builder forControlPlane(KubernetesControlPlane controlPlane, String nodeName) {
    Objects.requireNonNull(controlPlane, "controlPlane");
    NodeCredentials node =
        controlPlane.nodeCredentials(Objects.requireNonNull(nodeName, "nodeName"));
    return forApiServer(controlPlane.kubeconfig().toString())
        .nodeName(nodeName)
        .kubeletServingCertificate(node.serving().certificatePem(), node.serving().privateKeyPem())
        .kubeletClientCa(node.apiServerClientCaPem());
  }

  /**
   * The name of the Node this kubelet registered with a real API server.
   *
   * @throws IllegalStateException for a kubelet of a fake cluster
   */
  public String nodeName() {
    if (agent == null) {
      throw new IllegalStateException("a kubelet of a fake cluster has no Node of its own");
    }
    return server.name();
  }

  /**
   * The port of this kubelet's API on {@code 127.0.0.1} (a kubelet of a real API server).
   *
   * @throws IllegalStateException for a kubelet of a fake cluster
   */
  public int kubeletPort() {
    if (agent == null) {
      throw new IllegalStateException("a kubelet of a fake cluster serves no kubelet API");
    }
    return agent.kubeletPort();
  }

  /**
   * When this kubelet last renewed its Node's Lease, by its {@link Builder#clock}; empty before the
   * first renewal and for a kubelet of a fake cluster.
   */
  public Optional<Instant> lastLeaseRenewal() {
    return agent == null ? Optional.empty() : agent.lastLeaseRenewal();
  }

  /**
   * The output of a container's current (or last) run: stdout and stderr interleaved, the last
   * {@link Builder#logLimitBytes} bytes, UTF-8 decoded.
   *
   * @throws NoSuchElementException if the Pod is not (or no longer) run by this kubelet, has no
   *     such container, or the container has not started yet
   * @throws IllegalStateException if the kubelet is closed
   */
  public String logs(String namespace, String pod, String container) {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(pod, "pod");
    Objects.requireNonNull(container, "container");
    LogBuffer buffer =
        context.onSyncAndWait(
            () -> {
              PodWorker worker = pods.running(namespace, pod);
              PodWorker.Container c = worker == null ? null : worker.containers().get(container);
              if (c == null || c.log == null) {
                throw new NoSuchElementException(
                    "no logs of container " + container + " of Pod " + namespace + "/" + pod);
              }
              return c.log;
            });
    return new String(buffer.bytes(), StandardCharsets.UTF_8);
  }

  /**
   * How this kubelet isolates its Pods' processes: as {@link Builder#podIsolation} asked, or, by
   * default, {@link PodIsolation#BUBBLEWRAP} where {@code bwrap} is installed and {@link
   * PodIsolation#PLAIN_PROCESS} otherwise; never {@link PodIsolation#AUTO}.
   */
  public PodIsolation podIsolation() {
    return podIsolation;
  }

  /**
   * What isolation this kubelet gives its Pods, in the one line it logged when it was built (at
   * {@code WARN} where a default fell back, else {@code INFO}): processes (bubblewrap, or plain
   * with or without private namespaces) and network (own namespaces, or the host's, and why).
   */
  public String isolation() {
    return isolation;
  }

  /**
   * How this kubelet networks its Pods: as {@link Builder#podNetwork} asked, or, by default, {@link
   * PodNetwork#ISOLATED} where available and {@link PodNetwork#HOST} otherwise.
   */
  public PodNetwork podNetwork() {
    return podNetwork;
  }

  /** The node network of isolated Pods; empty with {@link PodNetwork#HOST}. */
  java.util.Optional<NodeNetwork> network() {
    return java.util.Optional.ofNullable(network);
  }

  /** The directory holding the Pods' volumes, claims and {@code /tmp}s. */
  public Path workDirectory() {
    return workDirectory;
  }

  /**
   * Detaches from the server (auto-ready and immediate Pod deletion apply again, Pods keep their
   * last status), kills every container and exec process with SIGKILL, waits up to {@link
   * #CLOSE_TIMEOUT} for them and for its threads, and deletes the work directory it created.
   * Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (agent != null) {
      agent.close();
    }
    server.detachKubelet(listener);
    List<Process> processes = new ArrayList<>(context.execs());
    try {
      processes.addAll(
          sync.submit(pods::abort).get(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException | RejectedExecutionException e) {
      log.warn("Local kubelet for {}: could not stop its Pods cleanly", server.name(), e);
    }
    long deadline = System.nanoTime() + CLOSE_TIMEOUT.toNanos();
    for (Process process : processes) {
      process.destroyForcibly();
      try {
        process.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    if (network != null) {
      network.close();
    }
    relay.close();
    store.nodePortCheck(null);
    sync.shutdownNow();
    io.shutdown();
    try {
      sync.awaitTermination(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      io.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    io.shutdownNow();
    wiring.deleteWorkDirectory();
    context.removeCreatedMountPoints();
    if (ownsServer) {
      server.close();
    }
    log.info("Local kubelet for {} closed", server.name());
  }

  @Override
  public String toString() {
    return "LocalKubelet[cluster=" + server.name() + ", workDirectory=" + workDirectory + "]";
  }

  /**
   * Configures a {@link LocalKubelet}; {@link #build()} attaches and starts it. Not thread-safe.
   */
  public static final class Builder {
    private FakeKubernetesApiServer server; // the local view, for a real API server
    private final String kubeconfig;
    private ApiServerClient api;
    private String nodeName;
    private int kubeletPort;
    private Optional<String> kubeletClientCa = Optional.empty();
    private Optional<String> kubeletServing = Optional.empty(); // certificate and key PEM
    private Clock clock = Clock.systemUTC();
    private Timer scheduler;
    private Path workDirectory;
    private Path bwrap = DEFAULT_BWRAP;
    private PodIsolation podIsolation = PodIsolation.AUTO;
    private List<String> defaultCommand = DEFAULT_COMMAND;
    private int logLimitBytes = DEFAULT_LOG_LIMIT_BYTES;
    private int maxThreads = DEFAULT_MAX_THREADS;
    private PodNetwork podNetwork; // null: isolated where available
    private Path python = DEFAULT_PYTHON;
    private Set<Integer> hostPorts = Set.of();

    private Builder(FakeKubernetesApiServer server, String kubeconfig) {
      this.server = server;
      this.kubeconfig = kubeconfig;
    }

    /**
     * The name of the Node the kubelet registers with a real API server ({@link
     * LocalKubelet#forApiServer}); default {@code krake-node-} and five random lowercase letters.
     *
     * @throws IllegalArgumentException if it is not a DNS subdomain name
     * @throws IllegalStateException for a kubelet of a fake cluster
     */
    public Builder nodeName(String name) {
      requireReal("nodeName");
      if (!name.matches("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?")) {
        throw new IllegalArgumentException("nodeName: not a DNS subdomain name: " + name);
      }
      this.nodeName = name;
      return this;
    }

    /**
     * The port of the kubelet API on {@code 127.0.0.1} (the Node's {@code
     * daemonEndpoints.kubeletEndpoint.Port}); default 0, a free port.
     *
     * @throws IllegalArgumentException if it is not in 0–65535
     * @throws IllegalStateException for a kubelet of a fake cluster
     */
    public Builder kubeletPort(int port) {
      requireReal("kubeletPort");
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("kubeletPort: not a port: " + port);
      }
      this.kubeletPort = port;
      return this;
    }

    /**
     * The PEM certificate(s) of the authority that signed the API server's kubelet client
     * certificate ({@code --kubelet-client-certificate}): the kubelet API then requires a client
     * certificate it signed, as the kubelet's {@code --client-ca-file}. Default none: the kubelet
     * API accepts any client (logged as a warning).
     *
     * @throws IllegalArgumentException if it holds no PEM certificate
     * @throws IllegalStateException for a kubelet of a fake cluster
     */
    public Builder kubeletClientCa(String pem) {
      requireReal("kubeletClientCa");
      ApiServerClient.Pem.certificates(Objects.requireNonNull(pem, "pem"));
      this.kubeletClientCa = Optional.of(pem);
      return this;
    }

    /**
     * The kubelet API's serving certificate and its private key (PEM; the key PKCS#8, RSA or EC),
     * as the kubelet's {@code --tls-cert-file} and {@code --tls-private-key-file}: needed where the
     * API server checks kubelets' certificates ({@code --kubelet-certificate-authority}). Default a
     * self-signed certificate for {@code 127.0.0.1}.
     *
     * @throws IllegalArgumentException if they cannot be read (the message names which, never the
     *     key)
     * @throws IllegalStateException for a kubelet of a fake cluster
     */
    public Builder kubeletServingCertificate(String certificatePem, String privateKeyPem) {
      requireReal("kubeletServingCertificate");
      ApiServerClient.Pem.heldCertificate(
          Objects.requireNonNull(certificatePem, "certificatePem"),
          Objects.requireNonNull(privateKeyPem, "privateKeyPem"));
      this.kubeletServing = Optional.of(certificatePem + "\n" + privateKeyPem);
      return this;
    }

    private void requireReal(String setting) {
      if (kubeconfig == null) {
        throw new IllegalStateException(
            setting + " applies to a kubelet of a real API server (LocalKubelet.forApiServer)");
      }
    }

    /** The clock of status timestamps and of the back-off reset; default the UTC system clock. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Where restart back-offs and grace periods are waited for; default the kubelet's own thread.
     * Pass a {@code ManualTimer} (with its clock as {@link #clock}) to drive them by hand.
     */
    public Builder timer(Timer timer) {
      this.scheduler = Objects.requireNonNull(timer, "timer");
      return this;
    }

    /**
     * Where volumes, claims and {@code /tmp}s live; default a new temporary directory, deleted on
     * close.
     */
    public Builder workDirectory(Path directory) {
      this.workDirectory = Objects.requireNonNull(directory, "directory");
      return this;
    }

    /**
     * The {@code bwrap} executable; default {@code /usr/bin/bwrap}. With {@link PodIsolation#AUTO}
     * a path that is not executable means {@link PodIsolation#PLAIN_PROCESS}.
     */
    public Builder bwrap(Path bwrap) {
      this.bwrap = Objects.requireNonNull(bwrap, "bwrap");
      return this;
    }

    /**
     * How Pods' processes are isolated; default {@link PodIsolation#AUTO}: bubblewrap where {@link
     * #bwrap} is executable, else plain processes, said in one {@code WARN} line. Asking for {@link
     * PodIsolation#BUBBLEWRAP} explicitly makes {@link #build()} fail where {@code bwrap} is
     * missing.
     */
    public Builder podIsolation(PodIsolation podIsolation) {
      this.podIsolation = Objects.requireNonNull(podIsolation, "podIsolation");
      return this;
    }

    /**
     * What a container without {@code command} and {@code args} runs; default {@code sleep
     * infinity}.
     */
    public Builder defaultCommand(List<String> command) {
      Objects.requireNonNull(command, "command");
      if (command.isEmpty()) {
        throw new IllegalArgumentException("the default command must not be empty");
      }
      this.defaultCommand = List.copyOf(command);
      return this;
    }

    /** The log bytes kept per container run (the tail); default 1 MiB. */
    public Builder logLimitBytes(int bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("logLimitBytes must be positive: " + bytes);
      }
      this.logLimitBytes = bytes;
      return this;
    }

    /** The most I/O threads (one per running container, two per exec); default 64. */
    public Builder maxThreads(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("maxThreads must be positive: " + threads);
      }
      this.maxThreads = threads;
      return this;
    }

    /**
     * How Pods are networked; default {@link PodNetwork#ISOLATED} where it is available (root,
     * {@code ip}, {@code nsenter}, {@code unshare}, {@code setpriv}, {@link #python}, and a bridge
     * can be created), else {@link PodNetwork#HOST} with one warning. Asking for {@code ISOLATED}
     * explicitly makes {@link #build()} fail where it is not available.
     */
    public Builder podNetwork(PodNetwork podNetwork) {
      this.podNetwork = Objects.requireNonNull(podNetwork, "podNetwork");
      return this;
    }

    /** The {@code python3} running isolated Pods' forwarders; default {@code /usr/bin/python3}. */
    public Builder python(Path python) {
      this.python = Objects.requireNonNull(python, "python");
      return this;
    }

    /**
     * Host ports (on {@code 127.0.0.1}) that every isolated Pod reaches at its own {@code
     * 127.0.0.1}, besides the API server's and those named in its containers' environment; replaces
     * earlier calls. Default none.
     *
     * @throws IllegalArgumentException if a port is not in 1–65535
     */
    public Builder hostPorts(int... ports) {
      Set<Integer> set = new java.util.TreeSet<>();
      for (int port : ports) {
        if (port < 1 || port > 65535) {
          throw new IllegalArgumentException("not a port: " + port);
        }
        set.add(port);
      }
      this.hostPorts = Set.copyOf(set);
      return this;
    }

    /**
     * Attaches the kubelet to the server and starts running the Pods it already has.
     *
     * @throws IllegalStateException if {@link PodIsolation#BUBBLEWRAP} was asked for and {@code
     *     bwrap} is missing, another kubelet is attached, or {@link PodNetwork#ISOLATED} was asked
     *     for and is not available (the message says why)
     * @throws UncheckedIOException if the work directory cannot be created
     */
    public LocalKubelet build() {
      if (kubeconfig == null) {
        return new LocalKubelet(this);
      }
      String node =
          nodeName != null
              ? nodeName
              : "krake-node-"
                  + new java.security.SecureRandom()
                      .ints(5, 'a', 'z' + 1)
                      .collect(
                          StringBuilder::new,
                          StringBuilder::appendCodePoint,
                          StringBuilder::append);
      api = ApiServerClient.fromKubeconfig(kubeconfig);
      if (kubeletClientCa.isEmpty()) {
        log.warn("Local kubelet {}: no kubeletClientCa, its kubelet API accepts any client", node);
      }
      server =
          FakeKubernetesApiServer.builder()
              .name(node)
              .clock(clock)
              .autoReady(false)
              .enforceNamespaces(false)
              .build();
      server.registerKind("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", true, false);
      try {
        return new LocalKubelet(this);
      } catch (RuntimeException e) {
        server.close();
        api.close();
        throw e;
      }
    }
  }
}
