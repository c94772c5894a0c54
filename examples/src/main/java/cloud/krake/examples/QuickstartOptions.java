package cloud.krake.examples;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The quickstart's command line: {@code --kubeconfig FILE} (at most twice), {@code --control-plane
 * fake|real}, {@code --etcd URL}, {@code --help}. Options may also be written {@code --name=value}.
 *
 * @param kubeconfigs the kubeconfig files of real clusters, in order (the first becomes cluster
 *     {@code de}, the second {@code fr}); empty for the two clusters the quickstart starts
 * @param controlPlane what the two clusters the quickstart starts are (without kubeconfigs)
 * @param etcd the etcd endpoint to keep the state in; empty for the in-memory store
 * @param help whether {@code --help} was given
 */
record QuickstartOptions(
    List<Path> kubeconfigs, ControlPlane controlPlane, Optional<URI> etcd, boolean help) {

  /** The clusters the quickstart starts itself, each with a local kubelet as its node. */
  enum ControlPlane {
    /** Two fake API servers of krake-testing (the default: they start in milliseconds). */
    FAKE,
    /**
     * Two real control planes of krake-testing ({@code KubernetesControlPlane}: etcd,
     * kube-apiserver, kube-controller-manager, kube-scheduler of Kubernetes' own release).
     */
    REAL
  }

  /** The exit code of a bad command line, as the usual Unix convention. */
  static final int USAGE_EXIT_CODE = 2;

  static final String USAGE =
      """
      Usage: java -jar examples/target/krake-examples.jar [--control-plane fake|real]
                 [--kubeconfig FILE]... [--etcd URL]

      Runs Krake's hook scenarios end to end and prints their timeline and a table like
      `rok kube app list`; exits 0 when every scenario reached its expected end, 1 with the
      reason otherwise, 2 on a bad command line.

      Without options: a MemoryStore, two fake Kubernetes clusters (de, fr) whose pods run as
      local processes in a bubblewrap sandbox (needs bwrap and python3), and the embedded HTTPS
      hook endpoint with a hook CA generated at start.

      Options:
        --control-plane fake|real
                           what the two clusters are: fake API servers (the default), or real
                           Kubernetes control planes started on this machine (etcd,
                           kube-apiserver, kube-controller-manager, kube-scheduler, built by
                           scripts/build-control-plane.sh), whose node is the same local kubelet.
                           Not with --kubeconfig.
        --kubeconfig FILE  use a real cluster instead of the fakes; give it once or twice. The
                           first file becomes cluster "de" (location DE), the second "fr"
                           (location FR). With one file the migration of scenario 3 is skipped
                           (it says so), the service is still deployed and deleted through its
                           shutdown hook. Each file needs exactly one context, user and cluster
                           with embedded credentials. The pods call the hook endpoint at
                           https://127.0.0.1:<port> and Krake calls them at
                           <API server host>:<nodePort>, so the cluster must run on this machine
                           (e.g. kind or minikube with host networking) and pull
                           python:3.12-alpine.
        --etcd URL         keep Krake's state in etcd (v3 JSON gateway, e.g. http://127.0.0.1:2379)
                           instead of in memory. It must hold no quickstart resources from an
                           earlier run; a successful run removes the ones it created.
        -h, --help         print this help and exit
      """;

  QuickstartOptions {
    kubeconfigs = List.copyOf(kubeconfigs);
    Objects.requireNonNull(controlPlane, "controlPlane");
    Objects.requireNonNull(etcd, "etcd");
  }

  /**
   * Parses a command line.
   *
   * @param args the arguments
   * @return the options
   * @throws UsageException when an option is unknown, misses its value, names a file that cannot be
   *     read, gives more than two kubeconfigs, a control plane other than {@code fake} or {@code
   *     real}, {@code --control-plane} with {@code --kubeconfig}, or an etcd URL that is not
   *     http(s)
   */
  static QuickstartOptions parse(String... args) {
    List<Path> kubeconfigs = new ArrayList<>();
    Optional<URI> etcd = Optional.empty();
    Optional<ControlPlane> controlPlane = Optional.empty();
    boolean help = false;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String name = arg;
      Optional<String> inline = Optional.empty();
      int equals = arg.indexOf('=');
      if (arg.startsWith("--") && equals > 0) {
        name = arg.substring(0, equals);
        inline = Optional.of(arg.substring(equals + 1));
      }
      switch (name) {
        case "-h", "--help" -> help = true;
        case "--kubeconfig" -> {
          String value = inline.isPresent() ? inline.get() : value(args, ++i, name);
          Path file = Path.of(value);
          if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new UsageException("--kubeconfig " + value + ": no such readable file");
          }
          kubeconfigs.add(file);
          if (kubeconfigs.size() > 2) {
            throw new UsageException("--kubeconfig given more than twice (two clusters at most)");
          }
        }
        case "--control-plane" -> {
          if (controlPlane.isPresent()) {
            throw new UsageException("--control-plane given twice");
          }
          String value = inline.isPresent() ? inline.get() : value(args, ++i, name);
          controlPlane =
              Optional.of(
                  switch (value) {
                    case "fake" -> ControlPlane.FAKE;
                    case "real" -> ControlPlane.REAL;
                    default ->
                        throw new UsageException(
                            "--control-plane " + value + ": neither fake nor real");
                  });
        }
        case "--etcd" -> {
          if (etcd.isPresent()) {
            throw new UsageException("--etcd given twice");
          }
          etcd = Optional.of(etcdUrl(inline.isPresent() ? inline.get() : value(args, ++i, name)));
        }
        default ->
            throw new UsageException(
                arg.startsWith("-") ? "unknown option " + arg : "unexpected argument " + arg);
      }
    }
    if (controlPlane.isPresent() && !kubeconfigs.isEmpty()) {
      throw new UsageException(
          "--control-plane and --kubeconfig exclude each other: the clusters are started or given");
    }
    return new QuickstartOptions(kubeconfigs, controlPlane.orElse(ControlPlane.FAKE), etcd, help);
  }

  private static String value(String[] args, int index, String option) {
    if (index >= args.length || args[index].startsWith("--") || args[index].isBlank()) {
      throw new UsageException(option + " needs a value");
    }
    return args[index];
  }

  private static URI etcdUrl(String value) {
    try {
      URI uri = new URI(value);
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          || uri.getHost() == null) {
        throw new UsageException(
            "--etcd " + value + ": not an http(s) URL such as http://127.0.0.1:2379");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new UsageException("--etcd " + value + ": " + e.getMessage());
    }
  }

  /** A bad command line; the message says what is wrong, for the user. */
  static final class UsageException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }
}
