package cloud.krake;

/**
 * Something that plugs into a {@link Krake} instance at build time: registers hook handlers and the
 * {@link cloud.krake.runtime.Component}s it runs. The Kubernetes backend ({@code
 * cloud.krake.k8s.KubernetesBackend}) is one; a host platform may write its own.
 */
@FunctionalInterface
public interface KrakeExtension {

  /**
   * Registers what this extension contributes.
   *
   * @param builder the builder being configured; called once, from {@link Krake.Builder#extension}
   */
  void install(Krake.Builder builder);
}
