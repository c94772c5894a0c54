package cloud.krake.examples.docs;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.Krake;
import cloud.krake.hooks.HookConfig;
import cloud.krake.hooks.HooksConfig;
import cloud.krake.hooks.ShutdownHookConfig;
import cloud.krake.hooks.endpoint.EmbeddedHookServer;
import cloud.krake.hooks.endpoint.HookEndpoint;
import cloud.krake.k8s.KubeconfigClusterConnector;
import cloud.krake.k8s.KubernetesBackend;
import cloud.krake.metrics.HttpMetricsProviders;
import cloud.krake.scheduler.SchedulerConfig;
import cloud.krake.store.etcd.EtcdStore;
import cloud.krake.store.memory.MemoryStore;
import cloud.krake.testing.EtcdExtension;
import cloud.krake.testing.EtcdServer;
import cloud.krake.testing.kubernetes.FakeKubernetesApiServer;
import cloud.krake.testing.kubernetes.LocalKubelet;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md names, under a heading naming the class, every configuration record
 * component and every public builder option: a new option added to the code without a line on the
 * page fails this test.
 */
class ConfigurationPageTest {

  private static final List<Class<?>> RECORDS =
      List.of(HooksConfig.class, HookConfig.class, ShutdownHookConfig.class, SchedulerConfig.class);

  private static final List<Class<?>> BUILDERS =
      List.of(
          Krake.Builder.class,
          KubernetesBackend.Builder.class,
          KubeconfigClusterConnector.Builder.class,
          HooksConfig.Builder.class,
          HookEndpoint.Builder.class,
          EmbeddedHookServer.Builder.class,
          MemoryStore.Builder.class,
          EtcdStore.Builder.class,
          HttpMetricsProviders.Builder.class,
          FakeKubernetesApiServer.Builder.class,
          LocalKubelet.Builder.class,
          EtcdServer.Builder.class,
          EtcdExtension.Builder.class);

  @Test
  void pageNamesEveryConfigurationComponentAndBuilderOption() throws IOException {
    String page = Files.readString(Path.of("..", "docs", "configuration.md"), UTF_8);
    List<String> missing = new ArrayList<>();

    for (Class<?> record : RECORDS) {
      String section = section(page, record.getSimpleName(), missing);
      for (RecordComponent component : record.getRecordComponents()) {
        if (!section.contains("`" + component.getName() + "`")) {
          missing.add(record.getSimpleName() + "." + component.getName());
        }
      }
    }
    for (Class<?> builder : BUILDERS) {
      String section = section(page, builder.getEnclosingClass().getSimpleName(), missing);
      for (Method method : builder.getDeclaredMethods()) {
        int modifiers = method.getModifiers();
        if (!Modifier.isPublic(modifiers)
            || Modifier.isStatic(modifiers)
            || method.isSynthetic()
            || method.getName().equals("build")) {
          continue;
        }
        String name = method.getName();
        if (!section.contains("`" + name + "`") && !section.contains("`" + name + "(")) {
          missing.add(builder.getEnclosingClass().getSimpleName() + ".Builder." + name);
        }
      }
    }

    assertThat(missing).as("missing from docs/configuration.md").isEmpty();
  }

  /**
   * The part of the page under the heading that names the class in backticks, up to the next
   * heading.
   */
  private static String section(String page, String className, List<String> missing) {
    List<String> lines = page.lines().toList();
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith("#") && lines.get(i).contains("`" + className + "`")) {
        StringBuilder section = new StringBuilder();
        for (int j = i + 1; j < lines.size() && !lines.get(j).startsWith("#"); j++) {
          section.append(lines.get(j)).append('\n');
        }
        return section.toString();
      }
    }
    missing.add("a heading naming `" + className + "`");
    return "";
  }
}
