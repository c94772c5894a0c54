package cloud.krake.benchmarks;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link ControllerLoad} runs.
 *
 * @param applications how many applications, at least 2 and at least one per cluster (spread
 *     round-robin)
 * @param workers worker threads per Krake component ({@link
 *     cloud.krake.Krake.Builder#workers(int)}), and the baseline's threads
 * @param clientThreads threads calling the hook endpoint in phase 2
 * @param phaseTimeout how long each phase may take
 * @param jfr a directory to keep the host's JFR recordings in ({@code controller-load-phase1.jfr},
 *     {@code ...-phase2.jfr}); empty: temporary files, deleted after reading
 * @param hostJvmOptions the host JVM's options ({@code -Xmx1g})
 * @param instances 0 for one host on a {@code MemoryStore} of its own; 1 or more for that many host
 *     JVMs, members of one group on one etcd the driver starts
 * @param etcdMembers that etcd's members (1 or 3), with {@code instances} above 0
 * @param leaseTtl the group's lease TTL, with {@code instances} above 0
 * @param warmupRounds rounds of both phases before the measured one (0 to {@value
 *     ControllerLoad#MAX_WARMUP_ROUNDS})
 */
record LoadOptions(
    int applications,
    int workers,
    int clientThreads,
    Duration phaseTimeout,
    Optional<Path> jfr,
    List<String> hostJvmOptions,
    int instances,
    int etcdMembers,
    Duration leaseTtl,
    int warmupRounds) {
  LoadOptions {
    if (warmupRounds < 0 || warmupRounds > ControllerLoad.MAX_WARMUP_ROUNDS) {
      throw new IllegalArgumentException(
          "krake.load.warmup must be from 0 to "
              + ControllerLoad.MAX_WARMUP_ROUNDS
              + ": "
              + warmupRounds);
    }
    if (instances < 0 || instances > ControllerLoad.MAX_INSTANCES) {
      throw new IllegalArgumentException(
          ControllerLoad.INSTANCES_PROPERTY
              + " must be from 1 to "
              + ControllerLoad.MAX_INSTANCES
              + " (0: one host on a MemoryStore): "
              + instances);
    }
    if (etcdMembers < 1 || etcdMembers > 7) {
      throw new IllegalArgumentException(
          "krake.load.etcdMembers must be from 1 to 7: " + etcdMembers);
    }
    if (leaseTtl.toSeconds() < 1) {
      throw new IllegalArgumentException(
          "krake.load.leaseTtl must be at least 1 second: " + leaseTtl);
    }
    if (applications < 2) {
      throw new IllegalArgumentException("at least 2 applications: " + applications);
    }
    if (workers < 1 || clientThreads < 1) {
      throw new IllegalArgumentException("workers and client threads must be at least 1");
    }
    Objects.requireNonNull(phaseTimeout, "phaseTimeout");
    Objects.requireNonNull(jfr, "jfr");
    hostJvmOptions = List.copyOf(hostJvmOptions);
  }

  /**
   * One host on a {@code MemoryStore} of its own, no warm-up round ({@link #withWarmupRounds} adds
   * some).
   */
  LoadOptions(
      int applications,
      int workers,
      int clientThreads,
      Duration phaseTimeout,
      Optional<Path> jfr,
      List<String> hostJvmOptions) {
    this(
        applications,
        workers,
        clientThreads,
        phaseTimeout,
        jfr,
        hostJvmOptions,
        0,
        1,
        ControllerLoad.DEFAULT_LEASE_TTL,
        0);
  }

  /**
   * These options with {@code warmupRounds} warm-up rounds.
   *
   * @throws IllegalArgumentException naming {@code krake.load.warmup} if {@code warmupRounds} is
   *     not from 0 to {@value ControllerLoad#MAX_WARMUP_ROUNDS}
   */
  LoadOptions withWarmupRounds(int warmupRounds) {
    return new LoadOptions(
        applications,
        workers,
        clientThreads,
        phaseTimeout,
        jfr,
        hostJvmOptions,
        instances,
        etcdMembers,
        leaseTtl,
        warmupRounds);
  }

  /** Whether the hosts are a group on etcd rather than one host on its own memory store. */
  boolean onEtcd() {
    return instances > 0;
  }
}
