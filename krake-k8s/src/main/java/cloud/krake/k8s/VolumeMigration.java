package cloud.krake.k8s;

import cloud.krake.model.Application;
import cloud.krake.model.PodTemplates;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data move of a migration, as Krake's volume migration ({@code transfer_data}, {@code
 * transfer_file}): for every workload of the manifest whose pod template mounts a writable data
 * volume (a {@code persistentVolumeClaim}, an {@code emptyDir}, or a StatefulSet's {@code
 * volumeClaimTemplates} entry; mounts with {@code readOnly: true} or a {@code subPath} are left
 * out), once the workload's pods run on both clusters, each volume's content is streamed from the
 * old cluster's pod to the new cluster's pod through {@code pods/exec} ({@code tar cf - -C
 * <mountPath> .} into {@code tar xf - -C <mountPath>}), then each file's sha256 ({@code sha256sum})
 * is compared on both sides. Files that differ or are missing are copied again, up to {@link
 * MigrationConfig#retryMax()} tries per volume; after that the move fails with a {@link
 * VolumeMigrationException} naming the pod, the volume and the file.
 *
 * <p>Pods are paired by name (a Pod, a StatefulSet's {@code <name>-<ordinal>}), else in name order
 * (a Deployment's pods). The tar archive is spooled to a temporary file of the host between the two
 * execs, so that a broken stream on one side does not leave the other one half-written, and deleted
 * at once. Unlike Krake (every mount of bare Pods only; configuration volumes too), only writable
 * data volumes are copied, for every kind of workload.
 *
 * <p>Blocking: called on the controller's worker, it waits for the pods (polling every {@value
 * #POLL_MILLIS} ms) and for each command at most {@link MigrationConfig#copyTimeout()}. Stateless
 * apart from its configuration; thread-safe.
 */
final class VolumeMigration {

  private static final Logger log = LoggerFactory.getLogger(ApplicationController.class);

  /** How often the new cluster's pods are listed while waiting for them to run. */
  static final long POLL_MILLIS = 500;

  private static final Pattern SUM = Pattern.compile("^\\\\?([0-9a-f]{64}) [ *](.*)$");

  /** One writable data volume of a workload's pod template, mounted in one container. */
  record DataVolume(String volume, String container, String mountPath) {}

  /** A workload of the manifest with the data volumes its pods mount. */
  record DataWorkload(ObjectNode resource, List<DataVolume> volumes) {
    String kind() {
      return resource.path("kind").asText();
    }

    String name() {
      return resource.path("metadata").path("name").asText();
    }
  }

  private final MigrationConfig config;

  VolumeMigration(MigrationConfig config) {
    this.config = config;
  }

  MigrationConfig config() {
    return config;
  }

  /** The manifest's workloads that mount writable data volumes; empty when there is no data. */
  static List<DataWorkload> workloads(Application app) {
    List<DataWorkload> out = new ArrayList<>();
    for (ObjectNode resource : app.spec().manifest()) {
      if (!PodTemplates.isWorkload(resource) || resource.path("kind").asText().equals("Job")) {
        continue;
      }
      JsonNode spec = PodTemplates.podSpec(resource);
      Set<String> data = new HashSet<>();
      for (JsonNode volume : spec.path("volumes")) {
        if (volume.has("persistentVolumeClaim") || volume.has("emptyDir")) {
          data.add(volume.path("name").asText());
        }
      }
      for (JsonNode template : resource.path("spec").path("volumeClaimTemplates")) {
        data.add(template.path("metadata").path("name").asText());
      }
      List<DataVolume> volumes = new ArrayList<>();
      for (JsonNode container : spec.path("containers")) {
        for (JsonNode mount : container.path("volumeMounts")) {
          String name = mount.path("name").asText();
          if (data.contains(name)
              && !mount.path("readOnly").asBoolean(false)
              && mount.path("subPath").asText("").isEmpty()
              && volumes.stream().noneMatch(v -> v.volume().equals(name))) {
            volumes.add(
                new DataVolume(
                    name, container.path("name").asText(), mount.path("mountPath").asText()));
          }
        }
      }
      if (!volumes.isEmpty()) {
        out.add(new DataWorkload(resource, volumes));
      }
    }
    return out;
  }

  /**
   * Copies the data of every workload from the old cluster's pods to the new cluster's pods.
   *
   * @param app the application (its manifest names the workloads)
   * @param from the old cluster's client and name
   * @param to the new cluster's client and name
   * @throws VolumeMigrationException when the new pods do not run in time, a listing on the old
   *     side fails, or a file still differs after the last try
   * @throws InterruptedException when the worker is interrupted
   */
  void copy(Application app, Side from, Side to)
      throws VolumeMigrationException, InterruptedException {
    for (DataWorkload workload : workloads(app)) {
      // a pod still Pending has not started (its claim may not even be bound): nothing to copy
      // from it; a started one that is restarting is waited for
      int count =
          (int)
              pods(workload, from.client()).stream()
                  .filter(p -> !p.path("status").path("phase").asText("Pending").equals("Pending"))
                  .count();
      if (count == 0) {
        log.warn(
            "migration: {} {} has no started pod on cluster {}; no data to copy",
            workload.kind(),
            workload.name(),
            from.name());
        continue;
      }
      List<ObjectNode> oldPods = awaitPods(workload, from, count);
      List<ObjectNode> newPods = awaitPods(workload, to, count);
      Map<ObjectNode, ObjectNode> pairs = pair(oldPods, newPods);
      for (Map.Entry<ObjectNode, ObjectNode> pair : pairs.entrySet()) {
        for (DataVolume volume : workload.volumes()) {
          copyVolume(workload, volume, pair.getKey(), pair.getValue(), from, to);
        }
      }
    }
  }

  /** One side of the move: a cluster's client and its name (for messages). */
  record Side(ClusterClient client, String name) {}

  private void copyVolume(
      DataWorkload workload,
      DataVolume volume,
      ObjectNode oldPod,
      ObjectNode newPod,
      Side from,
      Side to)
      throws VolumeMigrationException, InterruptedException {
    String namespace = namespace(oldPod);
    String oldName = name(oldPod);
    String newName = name(newPod);
    String where =
        "volume "
            + volume.volume()
            + " ("
            + volume.mountPath()
            + ") of pod "
            + namespace
            + "/"
            + oldName
            + " on cluster "
            + from.name()
            + " to pod "
            + newName
            + " on cluster "
            + to.name();
    Map<String, String> source;
    try {
      source = sums(from.client(), namespace, oldName, volume);
    } catch (KubernetesException e) {
      throw new VolumeMigrationException(where + ": listing the files failed: " + e.getMessage());
    }
    List<String> pending = null; // null: everything
    String last = "";
    for (int attempt = 1; attempt <= config.retryMax(); attempt++) {
      try {
        transfer(volume, namespace, oldName, newName, from, to, pending);
        Map<String, String> target = sums(to.client(), namespace, newName, volume);
        List<String> differing = new ArrayList<>();
        for (Map.Entry<String, String> file : source.entrySet()) {
          if (!file.getValue().equals(target.get(file.getKey()))) {
            differing.add(file.getKey());
          }
        }
        if (differing.isEmpty()) {
          log.info(
              "migration: {}: {} files copied, sha256 equal on both sides (try {})",
              where,
              source.size(),
              attempt);
          return;
        }
        String file = differing.get(0);
        last =
            "file "
                + file
                + " differs (sha256 "
                + source.get(file)
                + " on cluster "
                + from.name()
                + ", "
                + target.getOrDefault(file, "missing")
                + " on cluster "
                + to.name()
                + ")"
                + (differing.size() > 1 ? " and " + (differing.size() - 1) + " more" : "");
        pending = differing;
      } catch (KubernetesException | StreamFailure e) {
        last = e.getMessage();
      }
      log.warn("migration: {}: try {} of {} failed: {}", where, attempt, config.retryMax(), last);
    }
    throw new VolumeMigrationException(
        where + ": not copied after " + config.retryMax() + " tries: " + last);
  }

  /** Streams a tar of the volume (or of the given files) from the old pod into the new one. */
  private void transfer(
      DataVolume volume,
      String namespace,
      String oldPod,
      String newPod,
      Side from,
      Side to,
      List<String> files)
      throws InterruptedException, StreamFailure {
    List<String> create = new ArrayList<>(List.of("tar", "cf", "-", "-C", volume.mountPath()));
    if (files == null) {
      create.add(".");
    } else {
      create.add("--");
      create.addAll(files);
    }
    Path spool;
    try {
      spool = Files.createTempFile("krake-migration-", ".tar");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      KubernetesExecResult created;
      try (OutputStream out = Files.newOutputStream(spool)) {
        created =
            from.client()
                .exec(
                    namespace,
                    oldPod,
                    Optional.of(volume.container()),
                    create,
                    Optional.empty(),
                    out,
                    config.copyTimeout());
      }
      if (created.exitCode() != 0) {
        throw new StreamFailure(
            "tar on cluster "
                + from.name()
                + " exited with "
                + created.exitCode()
                + ": "
                + created.stderr().strip());
      }
      KubernetesExecResult extracted;
      try (InputStream in = Files.newInputStream(spool)) {
        extracted =
            to.client()
                .exec(
                    namespace,
                    newPod,
                    Optional.of(volume.container()),
                    List.of("tar", "xf", "-", "-C", volume.mountPath()),
                    Optional.of(in),
                    OutputStream.nullOutputStream(),
                    config.copyTimeout());
      }
      if (extracted.exitCode() != 0) {
        throw new StreamFailure(
            "tar on cluster "
                + to.name()
                + " exited with "
                + extracted.exitCode()
                + ": "
                + extracted.stderr().strip());
      }
    } catch (IOException e) {
      throw new StreamFailure("the archive could not be spooled: " + e);
    } finally {
      try {
        Files.deleteIfExists(spool);
      } catch (IOException e) {
        log.warn("migration: could not delete {}: {}", spool, e.toString());
      }
    }
  }

  /** Each file's sha256 under the mount path, by path relative to it ({@code ./dir/file}). */
  private Map<String, String> sums(
      ClusterClient client, String namespace, String pod, DataVolume volume)
      throws InterruptedException {
    KubernetesExecResult listed =
        client.exec(
            namespace,
            pod,
            Optional.of(volume.container()),
            List.of(
                "sh",
                "-c",
                "cd \"$1\" && find . -type f -exec sha256sum -- {} +",
                "sh",
                volume.mountPath()),
            config.copyTimeout());
    if (listed.exitCode() != 0) {
      throw new KubernetesException(
          cloud.krake.model.ReasonCode.KUBERNETES_ERROR,
          0,
          "sha256sum in pod "
              + namespace
              + "/"
              + pod
              + " exited with "
              + listed.exitCode()
              + ": "
              + listed.stderr().strip(),
          null);
    }
    Map<String, String> sums = new LinkedHashMap<>();
    for (String line : listed.stdout().split("\n")) {
      Matcher m = SUM.matcher(line);
      if (m.matches()) {
        sums.put(m.group(2), m.group(1));
      }
    }
    return sums;
  }

  /** The workload's pods on a cluster, not being deleted, by name. */
  private static List<ObjectNode> pods(DataWorkload workload, ClusterClient client) {
    ObjectNode resource = workload.resource();
    String namespace =
        resource.path("metadata").path("namespace").asText(client.defaultNamespace());
    List<ObjectNode> found;
    if (workload.kind().equals("Pod")) {
      found = client.get(resource).map(List::of).orElse(List.of());
    } else {
      String selector =
          PodTemplates.podTemplate(resource).path("metadata").path("labels").properties().stream()
              .map(e -> e.getKey() + "=" + e.getValue().asText())
              .sorted()
              .collect(Collectors.joining(","));
      if (selector.isEmpty()) {
        return List.of();
      }
      found = client.list("v1", "Pod", Optional.of(namespace), selector);
    }
    return found.stream()
        .filter(p -> !p.path("metadata").hasNonNull("deletionTimestamp"))
        .sorted(Comparator.comparing(VolumeMigration::name))
        .toList();
  }

  /** Waits until a cluster runs (at least) the given number of pods of the workload. */
  private List<ObjectNode> awaitPods(DataWorkload workload, Side to, int count)
      throws VolumeMigrationException, InterruptedException {
    long deadline = System.nanoTime() + config.copyTimeout().toNanos();
    while (true) {
      List<ObjectNode> pods = pods(workload, to.client());
      List<ObjectNode> running = pods.stream().filter(VolumeMigration::running).toList();
      if (running.size() >= count) {
        return running.subList(0, count);
      }
      if (System.nanoTime() - deadline >= 0) {
        throw new VolumeMigrationException(
            workload.kind()
                + " "
                + workload.name()
                + ": "
                + running.size()
                + " of "
                + count
                + " pods running on cluster "
                + to.name()
                + " after "
                + config.copyTimeout()
                + "; data not copied");
      }
      TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
    }
  }

  private static boolean running(ObjectNode pod) {
    if (!pod.path("status").path("phase").asText().equals("Running")) {
      return false;
    }
    JsonNode statuses = pod.path("status").path("containerStatuses");
    if (statuses.isEmpty()) {
      return false;
    }
    for (JsonNode status : statuses) {
      if (!status.path("state").has("running")) {
        return false;
      }
    }
    return true;
  }

  /** Old pods to new pods: by name where the names match, else in name order. */
  private static Map<ObjectNode, ObjectNode> pair(
      List<ObjectNode> oldPods, List<ObjectNode> newPods) {
    Map<ObjectNode, ObjectNode> pairs = new LinkedHashMap<>();
    Set<String> newNames = new TreeSet<>();
    newPods.forEach(p -> newNames.add(name(p)));
    boolean byName = oldPods.stream().allMatch(p -> newNames.contains(name(p)));
    for (int i = 0; i < oldPods.size(); i++) {
      ObjectNode old = oldPods.get(i);
      ObjectNode match =
          byName
              ? newPods.stream().filter(p -> name(p).equals(name(old))).findFirst().orElseThrow()
              : newPods.get(i);
      pairs.put(old, match);
    }
    return pairs;
  }

  private static String name(ObjectNode pod) {
    return pod.path("metadata").path("name").asText();
  }

  private static String namespace(ObjectNode pod) {
    return pod.path("metadata").path("namespace").asText("default");
  }

  /** A try whose stream failed (a tar exited with an error, the spool failed). */
  private static final class StreamFailure extends Exception {
    private static final long serialVersionUID = 1L;

    StreamFailure(String message) {
      super(message);
    }
  }

  static Duration backOff(MigrationConfig config, int retries) {
    return Duration.ofSeconds(config.retryTimeout().toSeconds() * retries);
  }
}
