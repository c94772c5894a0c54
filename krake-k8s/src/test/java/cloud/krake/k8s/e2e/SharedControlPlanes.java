package cloud.krake.k8s.e2e;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Shares the two real clusters ({@link RealTestCluster} {@code a} and {@code b}) among every suite
 * of a module's test run: registered on a suite with {@code @ExtendWith}, it keeps them in the
 * JUnit root context's store, which closes them when the run ends. They start on first use, so a
 * run of fake-only suites starts none. Starting one takes the control plane's start-up time
 * (measured in the README); sharing them keeps that out of every class after the first.
 */
public final class SharedControlPlanes implements BeforeAllCallback {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(SharedControlPlanes.class);

  /** The run's clusters; set by the first suite's beforeAll (guarded by the class). */
  private static Clusters current;

  @Override
  public void beforeAll(ExtensionContext context) {
    Clusters clusters =
        context
            .getRoot()
            .getStore(NAMESPACE)
            .getOrComputeIfAbsent(Clusters.class, k -> new Clusters(), Clusters.class);
    synchronized (SharedControlPlanes.class) {
      current = clusters;
    }
  }

  public static Clusters current() {
    synchronized (SharedControlPlanes.class) {
      if (current == null) {
        throw new IllegalStateException(
            "real clusters are shared through @ExtendWith(SharedControlPlanes.class) on the suite");
      }
      return current;
    }
  }

  /** The run's two clusters, started on first use, stopped by JUnit at the end of the run. */
  public static final class Clusters implements AutoCloseable {

    /** Guarded by this. */
    private final Map<String, RealTestCluster> clusters = new LinkedHashMap<>();

    public synchronized TestCluster cluster(String name) {
      return clusters.computeIfAbsent(name, RealTestCluster::new);
    }

    @Override
    public synchronized void close() {
      clusters.values().forEach(RealTestCluster::stop);
      clusters.clear();
    }
  }
}
