package cloud.krake.testing.controlplane;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension that runs one real Kubernetes control plane ({@link KubernetesControlPlane})
 * for the tests of a class: started before all tests, closed (processes stopped, temporary
 * directories deleted) after all tests. Register two for two clusters.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final KubernetesControlPlaneExtension cluster =
 *     KubernetesControlPlaneExtension.builder().build();
 *
 * @Test void deploys() {
 *   ApiClient client = ClientBuilder.kubeconfig(
 *       KubeConfig.loadKubeConfig(Files.newBufferedReader(cluster.kubeconfigFile()))).build();
 *   ...
 * }
 * }</pre>
 *
 * <p>Register it in a {@code static} field: per-instance registration would not see {@code
 * beforeAll}. The tests share the cluster, so they should use distinct names or namespaces. Nested
 * test classes reuse the enclosing class's control plane. Threading: the callbacks and accessors
 * may be called from any thread.
 */
public final class KubernetesControlPlaneExtension implements BeforeAllCallback, AfterAllCallback {
  private final Consumer<KubernetesControlPlane.Builder> configuration;

  // Guarded by this.
  private KubernetesControlPlane controlPlane;
  private int depth;

  private KubernetesControlPlaneExtension(Builder builder) {
    this.configuration = builder.configuration;
  }

  /** Returns a builder for an extension with the fixture's defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Builds and starts the control plane before the first test of the registering class.
   *
   * @throws IllegalStateException if a binary is missing or the control plane does not start (see
   *     {@link KubernetesControlPlane#start()})
   */
  @Override
  public synchronized void beforeAll(ExtensionContext context) {
    if (depth++ == 0) {
      KubernetesControlPlane.Builder builder = KubernetesControlPlane.builder();
      configuration.accept(builder);
      try {
        controlPlane = builder.build();
        controlPlane.start();
      } catch (RuntimeException e) {
        if (controlPlane != null) {
          controlPlane.close();
        }
        controlPlane = null;
        depth = 0;
        throw e;
      }
    }
  }

  /** Closes the control plane after the last test of the registering class. */
  @Override
  public synchronized void afterAll(ExtensionContext context) {
    if (depth > 0 && --depth == 0 && controlPlane != null) {
      controlPlane.close();
      controlPlane = null;
    }
  }

  /**
   * Returns the running control plane.
   *
   * @throws IllegalStateException outside the tests of the registering class
   */
  public synchronized KubernetesControlPlane controlPlane() {
    if (controlPlane == null) {
      throw new IllegalStateException(
          "the control plane is not running: register the KubernetesControlPlaneExtension in a"
              + " static field");
    }
    return controlPlane;
  }

  /**
   * Returns the API server's URL.
   *
   * @throws IllegalStateException outside the tests of the registering class
   */
  public URI server() {
    return controlPlane().server();
  }

  /**
   * Returns an administrator's kubeconfig with embedded credentials (a copy).
   *
   * @throws IllegalStateException outside the tests of the registering class
   */
  public ObjectNode kubeconfig() {
    return controlPlane().kubeconfig();
  }

  /**
   * Returns the administrator's kubeconfig file.
   *
   * @throws IllegalStateException outside the tests of the registering class
   */
  public Path kubeconfigFile() {
    return controlPlane().kubeconfigFile();
  }

  /** Builds a {@link KubernetesControlPlaneExtension}; not thread-safe. */
  public static final class Builder {
    private Consumer<KubernetesControlPlane.Builder> configuration = b -> {};

    private Builder() {}

    /**
     * How long the control plane may take to start (default {@link
     * KubernetesControlPlane#DEFAULT_STARTUP_TIMEOUT}).
     *
     * @param startupTimeout a positive duration
     * @return this builder
     * @throws IllegalArgumentException if the duration is not positive
     */
    public Builder startupTimeout(Duration startupTimeout) {
      KubernetesControlPlane.builder().startupTimeout(startupTimeout);
      return configure(b -> b.startupTimeout(startupTimeout));
    }

    /**
     * Further configuration of the control plane, applied to its builder before each start.
     *
     * @param configuration what to set on the {@link KubernetesControlPlane.Builder}
     * @return this builder
     */
    public Builder configure(Consumer<KubernetesControlPlane.Builder> configuration) {
      Objects.requireNonNull(configuration, "configuration");
      this.configuration = this.configuration.andThen(configuration);
      return this;
    }

    /** Returns the extension. */
    public KubernetesControlPlaneExtension build() {
      return new KubernetesControlPlaneExtension(this);
    }
  }
}
