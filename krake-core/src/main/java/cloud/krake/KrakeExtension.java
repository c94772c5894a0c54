package cloud.krake;

/**
 * Something that plugs into a {@link Krake} instance at build time: registers hook handlers and the
 * {@link cloud.krake.runtime.Component}s it runs, and releases what it owns when the instance
 * closes ({@link #close()}). The Kubernetes backend ({@code cloud.krake.k8s.KubernetesBackend}) is
 * one; a host platform may write its own.
 */
@FunctionalInterface
public interface KrakeExtension extends AutoCloseable {

  /**
   * Registers what this extension contributes.
   *
   * @param builder the builder being configured; called once, from {@link Krake.Builder#extension}
   */
  void install(Krake.Builder builder);

  /**
   * Releases what the extension owns (connections, servers it was handed). Called once by {@link
   * Krake#close()} after every component has stopped, extensions in reverse order of installation,
   * and when {@link Krake.Builder#build()} fails after the extension was installed. The default
   * does nothing. Must not throw; a failure is logged.
   */
  @Override
  default void close() {}
}
