package cloud.krake.model;

/**
 * Pod counts of an application's workload as last observed, as Krake's {@code ContainerHealth}. All
 * counts default to {@code 0}.
 *
 * @param desiredPods the number of pods the workload asks for
 * @param runningPods the number of running pods
 * @param completedPods the number of pods that terminated successfully
 * @param failedPods the number of pods that failed
 */
public record ContainerHealth(int desiredPods, int runningPods, int completedPods, int failedPods) {

  /** No pods observed: all counts {@code 0}. */
  public static final ContainerHealth NONE = new ContainerHealth(0, 0, 0, 0);
}
