package cloud.krake.hooks.execution;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One phase of a blueprint action, as Kanister's {@code BlueprintPhase}: the function to run, a
 * name unique in its action (the key of {@code {{ .Phases.<name>.Output.<key> }}}), and the
 * function's arguments, whose strings may be templates (see {@link TemplateContext}).
 *
 * @param func the registered function's name, for example {@code KubeTask}
 * @param name the phase's name, {@code [A-Za-z0-9_]+}
 * @param args the arguments as a JSON object; copied on construction and on access
 */
public record Phase(String func, String name, ObjectNode args) {

  static final Pattern NAME = Pattern.compile("[A-Za-z0-9_]+");

  /**
   * Checks and copies the components.
   *
   * @throws IllegalArgumentException if {@code func} is blank or {@code name} is not {@code
   *     [A-Za-z0-9_]+}
   */
  public Phase {
    Objects.requireNonNull(func, "func");
    Objects.requireNonNull(name, "name");
    args = Objects.requireNonNull(args, "args").deepCopy();
    if (func.isBlank()) {
      throw new IllegalArgumentException("a phase needs a function");
    }
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("a phase name must match [A-Za-z0-9_]+: " + name);
    }
  }

  /**
   * Returns a phase.
   *
   * @param func the function's name
   * @param name the phase's name
   * @param args the arguments
   */
  public static Phase of(String func, String name, ObjectNode args) {
    return new Phase(func, name, args);
  }

  /**
   * Returns a phase without arguments.
   *
   * @param func the function's name
   * @param name the phase's name
   */
  public static Phase of(String func, String name) {
    return new Phase(func, name, JsonNodeFactory.instance.objectNode());
  }

  /** Returns a copy of the arguments. */
  @Override
  public ObjectNode args() {
    return args.deepCopy();
  }

  /** Returns the phase in Kanister's JSON form: {@code {"func", "name", "args"}}. */
  public ObjectNode toJson() {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put("func", func);
    node.put("name", name);
    node.set("args", args.deepCopy());
    return node;
  }

  @Override
  public String toString() {
    return "Phase[" + name + " (" + func + ")]";
  }
}
