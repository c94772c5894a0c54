package cloud.krake.k8s.e2e;

import java.util.List;

/**
 * {@link KubeletHooksIT} with Krake's own hook samples ({@code hook-complete.yaml}, {@code
 * hook-shutdown.yaml}), read from the directory the {@code krake-samples} Maven profile gives as
 * {@code krake.samples.dir}: the local kubelet runs the samples' unmodified scripts (Python with
 * {@code requests}), which call the hook endpoint over mutual TLS.
 */
class KubeletHooksSamplesConformanceIT extends KubeletHooksIT {

  @Override
  String completeManifest() {
    return "krake:hook-complete.yaml";
  }

  @Override
  String shutdownManifest() {
    return "krake:hook-shutdown.yaml";
  }

  @Override
  List<String> shutdownWorkload() {
    return List.of("apps/v1", "Deployment", "sd-deployment");
  }

  @Override
  String shutdownContainer() {
    return "shutdown";
  }
}
