package cloud.krake.examples;

import cloud.krake.model.KrakeJson;
import cloud.krake.testing.controlplane.KubernetesControlPlane;
import cloud.krake.testing.kubernetes.FakeKubernetesApiServer;
import cloud.krake.testing.kubernetes.LocalKubelet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A cluster the quickstart registers with Krake: a fake Kubernetes API server with a local kubelet
 * (the default; closed with it), a real control plane started on this machine with a local kubelet
 * as its node (closed with it), or a real cluster given by a kubeconfig file.
 */
final class DemoCluster implements AutoCloseable {

  private final String name;
  private final String location;
  private final String kubeconfig;
  private final String description;
  private final List<AutoCloseable> owned;

  private DemoCluster(
      String name,
      String location,
      String kubeconfig,
      String description,
      List<AutoCloseable> owned) {
    this.name = name;
    this.location = location;
    this.kubeconfig = kubeconfig;
    this.description = description;
    this.owned = List.copyOf(owned);
  }

  /**
   * The system property naming the {@code bwrap} the local kubelets use (default {@link
   * LocalKubelet#DEFAULT_BWRAP}); a path that does not exist runs the pods as plain processes, as
   * on a machine without bubblewrap.
   */
  static final String BWRAP_PROPERTY = "krake.kubelet.bwrap";

  /**
   * Starts a fake cluster whose pods run as local processes: in bubblewrap sandboxes where {@code
   * bwrap} is installed, else as plain processes (the kubelet's isolation is in the description).
   * Anonymous requests are allowed, as {@code kubectl} in a KubeTask pod sends no token over the
   * fake's plain HTTP.
   */
  static DemoCluster fake(String name, String location) {
    List<AutoCloseable> owned = new ArrayList<>();
    FakeKubernetesApiServer fake = FakeKubernetesApiServer.builder().name(name).build();
    owned.add(fake);
    LocalKubelet kubelet;
    try {
      kubelet =
          LocalKubelet.builder(fake)
              .bwrap(
                  Path.of(
                      System.getProperty(BWRAP_PROPERTY, LocalKubelet.DEFAULT_BWRAP.toString())))
              .build();
      owned.add(0, kubelet);
    } catch (RuntimeException e) {
      fake.close();
      throw e;
    }
    fake.allowAnonymous(true);
    return new DemoCluster(
        name,
        location,
        fake.kubeconfig(),
        "fake API server " + fake.url() + " with a local kubelet: " + kubelet.isolation(),
        owned);
  }

  /**
   * Starts a real control plane ({@link KubernetesControlPlane}: etcd, kube-apiserver,
   * kube-controller-manager and kube-scheduler of Kubernetes {@value
   * KubernetesControlPlane#KUBERNETES_RELEASE}) and a local kubelet that joins it as its node; the
   * description says how long the start took.
   *
   * @throws IllegalStateException if a binary is missing (the message names it and the build
   *     script) or the control plane is not ready in time
   */
  static DemoCluster realControlPlane(String name, String location) {
    long started = System.nanoTime();
    KubernetesControlPlane controlPlane = KubernetesControlPlane.builder().build();
    List<AutoCloseable> owned = new ArrayList<>();
    owned.add(controlPlane);
    try {
      controlPlane.start();
      double controlPlaneSeconds = (System.nanoTime() - started) / 1e9;
      String kubeconfig = KrakeJson.write(controlPlane.kubeconfig());
      LocalKubelet kubelet =
          LocalKubelet.forControlPlane(controlPlane, name + "-node")
              .bwrap(
                  Path.of(
                      System.getProperty(BWRAP_PROPERTY, LocalKubelet.DEFAULT_BWRAP.toString())))
              .build();
      owned.add(0, kubelet);
      double seconds = (System.nanoTime() - started) / 1e9;
      return new DemoCluster(
          name,
          location,
          kubeconfig,
          String.format(
              "real control plane %s (Kubernetes %s) started in %.1f s, its local kubelet node"
                  + " ready after %.1f s: %s",
              controlPlane.server(),
              KubernetesControlPlane.KUBERNETES_RELEASE,
              controlPlaneSeconds,
              seconds,
              kubelet.isolation()),
          owned);
    } catch (RuntimeException e) {
      new DemoCluster(name, location, "", "", owned).close();
      throw e;
    }
  }

  /** A real cluster from a kubeconfig file. */
  static DemoCluster kubeconfig(String name, String location, Path file) {
    try {
      return new DemoCluster(
          name, location, Files.readString(file), "kubeconfig " + file, List.of());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  String name() {
    return name;
  }

  /** The value of the cluster's {@code location} label: {@code DE} or {@code FR}. */
  String location() {
    return location;
  }

  String kubeconfig() {
    return kubeconfig;
  }

  String description() {
    return description;
  }

  /** Closes the kubelet, then the fake API server (nothing for a real cluster). */
  @Override
  public void close() {
    for (AutoCloseable c : owned) {
      try {
        c.close();
      } catch (Exception e) {
        // best effort on the way out
      }
    }
  }
}
