package cloud.krake.hooks.execution;

import cloud.krake.model.FieldError;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Static checks of the templates of an action: syntax, roots and shapes of references, phase order,
 * and, when the caller knows them, the options and input artifacts provided.
 */
final class TemplateChecks {

  /**
   * What is known where the action will run.
   *
   * @param options the option keys provided, or empty when unknown
   * @param artifactsIn the input artifacts provided, name to keys, or empty when unknown
   */
  record Scope(Optional<Set<String>> options, Optional<Map<String, Set<String>>> artifactsIn) {
    static final Scope UNKNOWN = new Scope(Optional.empty(), Optional.empty());
  }

  private TemplateChecks() {}

  /** Checks every template of {@code action}, adding errors prefixed with {@code prefix}. */
  static void check(BlueprintAction action, String prefix, Scope scope, List<FieldError> errors) {
    List<String> names = action.phases().stream().map(Phase::name).toList();
    for (int i = 0; i < action.phases().size(); i++) {
      Phase phase = action.phases().get(i);
      Location location = new Location(names.subList(0, i), names, false);
      Json.strings(
          phase.args(),
          Json.join(prefix, "phases[" + i + "].args"),
          (field, text) -> string(field, text, location, scope, errors));
    }
    action
        .deferPhase()
        .ifPresent(
            defer ->
                Json.strings(
                    defer.args(),
                    Json.join(prefix, "deferPhase.args"),
                    (field, text) ->
                        string(field, text, new Location(names, names, false), scope, errors)));
    Location artifacts = new Location(names, names, action.deferPhase().isPresent());
    action
        .outputArtifacts()
        .forEach(
            (name, artifact) ->
                artifact
                    .keyValue()
                    .forEach(
                        (key, text) ->
                            string(
                                Json.join(prefix, "outputArtifacts." + name + ".keyValue." + key),
                                text,
                                artifacts,
                                scope,
                                errors)));
  }

  /** Where a template is: the phases already run there, every phase, and the deferPhase. */
  private record Location(List<String> earlier, List<String> all, boolean deferPhase) {}

  private static void string(
      String field, String text, Location location, Scope scope, List<FieldError> errors) {
    if (!Template.hasActions(text)) {
      return;
    }
    Template template;
    try {
      template = Template.parse(text);
    } catch (TemplateException e) {
      errors.add(new FieldError(field, e.getMessage()));
      return;
    }
    for (Template.Reference reference : template.references()) {
      reference(reference, location, scope)
          .ifPresent(
              message ->
                  errors.add(
                      new FieldError(
                          field, "template references " + reference.display() + ", " + message)));
    }
  }

  private static Optional<String> reference(
      Template.Reference reference, Location location, Scope scope) {
    List<String> path = reference.path();
    String root = path.get(0);
    switch (root) {
      case "Application":
        return path.size() == 2 && (path.get(1).equals("Name") || path.get(1).equals("Namespace"))
            ? Optional.empty()
            : Optional.of("but .Application has only .Name and .Namespace");
      case "Cluster":
      case "Namespace":
      case "Deployment":
      case "StatefulSet":
        return path.size() == 2 && path.get(1).equals("Name")
            ? Optional.empty()
            : Optional.of("but ." + root + " has only .Name");
      case "Options":
        if (path.size() != 2) {
          return Optional.of("but options are referenced as .Options.<key>");
        }
        return scope.options().isPresent() && !scope.options().get().contains(path.get(1))
            ? Optional.of("which is not provided: no option \"" + path.get(1) + "\" is given")
            : Optional.empty();
      case "ArtifactsIn":
        if (path.size() != 4 || !path.get(2).equals("KeyValue")) {
          return Optional.of(
              "but input artifacts are referenced as .ArtifactsIn.<name>.KeyValue.<key>");
        }
        if (scope.artifactsIn().isPresent()) {
          Set<String> keys = scope.artifactsIn().get().get(path.get(1));
          if (keys == null) {
            return Optional.of(
                "which is not provided: no input artifact \""
                    + path.get(1)
                    + "\" (only a preHook's outputArtifacts reach onSuccess and onFailure)");
          }
          if (!keys.contains(path.get(3))) {
            return Optional.of(
                "which is not provided: input artifact \""
                    + path.get(1)
                    + "\" has no key \""
                    + path.get(3)
                    + "\"");
          }
        }
        return Optional.empty();
      case "Phases":
        if (path.size() != 4 || !path.get(2).equals("Output")) {
          return Optional.of("but phase outputs are referenced as .Phases.<phase>.Output.<key>");
        }
        String phase = path.get(1);
        if (location.earlier().contains(phase)) {
          return Optional.empty();
        }
        return Optional.of(
            location.all().contains(phase)
                ? "but phase \"" + phase + "\" has not run yet at this point"
                : "but this action has no phase \"" + phase + "\"");
      case "DeferPhase":
        if (!location.deferPhase()) {
          return Optional.of(
              "but .DeferPhase is only available in outputArtifacts of an action with a"
                  + " deferPhase");
        }
        return path.size() == 3 && path.get(1).equals("Output")
            ? Optional.empty()
            : Optional.of(
                "but the deferPhase's outputs are referenced as .DeferPhase.Output.<key>");
      default:
        return Optional.of(
            "an unknown template root; supported: " + String.join(", ", TemplateContext.ROOTS));
    }
  }
}
