package cloud.krake.hooks.execution;

import cloud.krake.model.FieldError;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks an application's execution hooks ({@code spec.execution_hooks}) against the blueprints and
 * phase functions a host registered, without running anything: what an application is validated
 * with when it is created, and what {@link HookRunner} resolves blueprint references with.
 * Immutable and thread-safe.
 */
public final class ExecutionHookChecks {

  private final ExecutionEngine engine;
  private final Blueprints blueprints;

  /**
   * Creates the checks.
   *
   * @param engine the functions phases may name (an engine built without a pod runner or object
   *     reader checks as well as one with them)
   * @param blueprints the blueprints hooks may reference
   */
  public ExecutionHookChecks(ExecutionEngine engine, Blueprints blueprints) {
    this.engine = Objects.requireNonNull(engine, "engine");
    this.blueprints = Objects.requireNonNull(blueprints, "blueprints");
  }

  /**
   * Reads and checks an application's {@code execution_hooks} completely, so that an application
   * with bad hooks is rejected when it is created, before anything is stored: structure (see {@link
   * ExecutionHooks#fromJson}), then {@link #check}.
   *
   * @param node the {@code execution_hooks} object
   * @param field its path, for example {@code spec.execution_hooks}
   * @return the hooks
   * @throws cloud.krake.model.InvalidResourceException with every error, each naming its field
   */
  public ExecutionHooks validate(JsonNode node, String field) {
    ExecutionHooks hooks = ExecutionHooks.fromJson(node, field);
    Json.throwIfAny(check(hooks, field));
    return hooks;
  }

  /**
   * Checks the references of parsed hooks: the blueprint and its action exist, every phase's
   * function is registered and accepts its arguments, and templates reference only options the hook
   * provides and input artifacts the preHook's action produces.
   *
   * @param hooks the hooks
   * @param field the path of {@code execution_hooks} for error messages
   * @return every problem, for example {@code spec.execution_hooks.deploy.preHook.actionName:
   *     blueprint "mysql" has no action "frezee"; its actions: [freeze, thaw]}; empty if none
   */
  public List<FieldError> check(ExecutionHooks hooks, String field) {
    Objects.requireNonNull(hooks, "hooks");
    Objects.requireNonNull(field, "field");
    List<FieldError> errors = new ArrayList<>();
    for (HookAction action : HookAction.values()) {
      ActionHooks actionHooks = hooks.forAction(action);
      Optional<BlueprintAction> preHook =
          actionHooks.preHook().flatMap(ref -> resolve(ref, "", new ArrayList<>()));
      for (HookKind kind : HookKind.values()) {
        Optional<HookRef> ref = actionHooks.hook(kind);
        if (ref.isEmpty()) {
          continue;
        }
        String hookField = Json.join(field, action.jsonName() + "." + kind.jsonName());
        Optional<BlueprintAction> resolved = resolve(ref.get(), hookField, errors);
        if (resolved.isEmpty()) {
          continue;
        }
        String prefix =
            ref.get().action().isPresent()
                ? hookField + ".action"
                : hookField
                    + " (blueprint "
                    + ref.get().blueprint().orElseThrow()
                    + ").actions."
                    + ref.get().actionName().orElseThrow();
        engine.validate(resolved.get(), prefix, errors);
        Map<String, Set<String>> artifactsIn = new LinkedHashMap<>();
        if (kind != HookKind.PRE_HOOK) {
          preHook.ifPresent(
              p ->
                  p.outputArtifacts()
                      .forEach((name, a) -> artifactsIn.put(name, a.keyValue().keySet())));
        }
        TemplateChecks.check(
            resolved.get(),
            prefix,
            new TemplateChecks.Scope(
                Optional.of(ref.get().options().keySet()), Optional.of(artifactsIn)),
            errors);
      }
    }
    return errors;
  }

  Optional<BlueprintAction> resolve(HookRef ref, String field, List<FieldError> errors) {
    if (ref.action().isPresent()) {
      return ref.action();
    }
    String name = ref.blueprint().orElseThrow();
    Optional<Blueprint> blueprint = blueprints.find(name);
    if (blueprint.isEmpty()) {
      errors.add(
          new FieldError(
              Json.join(field, "blueprint"),
              "unknown blueprint \"" + name + "\"; registered: " + blueprints.names()));
      return Optional.empty();
    }
    String actionName = ref.actionName().orElseThrow();
    Optional<BlueprintAction> action = blueprint.get().action(actionName);
    if (action.isEmpty()) {
      errors.add(
          new FieldError(
              Json.join(field, "actionName"),
              "blueprint \""
                  + name
                  + "\" has no action \""
                  + actionName
                  + "\"; its actions: "
                  + new TreeSet<>(blueprint.get().actions().keySet())));
    }
    return action;
  }
}
