package cloud.krake.architecture;

import static cloud.krake.architecture.Modules.CORE;
import static cloud.krake.architecture.Modules.HOOKS;
import static cloud.krake.architecture.Modules.K8S;
import static cloud.krake.architecture.Modules.METRICS;
import static cloud.krake.architecture.Modules.MICROMETER;
import static cloud.krake.architecture.Modules.SPRING_BOOT_STARTER;
import static cloud.krake.architecture.Modules.STORE_ETCD;
import static cloud.krake.architecture.Modules.STORE_MEMORY;
import static cloud.krake.architecture.Modules.TESTING;
import static cloud.krake.architecture.Modules.TESTING_JUNIT;
import static cloud.krake.architecture.Modules.inAnyModule;
import static cloud.krake.architecture.Modules.inModule;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.Krake;
import cloud.krake.runtime.Component;
import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The rules of the architecture (ARCHITECTURE-modules.md, and the design's "Modules" section),
 * checked over the compiled production classes of every published module: what module may depend on
 * what, the libraries core stays free of, {@code internal} packages, package cycles, the
 * components' context, and unique public type names.
 */
class ArchitectureTest {

  private final JavaClasses classes = Modules.classes();

  /** Each published module and the other modules it may depend on (core ← hooks ← k8s). */
  static Stream<Arguments> allowedModuleDependencies() {
    return Stream.of(
        Arguments.of(CORE, Set.of()),
        Arguments.of(HOOKS, Set.of(CORE)),
        Arguments.of(K8S, Set.of(CORE, HOOKS)),
        Arguments.of(STORE_MEMORY, Set.of(CORE)),
        Arguments.of(STORE_ETCD, Set.of(CORE)),
        Arguments.of(METRICS, Set.of(CORE)),
        Arguments.of(MICROMETER, Set.of(CORE)),
        Arguments.of(TESTING, Set.of(CORE)),
        Arguments.of(
            TESTING_JUNIT, Set.of(CORE, HOOKS, K8S, STORE_MEMORY, STORE_ETCD, METRICS, TESTING)),
        // Every library module, not the test fixtures.
        Arguments.of(
            SPRING_BOOT_STARTER,
            Set.of(CORE, HOOKS, K8S, STORE_MEMORY, STORE_ETCD, METRICS, MICROMETER)));
  }

  @Test
  void seesTheClassesOfEveryPublishedModule() {
    for (String module : Modules.ALL) {
      assertThat(classes.that(inModule(module))).as(module).isNotEmpty();
    }
  }

  @ParameterizedTest(name = "{0} depends only on {1}")
  @MethodSource("allowedModuleDependencies")
  void moduleDependsOnlyOnTheModulesBelowIt(String module, Set<String> allowed) {
    List<String> others = new ArrayList<>(Modules.ALL);
    others.remove(module);
    others.removeAll(allowed);
    noClasses()
        .that(inModule(module))
        .should()
        .dependOnClassesThat(inAnyModule(others))
        .because("dependencies point one way: core <- hooks <- k8s; stores, metrics on core only")
        .check(classes);
  }

  @Test
  void coreHasNoHttpClientNoBouncyCastleNoKubernetesClient() {
    noClasses()
        .that(inModule(CORE))
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("okhttp3..", "org.bouncycastle..", "io.kubernetes.client..")
        .because("core stays free of HTTP, crypto and Kubernetes libraries")
        .check(classes);
  }

  @Test
  void onlyKrakeMicrometerUsesMicrometer() {
    noClasses()
        .that(DescribedPredicate.not(inAnyModule(List.of(MICROMETER, SPRING_BOOT_STARTER))))
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.micrometer..")
        .because(
            "Micrometer is optional: the library reports to KrakeMetricsRecorder (the Spring Boot"
                + " starter binds it when the host has Micrometer)")
        .check(classes);
  }

  @Test
  void hooksHaveNoKubernetesClient() {
    noClasses()
        .that(inModule(HOOKS))
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.kubernetes.client..")
        .because("the Kubernetes functions of the hooks are krake-k8s's (PodRunner)")
        .check(classes);
  }

  @Test
  void storesCannotReachTheScheduler() {
    noClasses()
        .that(inAnyModule(List.of(STORE_MEMORY, STORE_ETCD)))
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("cloud.krake.scheduler..", "cloud.krake.gc..")
        .check(classes);
  }

  @ParameterizedTest(name = "no module outside {0} uses its internal packages")
  @MethodSource("cloud.krake.architecture.Modules#libraryModules")
  void internalPackagesAreUsedOnlyInTheirModule(String module) {
    noClasses()
        .that(DescribedPredicate.not(inModule(module)))
        .should()
        .dependOnClassesThat(inModule(module).and(resideInAPackage("..internal..")))
        .because("what lives in an ...internal package is not API")
        .check(classes);
  }

  /**
   * No cycle between packages, where a package and its {@code internal} subpackages count as one:
   * an API type may construct its internal implementation, which implements the API type. The root
   * package {@code cloud.krake} is left out: it holds the entry point that assembles every package
   * and the exception and context every package uses; {@link
   * #nothingInCoreBelowTheEntryPointUsesIt} keeps the entry point itself out of every cycle.
   */
  @Test
  void noPackageCycles() {
    slices()
        .assignedFrom(PACKAGE_WITH_ITS_INTERNALS)
        .should()
        .beFreeOfCycles()
        .because("each package builds on the ones below it")
        .check(classes);
  }

  private static final SliceAssignment PACKAGE_WITH_ITS_INTERNALS =
      new SliceAssignment() {
        @Override
        public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
          String name = javaClass.getPackageName();
          if (!name.startsWith("cloud.krake.")) {
            return SliceIdentifier.ignore();
          }
          int internal = name.indexOf(".internal");
          return SliceIdentifier.of(internal < 0 ? name : name.substring(0, internal));
        }

        @Override
        public String getDescription() {
          return "packages below cloud.krake, each with its internal subpackages";
        }
      };

  @Test
  void componentsReceiveTheContextNotKrake() {
    noClasses()
        .that()
        .areAssignableTo(Component.class)
        .should()
        .dependOnClassesThat()
        .belongToAnyOf(Krake.class)
        .because("a component is given a KrakeContext, never the entry point that starts it")
        .check(classes);
  }

  @Test
  void nothingInCoreBelowTheEntryPointUsesIt() {
    noClasses()
        .that(inModule(CORE))
        .and()
        .resideOutsideOfPackage("cloud.krake")
        .should()
        .dependOnClassesThat()
        .belongToAnyOf(Krake.class)
        .because("Krake builds the components of core; they must not call back into it (no cycle)")
        .check(classes);
  }

  /**
   * No two public top-level types share a simple name, and no public nested type takes the name of
   * a public top-level type (a nested type is read through its owner, {@code WatchEvent.Type}, so
   * two nested {@code Builder}s do not collide; a nested {@code ExecResult} and a top-level one
   * do).
   */
  @Test
  void noTwoPublicTypesShareASimpleName() {
    List<JavaClass> publicTypes =
        classes.stream()
            .filter(c -> c.getModifiers().contains(JavaModifier.PUBLIC))
            .filter(c -> !c.isAnonymousClass() && !c.isLocalClass())
            .filter(c -> !c.getSimpleName().equals("package-info"))
            .toList();
    Map<String, Set<String>> topLevel = new TreeMap<>();
    publicTypes.stream()
        .filter(JavaClass::isTopLevelClass)
        .forEach(
            c ->
                topLevel.computeIfAbsent(c.getSimpleName(), n -> new TreeSet<>()).add(c.getName()));
    Map<String, Set<String>> duplicates = new TreeMap<>();
    topLevel.forEach(
        (name, types) -> {
          if (types.size() > 1) {
            duplicates.put(name, new TreeSet<>(types));
          }
        });
    publicTypes.stream()
        .filter(c -> !c.isTopLevelClass())
        .filter(c -> topLevel.containsKey(c.getSimpleName()))
        .forEach(
            c ->
                duplicates
                    .computeIfAbsent(c.getSimpleName(), n -> new TreeSet<>(topLevel.get(n)))
                    .add(c.getName()));
    assertThat(duplicates).as("public types sharing a simple name").isEmpty();
  }
}
