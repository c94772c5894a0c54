package cloud.krake.hooks.execution;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The values templates in phase arguments and output artifacts are rendered with, as Kanister's
 * {@code TemplateParams}, and the renderer itself.
 *
 * <p>References, each present only when the {@link ExecutionContext} or the run so far provides it:
 *
 * <ul>
 *   <li>{@code {{ .Application.Name }}}, {@code {{ .Application.Namespace }}} (Krake's namespace);
 *   <li>{@code {{ .Cluster.Name }}}, {@code {{ .Namespace.Name }}} (the Kubernetes namespace);
 *   <li>{@code {{ .Deployment.Name }}} or {@code {{ .StatefulSet.Name }}}, after the subject's
 *       kind;
 *   <li>{@code {{ .Options.<key> }}}; {@code {{ .ArtifactsIn.<name>.KeyValue.<key> }}};
 *   <li>{@code {{ .Phases.<phase>.Output.<key> }}} for phases that already succeeded; {@code {{
 *       .DeferPhase.Output.<key> }}} in output artifacts once the deferPhase succeeded.
 * </ul>
 *
 * <p>Supported syntax, a subset of Go's {@code text/template}: literal text and field chains <code>
 * {{ .A.B.C }}</code> whose segments are {@code [A-Za-z0-9_]+}, with spaces inside the braces
 * optional. Actions starting with {@code $} ({@code {{ $.status.readyReplicas }}}) are object paths
 * for the {@code Wait} function and are left as written. Not supported, and rejected with a {@link
 * TemplateException}: pipelines, functions (sprig included), {@code if}/{@code range}, variables,
 * {@code index}, trim markers <code>{{-</code>. Rendering is strict, as Kanister's {@code
 * missingkey=error}: a missing key fails and the exception names it.
 *
 * <p>Immutable and thread-safe; the {@code with…} methods return copies.
 */
public final class TemplateContext {

  /** The template roots a reference may start with. */
  static final List<String> ROOTS =
      List.of(
          "Application",
          "Cluster",
          "Namespace",
          "Deployment",
          "StatefulSet",
          "Options",
          "ArtifactsIn",
          "Phases",
          "DeferPhase");

  private final Map<String, Object> root;

  private TemplateContext(Map<String, Object> root) {
    this.root = root;
  }

  /**
   * Returns the context of an execution, before any phase ran.
   *
   * @param execution what the action runs for
   */
  public static TemplateContext of(ExecutionContext execution) {
    Objects.requireNonNull(execution, "execution");
    Map<String, Object> root = new LinkedHashMap<>();
    root.put(
        "Application",
        Map.of(
            "Name", execution.applicationName(),
            "Namespace", execution.applicationNamespace()));
    execution.cluster().ifPresent(c -> root.put("Cluster", Map.of("Name", c)));
    execution.namespace().ifPresent(n -> root.put("Namespace", Map.of("Name", n)));
    execution.subject().ifPresent(s -> root.put(s.kind().templateRoot(), Map.of("Name", s.name())));
    root.put("Options", Map.copyOf(execution.options()));
    Map<String, Object> artifacts = new LinkedHashMap<>();
    execution
        .artifactsIn()
        .forEach((name, artifact) -> artifacts.put(name, Map.of("KeyValue", artifact.keyValue())));
    root.put("ArtifactsIn", artifacts);
    root.put("Phases", Map.of());
    return new TemplateContext(root);
  }

  /**
   * Returns a copy in which {@code {{ .Phases.<phase>.Output.<key> }}} resolves.
   *
   * @param phase the phase that succeeded
   * @param outputs its outputs
   */
  public TemplateContext withPhaseOutput(String phase, Map<String, String> outputs) {
    Objects.requireNonNull(phase, "phase");
    Map<String, Object> phases = new LinkedHashMap<>(asMap(root.get("Phases")));
    phases.put(phase, Map.of("Output", Map.copyOf(outputs)));
    Map<String, Object> copy = new LinkedHashMap<>(root);
    copy.put("Phases", phases);
    return new TemplateContext(copy);
  }

  /**
   * Returns a copy in which {@code {{ .DeferPhase.Output.<key> }}} resolves.
   *
   * @param outputs the deferPhase's outputs
   */
  public TemplateContext withDeferPhaseOutput(Map<String, String> outputs) {
    Map<String, Object> copy = new LinkedHashMap<>(root);
    copy.put("DeferPhase", Map.of("Output", Map.copyOf(outputs)));
    return new TemplateContext(copy);
  }

  /**
   * Renders one template string.
   *
   * @param template the text, for example {@code backup-{{ .Application.Name }}}
   * @return the rendered text
   * @throws TemplateException naming the first missing key, or an unsupported action
   */
  public String render(String template) {
    Objects.requireNonNull(template, "template");
    if (!Template.hasActions(template)) {
      return template;
    }
    return Template.parse(template).render(this);
  }

  /**
   * Renders every string inside a JSON tree (object values and array elements, at any depth);
   * object keys, numbers and booleans are kept.
   *
   * @param tree the tree; not changed
   * @return a rendered copy
   * @throws TemplateException naming the missing key, with the path of the string in {@code tree}
   *     in its message
   */
  public JsonNode render(JsonNode tree) {
    Objects.requireNonNull(tree, "tree");
    return render(tree, "");
  }

  private JsonNode render(JsonNode node, String path) {
    if (node.isTextual()) {
      try {
        return TextNode.valueOf(render(node.asText()));
      } catch (TemplateException e) {
        String message = e.getMessage().substring(e.key().length() + 2);
        throw new TemplateException(
            e.key(), message + (path.isEmpty() ? "" : " (in " + path + ")"));
      }
    }
    if (node instanceof ObjectNode object) {
      ObjectNode copy = JsonNodeFactory.instance.objectNode();
      for (Map.Entry<String, JsonNode> field : object.properties()) {
        String child = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
        copy.set(field.getKey(), render(field.getValue(), child));
      }
      return copy;
    }
    if (node instanceof ArrayNode array) {
      ArrayNode copy = JsonNodeFactory.instance.arrayNode();
      for (int i = 0; i < array.size(); i++) {
        copy.add(render(array.get(i), path + "[" + i + "]"));
      }
      return copy;
    }
    return node.deepCopy();
  }

  /**
   * Looks a reference up without failing.
   *
   * @param reference for example {@code .Options.bucket}
   * @return the value, or empty if the context does not have it
   */
  public Optional<String> lookup(String reference) {
    Objects.requireNonNull(reference, "reference");
    try {
      Template template = Template.parse("{{ " + reference + " }}");
      List<Template.Reference> references = template.references();
      if (references.size() != 1) {
        return Optional.empty();
      }
      return Optional.of(resolve(references.get(0).path()));
    } catch (TemplateException e) {
      return Optional.empty();
    }
  }

  /** Resolves a field chain strictly. */
  String resolve(List<String> path) {
    Object current = root;
    StringBuilder seen = new StringBuilder();
    for (String segment : path) {
      String parent = seen.length() == 0 ? "the template context" : seen.toString();
      seen.append('.').append(segment);
      if (!(current instanceof Map<?, ?> map)) {
        throw new TemplateException(
            "." + String.join(".", path),
            parent + " is a value, it has no key \"" + segment + "\"");
      }
      current = map.get(segment);
      if (current == null) {
        throw new TemplateException(
            "." + String.join(".", path),
            "missing key \"" + segment + "\" in " + parent + hint(seen.toString(), path));
      }
    }
    if (current instanceof String value) {
      return value;
    }
    throw new TemplateException(
        "." + String.join(".", path), "is not a value; reference one of its keys");
  }

  private static String hint(String seen, List<String> path) {
    if (path.size() > 0 && !ROOTS.contains(path.get(0))) {
      return " (unknown root; supported: " + String.join(", ", ROOTS) + ")";
    }
    return "";
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asMap(Object value) {
    return value instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
  }

  @Override
  public String toString() {
    return "TemplateContext[roots=" + root.keySet() + "]";
  }
}
