package cloud.krake.hooks.execution;

import cloud.krake.dispatcher.HookException;
import cloud.krake.model.Cluster;
import cloud.krake.model.ResourceRef;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Runs pods and execs in a cluster for {@link KubeTaskFunction KubeTask} and {@link
 * KubeExecFunction KubeExec}; the Kubernetes module implements it on the official client, tests use
 * an in-memory fake.
 *
 * <p>Contract: both methods block until the pod or the command finished, the deadline passed, or
 * the cancellation flag was set, and must not outlive the deadline by more than a cleanup; on a
 * deadline or cancellation they stop the work (delete the pod, close the exec stream) and throw
 * {@link HookException}. A pod that ran is deleted before {@link #run} returns. Thread-safe.
 */
public interface PodRunner {

  /** No pod runner: every call fails, naming what is missing. The engine's default. */
  PodRunner NONE =
      new PodRunner() {
        @Override
        public PodResult run(PodTask task, Cancellation cancellation) {
          throw new HookException(
              "KubeTask", "no PodRunner is configured (the Kubernetes module provides one)", null);
        }

        @Override
        public ExecResult exec(ExecRequest request, Cancellation cancellation) {
          throw new HookException(
              "KubeExec", "no PodRunner is configured (the Kubernetes module provides one)", null);
        }
      };

  /**
   * Creates a pod from the task, waits for it to complete, collects its log and deletes it.
   *
   * @param task what to run
   * @param cancellation stop when set
   * @return the main container's exit code and log
   * @throws HookException if the pod cannot be created, does not complete by the deadline, or the
   *     run is cancelled
   * @throws InterruptedException if the thread is interrupted
   */
  PodResult run(PodTask task, Cancellation cancellation) throws InterruptedException;

  /**
   * Runs a command in a container of a running pod.
   *
   * @param request what to run where
   * @param cancellation stop when set
   * @return the exit code, stdout and stderr
   * @throws HookException if the pod or container does not exist, the command does not finish by
   *     the deadline, or the run is cancelled
   * @throws InterruptedException if the thread is interrupted
   */
  ExecResult exec(ExecRequest request, Cancellation cancellation) throws InterruptedException;

  /**
   * A pod to run to completion.
   *
   * @param cluster the cluster, in the Krake namespace of the application the pod is run for
   *     ({@link Cluster#ref(String, String)})
   * @param namespace the Kubernetes namespace
   * @param image the container image
   * @param command the command, argv without an implicit shell
   * @param podOverride a pod-spec fragment merged into the generated pod (Kanister's {@code
   *     podOverride}); carries {@code securityContext.runAsNonRoot: true} unless the blueprint
   *     opted out
   * @param deadline when the pod must have completed
   */
  record PodTask(
      ResourceRef cluster,
      String namespace,
      String image,
      List<String> command,
      ObjectNode podOverride,
      Instant deadline) {

    /** Checks and copies the components. */
    public PodTask {
      Objects.requireNonNull(cluster, "cluster");
      Objects.requireNonNull(namespace, "namespace");
      Objects.requireNonNull(image, "image");
      command = List.copyOf(Objects.requireNonNull(command, "command"));
      podOverride = Objects.requireNonNull(podOverride, "podOverride").deepCopy();
      Objects.requireNonNull(deadline, "deadline");
    }

    /** Returns a copy of the pod-spec fragment. */
    @Override
    public ObjectNode podOverride() {
      return podOverride.deepCopy();
    }
  }

  /**
   * The outcome of a completed pod.
   *
   * @param exitCode the main container's exit code
   * @param logs its log
   */
  record PodResult(int exitCode, String logs) {
    /** Checks the components. */
    public PodResult {
      Objects.requireNonNull(logs, "logs");
    }

    @Override
    public String toString() {
      return "PodResult[exitCode=" + exitCode + ", logs=<" + logs.length() + " chars>]";
    }
  }

  /**
   * A command to run in a container.
   *
   * @param cluster the cluster, in the Krake namespace of the application the command is run for
   *     ({@link Cluster#ref(String, String)})
   * @param namespace the pod's namespace
   * @param pod the pod's name
   * @param container the container; empty for the pod's only or first container
   * @param command the command, argv without an implicit shell
   * @param deadline when the command must have finished
   */
  record ExecRequest(
      ResourceRef cluster,
      String namespace,
      String pod,
      Optional<String> container,
      List<String> command,
      Instant deadline) {

    /** Checks and copies the components. */
    public ExecRequest {
      Objects.requireNonNull(cluster, "cluster");
      Objects.requireNonNull(namespace, "namespace");
      Objects.requireNonNull(pod, "pod");
      Objects.requireNonNull(container, "container");
      command = List.copyOf(Objects.requireNonNull(command, "command"));
      Objects.requireNonNull(deadline, "deadline");
    }
  }

  /**
   * The outcome of a command.
   *
   * @param exitCode the exit code
   * @param stdout what it wrote to stdout
   * @param stderr what it wrote to stderr
   */
  record ExecResult(int exitCode, String stdout, String stderr) {
    /** Checks the components. */
    public ExecResult {
      Objects.requireNonNull(stdout, "stdout");
      Objects.requireNonNull(stderr, "stderr");
    }

    @Override
    public String toString() {
      return "ExecResult[exitCode="
          + exitCode
          + ", stdout=<"
          + stdout.length()
          + " chars>, stderr=<"
          + stderr.length()
          + " chars>]";
    }
  }
}
