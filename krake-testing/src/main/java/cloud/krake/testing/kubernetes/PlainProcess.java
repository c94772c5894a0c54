package cloud.krake.testing.kubernetes;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The command line of one container (or exec) process where bubblewrap is not used ({@link
 * LocalKubelet.PodIsolation#PLAIN_PROCESS}): a plain local process on the host's root file system,
 * read-write.
 *
 * <p>With {@link Tools#namespaces() namespaces} (root and util-linux {@code unshare}) it runs in a
 * private mount and PID namespace made by {@code unshare}: the volumes bind-mounted at their mount
 * paths, the container's own {@code /tmp}, a fresh {@code /proc}, and the command as PID 1 (it
 * ignores a SIGTERM it does not trap, as in a container); a mount path missing on the host is
 * created there as an empty directory (see {@link #missingOnHost}). Without, the process shares the
 * host's mounts, PIDs and {@code /tmp}, and a volume can only be used where its source already is
 * at its mount path ({@link #command} refuses the rest). Either way the network is the caller's
 * (the kubelet runs the command inside the Pod's network namespace or on the host's) and, with
 * {@code setpriv}, the process dies with the JVM.
 */
final class PlainProcess {

  /** What the host offers for plain processes. */
  record Tools(Optional<Path> unshare, Optional<Path> setpriv, boolean root) {
    /** Whether containers get private mount and PID namespaces (root and {@code unshare}). */
    boolean namespaces() {
      return root && unshare.isPresent();
    }
  }

  private PlainProcess() {}

  /** Finds {@code unshare} and {@code setpriv} and whether the JVM runs as root. */
  static Tools tools() {
    List<String> missing = new ArrayList<>();
    Path unshare = NodeNetwork.executable("unshare", missing);
    Path setpriv = NodeNetwork.executable("setpriv", missing);
    return new Tools(
        missing.contains("unshare") ? Optional.empty() : Optional.of(unshare),
        missing.contains("setpriv") ? Optional.empty() : Optional.of(setpriv),
        NodeNetwork.root());
  }

  /**
   * Returns the command line: the launcher (if any), then {@code argv}.
   *
   * @param tmp the host directory mounted at {@code /tmp} (with namespaces)
   * @param workingDir an absolute path, created (empty) if it does not exist
   * @throws IllegalStateException without namespaces, if a volume's source is not already at its
   *     mount path (the message names the mount path)
   */
  static List<String> command(
      Tools tools, Path tmp, List<Sandbox.Mount> mounts, String workingDir, List<String> argv) {
    List<Sandbox.Mount> sorted = new ArrayList<>(mounts);
    sorted.sort(Comparator.comparing(Sandbox.Mount::target));
    List<String> args = new ArrayList<>();
    tools
        .setpriv()
        .ifPresent(
            setpriv -> args.addAll(List.of(setpriv.toString(), "--pdeathsig", "KILL", "--")));
    StringBuilder script = new StringBuilder("set -e\n");
    if (tools.namespaces()) {
      args.addAll(
          List.of(
              tools.unshare().orElseThrow().toString(),
              "--mount",
              "--propagation",
              "private",
              "--pid",
              "--fork",
              "--kill-child",
              "--mount-proc",
              "--"));
      // The kubelet's volumes may live under the host's /tmp: mounts outside /tmp first, then the
      // container's /tmp, then mounts into it from descriptors opened while the host's was seen.
      List<Sandbox.Mount> intoTmp = new ArrayList<>();
      for (Sandbox.Mount mount : sorted) {
        if (Sandbox.under(mount.target(), "/tmp")) {
          intoTmp.add(mount);
        } else {
          bind(script, quote(mount.source().toString()), mount);
        }
      }
      if (intoTmp.size() > 7) {
        throw new IllegalStateException(
            "at most 7 volume mounts under /tmp without bubblewrap, not " + intoTmp.size());
      }
      for (int i = 0; i < intoTmp.size(); i++) {
        script
            .append("exec ")
            .append(i + 3)
            .append('<')
            .append(quote(intoTmp.get(i).source().toString()))
            .append('\n');
      }
      script.append("mount --bind ").append(quote(tmp.toString())).append(" /tmp\n");
      for (int i = 0; i < intoTmp.size(); i++) {
        bind(script, "/proc/self/fd/" + (i + 3), intoTmp.get(i));
      }
      for (int i = 0; i < intoTmp.size(); i++) {
        script.append("exec ").append(i + 3).append("<&-\n");
      }
    } else {
      for (Sandbox.Mount mount : sorted) {
        if (!Path.of(mount.target()).normalize().equals(mount.source().normalize())) {
          throw new IllegalStateException(
              "the volume mount at "
                  + mount.target()
                  + " needs bubblewrap or root with unshare (a private mount namespace)");
        }
      }
    }
    script.append("mkdir -p ").append(quote(workingDir)).append('\n');
    script.append("cd ").append(quote(workingDir)).append('\n');
    script.append("exec \"$@\"\n");
    args.addAll(List.of("/bin/sh", "-c", script.toString(), "krake-container"));
    args.addAll(argv);
    return args;
  }

  private static void bind(StringBuilder script, String source, Sandbox.Mount mount) {
    String target = quote(mount.target());
    script.append("mkdir -p ").append(target).append('\n');
    script.append("mount --bind ").append(source).append(' ').append(target).append('\n');
    if (mount.readOnly()) {
      script.append("mount -o remount,bind,ro ").append(target).append('\n');
    }
  }

  /**
   * The outermost paths of the mount points and working directory that do not exist on the host and
   * would be created there (with namespaces), outside {@code /tmp}, {@code /dev} and {@code /proc}
   * and under no other mount point; the kubelet removes them again, if still empty, when it closes.
   */
  static List<Path> missingOnHost(List<Sandbox.Mount> mounts, String workingDir) {
    List<String> targets = mounts.stream().map(Sandbox.Mount::target).toList();
    List<String> needed = new ArrayList<>(targets);
    needed.add(workingDir);
    TreeSet<Path> missing = new TreeSet<>();
    for (String path : needed) {
      if (Sandbox.under(path, "/tmp")
          || Sandbox.under(path, "/dev")
          || Sandbox.under(path, "/proc")
          || Files.exists(Path.of(path), LinkOption.NOFOLLOW_LINKS)) {
        continue;
      }
      Path outermost = Path.of(path);
      Path parent = outermost.getParent();
      while (parent != null && !Files.exists(parent, LinkOption.NOFOLLOW_LINKS)) {
        outermost = parent;
        parent = parent.getParent();
      }
      String candidate = outermost.toString();
      if (targets.stream().noneMatch(t -> !t.equals(candidate) && Sandbox.under(candidate, t))) {
        missing.add(outermost);
      }
    }
    return List.copyOf(missing);
  }

  /** Quotes a word for {@code sh}. */
  static String quote(String word) {
    return "'" + word.replace("'", "'\\''") + "'";
  }
}
