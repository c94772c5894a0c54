package cloud.krake.hooks.execution;

import java.util.Objects;

/**
 * The workload an action is about, as Kanister's subject object: its name is {@code {{
 * .Deployment.Name }}} or {@code {{ .StatefulSet.Name }}} in templates, depending on the kind.
 *
 * @param kind the workload kind
 * @param name the workload's name in its namespace
 */
public record Subject(Kind kind, String name) {

  /** The workload kinds a subject can be, with their template roots. */
  public enum Kind {
    /** An {@code apps/v1} Deployment: {@code .Deployment}. */
    DEPLOYMENT("Deployment"),
    /** An {@code apps/v1} StatefulSet: {@code .StatefulSet}. */
    STATEFUL_SET("StatefulSet");

    private final String templateRoot;

    Kind(String templateRoot) {
      this.templateRoot = templateRoot;
    }

    /** Returns the template root and Kubernetes kind, for example {@code Deployment}. */
    public String templateRoot() {
      return templateRoot;
    }
  }

  /**
   * Checks the components.
   *
   * @throws IllegalArgumentException if {@code name} is blank
   */
  public Subject {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("a subject needs a name");
    }
  }

  /**
   * Returns a Deployment subject.
   *
   * @param name the Deployment's name
   */
  public static Subject deployment(String name) {
    return new Subject(Kind.DEPLOYMENT, name);
  }

  /**
   * Returns a StatefulSet subject.
   *
   * @param name the StatefulSet's name
   */
  public static Subject statefulSet(String name) {
    return new Subject(Kind.STATEFUL_SET, name);
  }
}
