package cloud.krake.model;

/**
 * The infrastructure provider a cloud is managed through, as Krake's {@code
 * InfrastructureProviderRef}. Stored and read back unchanged: this library creates no cluster
 * through an infrastructure provider.
 *
 * @param name the name of the {@code InfrastructureProvider} or {@code
 *     GlobalInfrastructureProvider}; {@code ""} when absent
 * @param namespaced whether it names a namespaced provider; default {@code false}
 */
public record InfrastructureProviderRef(String name, boolean namespaced) {

  /** Normalises an absent name to {@code ""}, which validation reports. */
  public InfrastructureProviderRef {
    name = name == null ? "" : name;
  }
}
