package cloud.krake.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.krake.Krake;
import cloud.krake.hooks.HookConfig;
import cloud.krake.hooks.HooksConfig;
import cloud.krake.hooks.SharedHttpClient;
import cloud.krake.hooks.ShutdownHookConfig;
import cloud.krake.hooks.shutdown.ShutdownProtocol;
import cloud.krake.hooks.tls.GeneratedHookCa;
import cloud.krake.hooks.tls.HookCertificateAuthorities;
import cloud.krake.model.Application;
import cloud.krake.model.FieldError;
import cloud.krake.model.InvalidResourceException;
import cloud.krake.model.KrakeJson;
import cloud.krake.store.memory.MemoryStore;
import java.net.URI;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the backend's configuration lets applications ask for. */
class KubernetesBackendHooksTest {

  private final MemoryStore store = MemoryStore.create();
  private Krake krake;

  @AfterEach
  void close() {
    if (krake != null) {
      krake.close();
    }
    store.close();
  }

  private Krake krake(Consumer<KubernetesBackend.Builder> backend) {
    KubernetesBackend.Builder builder =
        KubernetesBackend.builder().connector(KubeconfigClusterConnector.builder().build());
    backend.accept(builder);
    krake = Krake.builder().store(store).extension(builder.build()).build();
    return krake;
  }

  private static Application app(String hooks) {
    return KrakeJson.read(
        """
        metadata: {name: job, namespace: tenant}
        spec:
          manifest: [{apiVersion: v1, kind: ConfigMap, metadata: {name: job}}]
          constraints: {cluster: {}}
          hooks: %s
        """
            .formatted(hooks),
        Application.class);
  }

  @Test
  void withoutHooksConfigurationAnApplicationAskingForCompleteOrShutdownIsRejectedNamingTheEntry() {
    Krake krake = krake(backend -> {});
    long before = store.revision();

    assertThatThrownBy(() -> krake.applications().create(app("[other, complete, shutdown]")))
        .isInstanceOfSatisfying(
            InvalidResourceException.class,
            e ->
                assertThat(e.errors())
                    .extracting(FieldError::field, FieldError::message)
                    .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(
                            "spec.hooks[1]",
                            "the complete hook is not configured on this host: the Kubernetes"
                                + " backend was built without a hooks configuration"
                                + " (KubernetesBackend.Builder.krakeHooks)"),
                        org.assertj.core.groups.Tuple.tuple(
                            "spec.hooks[2]",
                            "the shutdown hook is not configured on this host: the Kubernetes"
                                + " backend was built without a hooks configuration"
                                + " (KubernetesBackend.Builder.krakeHooks)")));

    assertThat(krake.applications().get("tenant", "job")).isEmpty();
    assertThat(store.revision()).isEqualTo(before);
  }

  @Test
  void withoutHooksConfigurationAnUpdateThatAddsAHookIsRejectedToo() {
    Krake krake = krake(backend -> {});
    Application created = krake.applications().create(app("[]"));

    assertThatThrownBy(
            () -> krake.applications().update(created.withSpec(app("[shutdown]").spec())))
        .isInstanceOfSatisfying(
            InvalidResourceException.class,
            e ->
                assertThat(e.errors())
                    .extracting(FieldError::field)
                    .containsExactly("spec.hooks[0]"));
    assertThat(krake.applications().require("tenant", "job").spec().hooks()).isEmpty();
  }

  @Test
  void withoutHooksConfigurationApplicationsWithoutKrakeHooksAreAccepted() {
    Krake krake = krake(backend -> {});

    assertThat(krake.applications().create(app("[some-other-hook]")).spec().hooks())
        .containsExactly("some-other-hook");
  }

  @Test
  void withHooksConfigurationBothHooksAreAccepted() {
    GeneratedHookCa ca = GeneratedHookCa.generate(Clock.systemUTC());
    HooksConfig config =
        HooksConfig.builder()
            .endpoint(URI.create("http://127.0.0.1:1"))
            .complete(ca.withIntermediate(HookConfig.completeDefaults()))
            .shutdown(
                ShutdownHookConfig.defaults()
                    .withHook(ca.withIntermediate(HookConfig.shutdownDefaults())))
            .build();
    Krake krake =
        krake(
            backend ->
                backend.krakeHooks(
                    config, HookCertificateAuthorities.of(config, Clock.systemUTC())));

    assertThat(krake.applications().create(app("[complete, shutdown]")).spec().hooks())
        .containsExactly("complete", "shutdown");
  }

  @Test
  void theHooksPoolsAndHttpClientAreTheInstancesAndClosingKrakeShutsThemDown() {
    GeneratedHookCa ca = GeneratedHookCa.generate(Clock.systemUTC());
    HooksConfig config =
        HooksConfig.builder()
            .endpoint(URI.create("http://127.0.0.1:1"))
            .complete(ca.withIntermediate(HookConfig.completeDefaults()))
            .shutdown(
                ShutdownHookConfig.defaults()
                    .withHook(ca.withIntermediate(HookConfig.shutdownDefaults())))
            .build();
    Krake krake =
        krake(
            backend ->
                backend.krakeHooks(
                    config, HookCertificateAuthorities.of(config, Clock.systemUTC())));
    assertThat(krake.executors().created())
        .contains(HookSettings.POOL, ShutdownProtocol.POOL, SharedHttpClient.NAME);
    ExecutorService hooksPool = created(krake, HookSettings.POOL);
    ExecutorService shutdownPool = created(krake, ShutdownProtocol.POOL);
    OkHttpClient client = SharedHttpClient.of(krake.executors());

    krake.close();

    assertThat(hooksPool.isShutdown()).as("krake-app-hooks-N").isTrue();
    assertThat(shutdownPool.isShutdown()).as("krake-shutdown-N").isTrue();
    assertThat(client.dispatcher().executorService().isShutdown()).as("okhttp").isTrue();
  }

  private static ExecutorService created(Krake krake, String name) {
    return krake
        .executors()
        .executor(
            name,
            ExecutorService.class,
            () -> {
              throw new AssertionError("the backend made no pool " + name);
            });
  }
}
