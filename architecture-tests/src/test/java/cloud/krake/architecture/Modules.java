package cloud.krake.architecture;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.Source;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The published modules of Krake for Java and which module a compiled class belongs to: the module
 * whose build output (its {@code target/classes} directory or its jar) the class was read from, not
 * its package, so that a package added to a module is covered without editing this list.
 */
final class Modules {

  static final String CORE = "krake-core";
  static final String HOOKS = "krake-hooks";
  static final String K8S = "krake-k8s";
  static final String STORE_MEMORY = "krake-store-memory";
  static final String STORE_ETCD = "krake-store-etcd";
  static final String METRICS = "krake-metrics";
  static final String MICROMETER = "krake-micrometer";
  static final String TESTING = "krake-testing";
  static final String TESTING_JUNIT = "krake-testing-junit";
  static final String SPRING_BOOT_STARTER = "krake-spring-boot-starter";

  /** Every published module (the artifacts krake-bom lists). */
  static final List<String> ALL =
      List.of(
          CORE,
          HOOKS,
          K8S,
          STORE_MEMORY,
          STORE_ETCD,
          METRICS,
          MICROMETER,
          TESTING,
          TESTING_JUNIT,
          SPRING_BOOT_STARTER);

  /** The fixtures for hosts' tests; they may depend on every library module. */
  static final Set<String> TESTING_MODULES = Set.of(TESTING, TESTING_JUNIT);

  private static JavaClasses classes;

  /** Every published module, as the argument source of parameterized tests. */
  static Stream<String> libraryModules() {
    return ALL.stream();
  }

  private Modules() {}

  /** Returns the production classes of every published module (no test classes), read once. */
  static synchronized JavaClasses classes() {
    if (classes == null) {
      classes =
          new ClassFileImporter()
              .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
              .importPackages("cloud.krake")
              .that(inAnyModule(ALL));
    }
    return classes;
  }

  /**
   * Returns the module a class was read from: the published module whose directory or artifact name
   * is a path segment of the class file's location, or empty (a class of another program).
   */
  static Optional<String> moduleOf(JavaClass javaClass) {
    Optional<String> location = javaClass.getSource().map(Source::getUri).map(Object::toString);
    if (location.isEmpty()) {
      return Optional.empty();
    }
    // Longest name first: krake-testing-junit before krake-testing.
    return ALL.stream()
        .sorted(Comparator.comparingInt(String::length).reversed())
        .filter(module -> location.get().contains("/" + module + "/"))
        .findFirst();
  }

  /** Classes of that module. */
  static DescribedPredicate<JavaClass> inModule(String module) {
    return DescribedPredicate.describe(
        "in " + module, c -> moduleOf(c).map(module::equals).orElse(false));
  }

  /** Classes of any of these modules. */
  static DescribedPredicate<JavaClass> inAnyModule(java.util.Collection<String> modules) {
    return DescribedPredicate.describe(
        "in any of " + modules, c -> moduleOf(c).map(modules::contains).orElse(false));
  }
}
