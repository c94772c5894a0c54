package cloud.krake.benchmarks;

import static java.nio.charset.StandardCharsets.UTF_8;

import cloud.krake.Krake;
import cloud.krake.hooks.HookConfig;
import cloud.krake.hooks.HooksConfig;
import cloud.krake.hooks.PemSource;
import cloud.krake.hooks.ShutdownHookConfig;
import cloud.krake.hooks.endpoint.EmbeddedHookServer;
import cloud.krake.hooks.endpoint.HookEndpoint;
import cloud.krake.hooks.tls.CertificateIssuer;
import cloud.krake.hooks.tls.GeneratedHookCa;
import cloud.krake.hooks.tls.HookCertificateAuthorities;
import cloud.krake.hooks.tls.IssuedCertificate;
import cloud.krake.hooks.tls.TlsMaterial;
import cloud.krake.k8s.KubeconfigClusterConnector;
import cloud.krake.k8s.KubernetesBackend;
import cloud.krake.membership.KrakeMembership;
import cloud.krake.membership.MembershipConfig;
import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.Cluster;
import cloud.krake.model.ClusterState;
import cloud.krake.model.KrakeJson;
import cloud.krake.model.Reason;
import cloud.krake.model.ResourceRef;
import cloud.krake.store.Applications;
import cloud.krake.store.ConflictException;
import cloud.krake.store.NotFoundException;
import cloud.krake.store.ResourceEvent;
import cloud.krake.store.ResourceListener;
import cloud.krake.store.Store;
import cloud.krake.store.StoreUnavailableException;
import cloud.krake.store.Watch;
import cloud.krake.store.WatchEvent;
import cloud.krake.store.etcd.EtcdStore;
import cloud.krake.store.memory.MemoryStore;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The host process of {@link ControllerLoad} and of the multi-instance tests: only what a host
 * platform runs. {@link Krake} on a {@link MemoryStore} (or, with {@code etcd=}, an {@link
 * EtcdStore} shared with other instances) with its scheduler and garbage collector, the {@link
 * KubernetesBackend} with the {@link KubeconfigClusterConnector} (the official client, over
 * loopback to the driver's fake API servers), Krake's complete and shutdown hooks with TLS (a
 * {@link GeneratedHookCa}) and the {@link EmbeddedHookServer} over HTTPS with client certificates.
 *
 * <p>Arguments: {@code <workers> [etcd=<endpoint>,<endpoint>...] [hookPort=<port>] [hookUrl=<URL>]
 * [tls=false | hookCa=<dir>] [membership=<instance id> [leaseTtl=<seconds>]]}, the last joining the
 * group of instances on the store ({@link MembershipConfig}; the event {@code shards <instance id>
 * <owned shards>} on every change): the store (default a {@link MemoryStore} of its own), the hook
 * server's port on 127.0.0.1 (default any free one), the base URL the applications' hook Secrets
 * name ({@link HooksConfig#endpoint()}; default the hook server's own URL; replicas of one group
 * are given one, the address in front of all of them, as docs/configuration.md requires), and
 * whether the hooks use TLS (default true; without it the complete and shutdown calls are plain
 * HTTP with the token only, so that several instances need not share one hook CA). With TLS the
 * hook CA is generated in this process unless {@code hookCa} names a directory {@link #writeHookCa}
 * wrote: a CA and a server certificate that several instances share, so that each instance's
 * endpoint accepts the client certificates any of them issued. On start it answers {@code ready
 * <hook endpoint URL> <pid>}.
 *
 * <p>Commands on standard input ({@link LoadProtocol}), one per line, answered on standard output:
 *
 * <ul>
 *   <li>{@code cluster <name> <base64 kubeconfig>}: registers a cluster labelled {@code
 *       location=<name>}, waits until it is ONLINE; answer {@code cluster <name>};
 *   <li>{@code create <application JSON>}: {@code applications().create}; no answer (the event
 *       {@code create-failed <exception>} if it throws); {@code delete <name>}: {@code
 *       applications().delete}, no answer ({@code delete-failed <exception>} if it throws); both
 *       read and retry after a {@code StoreUnavailableException} (the write may have been applied
 *       when an etcd member went away mid-call), as a client of a replicated host does. A cluster
 *       that already exists in the store (registered by another instance) is not created again,
 *       only awaited;
 *   <li>{@code usage}: answer {@code usage <JvmUsage as JSON>}; {@code reset-peaks}: answer {@code
 *       ok};
 *   <li>{@code heap} / {@code heap-compacted}: a full GC (after compacting the store's history for
 *       the second); answer {@code heap <bytes in use>};
 *   <li>{@code profile-start} / {@code profile-stop <file>}: a JFR recording ({@link Profile}) of
 *       this process, written to the file; answer {@code ok};
 *   <li>{@code manifest <name>}: answer {@code manifest <document bytes> <base64 JSON array of its
 *       last applied manifest>} (what the library applied: the baseline's bodies);
 *   <li>{@code store-counts}: answer {@code store-counts <JSON object>}, the store calls this
 *       instance made by kind and the compare-and-set conflicts they met ({@link CountingStore});
 *   <li>{@code thread-cpu}: answer {@code thread-cpu <JSON object>}, this process's CPU time by
 *       thread and kind of thread so far ({@link ThreadCpu#snapshot()});
 *   <li>{@code membership}: answer {@code membership <instance id> <peers, comma-separated> <owned
 *       shards, comma-separated>} ({@link Krake#membership()});
 *   <li>{@code count}: answer {@code count <applications in the store>}; {@code states}: answer
 *       {@code states <applications by state>}.
 * </ul>
 *
 * <p>Events, from a store watch on the applications: {@code running <name> <nanoTime> <cluster>}
 * (the first time it is RUNNING), {@code gone <name> <nanoTime>}, {@code failed <name> <reason>}.
 * Ends when standard input ends.
 */
public final class LoadHost {

  private final Store backing;
  private final CountingStore store;
  private final Krake krake;
  private final EmbeddedHookServer server;
  private final LoadProtocol.Out out = new LoadProtocol.Out(System.out);
  private Profile profile;

  private LoadHost(int workers, Map<String, String> options) {
    Clock clock = Clock.systemUTC();
    this.backing =
        options.containsKey("etcd")
            ? EtcdStore.builder()
                .endpoints(Arrays.stream(options.get("etcd").split(",")).map(URI::create).toList())
                .build()
            : MemoryStore.create();
    this.store = new CountingStore(backing);
    boolean tls = !"false".equals(options.get("tls"));
    int port = Integer.parseInt(options.getOrDefault("hookPort", "0"));
    Optional<URI> advertised = Optional.ofNullable(options.get("hookUrl")).map(URI::create);
    HooksConfig config;
    CertificateIssuer issuer;
    if (tls && options.containsKey("hookCa")) {
      Path dir = Path.of(options.get("hookCa"));
      HookCa ca =
          new HookCa(
              PemSource.file(dir.resolve(ROOT_PEM)),
              PemSource.file(dir.resolve(INTERMEDIATE_PEM)),
              PemSource.file(dir.resolve(INTERMEDIATE_KEY_PEM)));
      HooksConfig unbound = config(ca, URI.create("https://127.0.0.1"), true);
      HookCertificateAuthorities authorities = HookCertificateAuthorities.of(unbound, clock);
      this.server =
          EmbeddedHookServer.builder()
              .endpoint(
                  HookEndpoint.builder()
                      .applications(new Applications(store, clock))
                      .config(unbound)
                      .clientCertificateCheck(authorities)
                      .build())
              .tls(
                  PemSource.file(dir.resolve(SERVER_CERT_PEM)),
                  PemSource.file(dir.resolve(SERVER_KEY_PEM)),
                  PemSource.of(TlsMaterial.pem(authorities.trustedCertificates())))
              .cryptoProvider(unbound.cryptoProvider())
              .port(port)
              .build()
              .start();
      config = config(ca, advertised.orElse(server.url()), true);
      issuer = HookCertificateAuthorities.of(config, clock);
    } else if (tls) {
      GeneratedHookCa generated = GeneratedHookCa.generate(clock);
      HookCa ca = HookCa.of(generated);
      HooksConfig unbound = config(ca, URI.create("https://127.0.0.1"), true);
      this.server =
          EmbeddedHookServer.loopback(generated, new Applications(store, clock), unbound, clock)
              .port(port)
              .build()
              .start();
      config = config(ca, advertised.orElse(server.url()), true);
      issuer = HookCertificateAuthorities.of(config, clock);
    } else {
      HooksConfig unbound = config(null, URI.create("http://127.0.0.1"), false);
      this.server =
          EmbeddedHookServer.builder()
              .endpoint(
                  HookEndpoint.builder()
                      .applications(new Applications(store, clock))
                      .config(unbound)
                      .build())
              .port(port)
              .build()
              .start();
      config = config(null, advertised.orElse(server.url()), false);
      issuer =
          identity -> {
            throw new IllegalStateException("no client certificates without TLS");
          };
    }
    Krake.Builder builder = Krake.builder();
    if (options.containsKey("membership")) {
      builder.membership(
          MembershipConfig.defaults()
              .withInstanceId(options.get("membership"))
              .withLeaseTtl(
                  Duration.ofSeconds(Long.parseLong(options.getOrDefault("leaseTtl", "5")))));
    }
    this.krake =
        builder
            .store(store)
            .clock(clock)
            .workers(workers)
            .extension(
                KubernetesBackend.builder()
                    .connector(KubeconfigClusterConnector.builder().build())
                    .krakeHooks(config, issuer)
                    .krakeHookServer(server)
                    .build())
            .build();
    krake.start();
  }

  /** The hook CA's root certificate in a {@code hookCa} directory ({@link #writeHookCa}). */
  static final String ROOT_PEM = "root.pem";

  /** The intermediate CA's certificate, which signs the hook certificates. */
  static final String INTERMEDIATE_PEM = "intermediate.pem";

  /** The intermediate CA's private key. */
  static final String INTERMEDIATE_KEY_PEM = "intermediate-key.pem";

  /** The hook server's certificate chain, for {@code localhost} and {@code 127.0.0.1}. */
  static final String SERVER_CERT_PEM = "server.pem";

  /** The hook server's private key. */
  static final String SERVER_KEY_PEM = "server-key.pem";

  /** The hook CA the hooks are configured with: the root the clients trust, the signer. */
  private record HookCa(PemSource root, PemSource intermediate, PemSource intermediateKey) {
    static HookCa of(GeneratedHookCa ca) {
      return new HookCa(
          ca.rootCertificateSource(),
          ca.intermediateCertificateSource(),
          ca.intermediateKeySource());
    }

    HookConfig sign(HookConfig hook) {
      return hook.withIntermediate(intermediate, intermediateKey);
    }
  }

  /**
   * Generates a hook CA and a server certificate for {@code localhost} and {@code 127.0.0.1}, and
   * writes them to {@code dir} (which must exist, and should be private: it holds the keys) as the
   * {@code hookCa=<dir>} option reads them: the host instances of one run share them, so that any
   * instance's endpoint accepts the client certificates any instance issued, and every client
   * trusts every endpoint.
   *
   * @throws UncheckedIOException if a file cannot be written
   */
  static void writeHookCa(Path dir, Clock clock) {
    GeneratedHookCa ca = GeneratedHookCa.generate(clock);
    IssuedCertificate server =
        ca.issueServerCertificate(List.of("localhost"), List.of("127.0.0.1"));
    try {
      Files.writeString(dir.resolve(ROOT_PEM), ca.rootCertificatePem());
      Files.writeString(dir.resolve(INTERMEDIATE_PEM), ca.intermediateCertificatePem());
      Files.writeString(dir.resolve(INTERMEDIATE_KEY_PEM), ca.intermediateKeyPem());
      Files.writeString(dir.resolve(SERVER_CERT_PEM), server.certificatePem());
      Files.writeString(dir.resolve(SERVER_KEY_PEM), server.privateKeyPem());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the hook CA to " + dir, e);
    }
  }

  private static HooksConfig config(HookCa ca, URI endpoint, boolean tls) {
    if (!tls) {
      return HooksConfig.builder()
          .endpoint(endpoint)
          .tls(false)
          .complete(HookConfig.completeDefaults())
          .shutdown(ShutdownHookConfig.defaults())
          .build();
    }
    return HooksConfig.builder()
        .endpoint(endpoint)
        .tls(true)
        .complete(ca.sign(HookConfig.completeDefaults()))
        .shutdown(ShutdownHookConfig.defaults().withHook(ca.sign(HookConfig.shutdownDefaults())))
        .addCaBundle(ca.root())
        .build();
  }

  /**
   * Runs the host until standard input ends.
   *
   * @param args {@code workers [etcd=...] [hookPort=...] [tls=false | hookCa=...] [membership=...
   *     [leaseTtl=...]]} (see the class documentation)
   */
  public static void main(String[] args) throws IOException {
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      // EmbeddedHookServer's Javadoc: without it each response waits ~40 ms (Nagle + delayed ACK).
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
    Map<String, String> options = new TreeMap<>();
    for (String arg : List.of(args).subList(1, args.length)) {
      int eq = arg.indexOf('=');
      if (eq < 0) {
        throw new IllegalArgumentException("not key=value: " + arg);
      }
      options.put(arg.substring(0, eq), arg.substring(eq + 1));
    }
    LoadHost host = new LoadHost(Integer.parseInt(args[0]), options);
    Tracker tracker = new Tracker(host.out);
    Watch watch = host.krake.applications().watch(LoadProtocol.NS, 0, tracker);
    host.krake
        .membership()
        .addListener(e -> host.out.send("shards " + e.instanceId() + " " + join(e.ownedShards())));
    try {
      host.out.send("ready " + host.server.url() + " " + ProcessHandle.current().pid());
      LoadProtocol.eachInputLine(host::handle);
    } finally {
      watch.close();
      host.krake.close(); // also the hook server and the connector
      host.backing.close();
    }
    System.exit(0);
  }

  private void handle(String line) {
    int space = line.indexOf(' ');
    String command = space < 0 ? line : line.substring(0, space);
    String arg = space < 0 ? "" : line.substring(space + 1);
    try {
      switch (command) {
        case "create" -> create(KrakeJson.read(arg, Application.class));
        case "delete" -> delete(arg);
        case "cluster" -> {
          String[] parts = arg.split(" ", 2);
          registerCluster(parts[0], new String(Base64.getDecoder().decode(parts[1]), UTF_8));
          out.send("cluster " + parts[0]);
        }
        case "usage" -> out.send("usage " + LoadProtocol.encode(JvmUsage.now()));
        case "reset-peaks" -> {
          JvmUsage.resetPeaks();
          out.send("ok");
        }
        case "heap" -> out.send("heap " + JvmUsage.heapAfterFullGc());
        case "heap-compacted" -> {
          store.compact(store.revision());
          out.send("heap " + JvmUsage.heapAfterFullGc());
        }
        case "histogram" -> {
          System.err.println(JvmUsage.liveClassHistogram(Integer.parseInt(arg)));
          out.send("ok");
        }
        case "profile-start" -> {
          profile = Profile.start();
          out.send("ok");
        }
        case "profile-stop" -> {
          profile.stopTo(Path.of(arg));
          profile = null;
          out.send("ok");
        }
        case "manifest" -> out.send("manifest " + manifest(arg));
        case "store-counts" -> out.send("store-counts " + KrakeJson.write(store.counts()));
        case "thread-cpu" -> out.send("thread-cpu " + KrakeJson.write(ThreadCpu.snapshot()));
        case "membership" -> {
          KrakeMembership m = krake.membership();
          out.send(
              "membership "
                  + m.instanceId()
                  + " "
                  + String.join(",", m.peers())
                  + " "
                  + join(m.ownedShards()));
        }
        case "count" ->
            out.send("count " + krake.applications().list(LoadProtocol.NS).items().size());
        case "states" -> out.send("states " + states());
        default -> out.send("error unknown command " + command);
      }
    } catch (RuntimeException e) {
      String message = String.valueOf(e).replace('\n', ' ');
      // create and delete have no answer: their failures are events
      boolean event = command.equals("create") || command.equals("delete");
      out.send((event ? command + "-failed " : "error " + command + ": ") + message);
    }
  }

  /** Attempts of a create or delete whose store call may have been applied, then it fails. */
  private static final int WRITE_ATTEMPTS = 5;

  /**
   * Creates an application as a client of a replicated host does when an etcd member goes away
   * mid-call: a {@link StoreUnavailableException} means the create may have been applied ({@code
   * EtcdStore}'s contract), so the application is read again and created again only if it is
   * absent.
   */
  private void create(Application application) {
    String name = application.metadata().name();
    for (int attempt = 1; ; attempt++) {
      try {
        krake.applications().create(application);
        return;
      } catch (StoreUnavailableException e) {
        if (attempt >= WRITE_ATTEMPTS) {
          throw e;
        }
        try {
          if (krake.applications().get(LoadProtocol.NS, name).isPresent()) {
            return; // it was applied
          }
        } catch (StoreUnavailableException again) {
          // read on the next attempt
        }
      } catch (ConflictException e) {
        if (attempt == 1) {
          throw e;
        }
        return; // created by an earlier attempt that failed after etcd applied it
      }
    }
  }

  /** Requests deletion, retried like {@link #create} (a deletion request is idempotent). */
  private void delete(String name) {
    for (int attempt = 1; ; attempt++) {
      try {
        krake.applications().delete(LoadProtocol.NS, name);
        return;
      } catch (StoreUnavailableException e) {
        if (attempt >= WRITE_ATTEMPTS) {
          throw e;
        }
      } catch (NotFoundException e) {
        if (attempt == 1) {
          throw e;
        }
        return; // deleted already, after an earlier attempt was applied
      }
    }
  }

  private static String join(List<Integer> shards) {
    return String.join(",", shards.stream().map(String::valueOf).toList());
  }

  private void registerCluster(String name, String kubeconfig) {
    ObjectNode doc = JsonNodeFactory.instance.objectNode();
    ObjectNode metadata = doc.putObject("metadata");
    metadata.put("name", name).put("namespace", LoadProtocol.NS);
    metadata.putObject("labels").put("location", name);
    doc.putObject("spec").set("kubeconfig", KrakeJson.read(kubeconfig, ObjectNode.class));
    if (krake.clusters().get(LoadProtocol.NS, name).isEmpty()) {
      krake.clusters().create(KrakeJson.convert(doc, Cluster.class));
    }
    krake.awaitCluster(
        LoadProtocol.NS,
        name,
        c -> c.status().state() == ClusterState.ONLINE,
        Duration.ofMinutes(1));
  }

  private String manifest(String name) {
    Application app =
        krake
            .applications()
            .get(LoadProtocol.NS, name)
            .orElseThrow(() -> new IllegalStateException("no application " + name));
    ArrayNode applied = JsonNodeFactory.instance.arrayNode();
    app.status().lastAppliedManifest().forEach(applied::add);
    return KrakeJson.writeBytes(app).length
        + " "
        + Base64.getEncoder().encodeToString(applied.toString().getBytes(UTF_8));
  }

  private String states() {
    Map<String, Integer> states = new TreeMap<>();
    for (Application app : krake.applications().list(LoadProtocol.NS).items()) {
      String state =
          app.status().state()
              + (app.metadata().isDeleted() ? " (deleted)" : "")
              + app.status().reason().map(r -> " " + r.code()).orElse("");
      states.merge(state, 1, Integer::sum);
    }
    return states.toString();
  }

  /** Reports, from the store watch, when each application first reached RUNNING and left. */
  private static final class Tracker implements ResourceListener<Application> {
    private final LoadProtocol.Out out;
    private final Set<String> running = ConcurrentHashMap.newKeySet();

    Tracker(LoadProtocol.Out out) {
      this.out = out;
    }

    @Override
    public void onEvent(ResourceEvent<Application> event) {
      long now = System.nanoTime();
      Application app = event.resource();
      String name = app.metadata().name();
      if (event.type() == WatchEvent.Type.DELETED) {
        running.remove(name);
        out.send("gone " + name + " " + now);
      } else if (app.status().state() == ApplicationState.RUNNING) {
        if (running.add(name)) {
          Optional<String> on = app.status().runningOn().map(ResourceRef::name);
          out.send("running " + name + " " + now + " " + on.orElse("-"));
        }
      } else if (app.status().state() == ApplicationState.FAILED) {
        out.send(
            "failed "
                + name
                + " "
                + app.status()
                    .reason()
                    .map(Reason::toString)
                    .orElse("no reason")
                    .replace('\n', ' '));
      }
    }

    @Override
    public void onCompacted(long compactRevision) {
      System.err.println("the applications watch was compacted at " + compactRevision);
    }
  }
}
