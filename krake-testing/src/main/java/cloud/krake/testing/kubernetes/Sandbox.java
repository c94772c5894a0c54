package cloud.krake.testing.kubernetes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The bubblewrap command line of one container (or exec) process: the host's root read-only, fresh
 * {@code /dev} and {@code /proc}, the container's own {@code /tmp}, the volumes bind-mounted at
 * their mount paths, a PID namespace in which the command is PID 1 (so, as in a container, a signal
 * it does not handle, SIGTERM included, is ignored; SIGKILL is not), and the process dies with the
 * JVM. The network is the caller's: the kubelet runs this command inside the Pod's network
 * namespace ({@link PodSandbox#enter()}) or on the host's.
 *
 * <p>A mount path whose parent does not exist on the host (say {@code /etc/krake_complete_cert})
 * cannot be created in the read-only root, so its nearest existing ancestor is shadowed: a tmpfs
 * with every entry of the host directory bind-mounted back (read-only) and symlinks recreated,
 * remounted read-only once the mount points are made. A mount path leading through a symlink of the
 * host ({@code /var/run}, where the API server mounts service account tokens) is mounted where the
 * symlink leads.
 */
final class Sandbox {
  private static final Set<String> SPECIAL = Set.of("/dev", "/proc", "/tmp");

  /** A bind mount into the sandbox. */
  record Mount(Path source, String target, boolean readOnly) {}

  private Sandbox() {}

  /**
   * Returns the command line: {@code bwrap} with its options, then {@code argv}.
   *
   * @param tmp the host directory mounted at {@code /tmp}
   * @param workingDir an absolute path, created (empty) if it does not exist
   */
  static List<String> command(
      Path bwrap, Path tmp, List<Mount> mounts, String workingDir, List<String> argv) {
    List<Mount> sorted = new ArrayList<>();
    for (Mount mount : mounts) {
      sorted.add(new Mount(mount.source(), throughHostSymlinks(mount.target()), mount.readOnly()));
    }
    sorted.sort(Comparator.comparing(Mount::target));
    List<String> targets = sorted.stream().map(Mount::target).toList();
    boolean createWorkingDir = !exists(workingDir);
    List<String> needed = new ArrayList<>(targets);
    if (createWorkingDir) {
      needed.add(workingDir);
    }
    TreeSet<String> shadows =
        new TreeSet<>(Comparator.comparingInt(Sandbox::depth).thenComparing(s -> s));
    for (String path : needed) {
      if (exists(path)) {
        continue;
      }
      String ancestor = parent(path);
      while (!writable(ancestor, targets) && !exists(ancestor)) {
        ancestor = parent(ancestor);
      }
      if (!writable(ancestor, targets)) {
        shadows.add(ancestor);
      }
    }
    List<String> args = new ArrayList<>();
    args.add(bwrap.toString());
    args.add("--die-with-parent");
    args.add("--unshare-pid");
    args.add("--as-pid-1");
    if (shadows.contains("/")) {
      args.add("--tmpfs");
      args.add("/");
      rebind(args, "/");
    } else {
      args.add("--ro-bind");
      args.add("/");
      args.add("/");
    }
    args.add("--dev");
    args.add("/dev");
    args.add("--proc");
    args.add("/proc");
    args.add("--bind");
    args.add(tmp.toString());
    args.add("/tmp");
    for (String shadow : shadows) {
      if (!shadow.equals("/")) {
        args.add("--tmpfs");
        args.add(shadow);
        rebind(args, shadow);
      }
    }
    for (Mount mount : sorted) {
      args.add(mount.readOnly() ? "--ro-bind" : "--bind");
      args.add(mount.source().toString());
      args.add(mount.target());
    }
    if (createWorkingDir) {
      args.add("--dir");
      args.add(workingDir);
    }
    for (String shadow : shadows.descendingSet()) {
      args.add("--remount-ro");
      args.add(shadow);
    }
    args.add("--chdir");
    args.add(workingDir);
    args.add("--");
    args.addAll(argv);
    return args;
  }

  /** Binds every entry of the host directory back into its shadow (symlinks recreated). */
  private static void rebind(List<String> args, String directory) {
    try (Stream<Path> entries = Files.list(Path.of(directory))) {
      for (Path entry : (Iterable<Path>) entries.sorted()::iterator) {
        String path = entry.toString();
        if (directory.equals("/") && SPECIAL.contains(path)) {
          continue;
        }
        if (Files.isSymbolicLink(entry)) {
          args.add("--symlink");
          args.add(Files.readSymbolicLink(entry).toString());
          args.add(path);
        } else {
          args.add("--ro-bind-try");
          args.add(path);
          args.add(path);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + directory + " for the sandbox", e);
    }
  }

  /**
   * A mount path with the host's symlinks among its existing ancestors resolved ({@code
   * /var/run/secrets/...} is {@code /run/secrets/...} where {@code /var/run} links to {@code /run},
   * as on Debian): bubblewrap cannot shadow a symlink with a tmpfs, and the path still leads to the
   * mount inside the sandbox, whose root is the host's.
   */
  static String throughHostSymlinks(String target) {
    if (under(target, "/tmp") || under(target, "/dev") || under(target, "/proc")) {
      return target;
    }
    Path path = Path.of(target);
    Path existing = path;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      return target;
    }
    try {
      Path real = existing.toRealPath();
      if (real.equals(existing)) {
        return target;
      }
      return real.resolve(existing.relativize(path)).toString();
    } catch (IOException e) {
      return target;
    }
  }

  /** Whether the path exists in the read-only root (the host's, outside /tmp, /dev, /proc). */
  private static boolean exists(String path) {
    if (under(path, "/tmp") || under(path, "/dev") || under(path, "/proc")) {
      return false;
    }
    return Files.exists(Path.of(path), LinkOption.NOFOLLOW_LINKS);
  }

  /** Whether bubblewrap can create a directory at this path while it sets the sandbox up. */
  private static boolean writable(String path, List<String> targets) {
    if (under(path, "/tmp") || under(path, "/dev")) {
      return true;
    }
    for (String target : targets) {
      if (under(path, target)) {
        return true;
      }
    }
    return false;
  }

  static boolean under(String path, String directory) {
    return path.equals(directory)
        || path.startsWith(directory.endsWith("/") ? directory : directory + "/");
  }

  private static String parent(String path) {
    Path parent = Path.of(path).getParent();
    return parent == null ? "/" : parent.toString();
  }

  private static int depth(String path) {
    return path.equals("/") ? 0 : Path.of(path).getNameCount();
  }
}
