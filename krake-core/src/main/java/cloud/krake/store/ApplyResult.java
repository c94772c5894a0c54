package cloud.krake.store;

import java.util.List;
import java.util.Objects;

/**
 * What a declarative apply ({@link DeclarativeApply}) did, one entry per document in document
 * order.
 *
 * @param applied one entry per document written or found unchanged
 */
public record ApplyResult(List<Applied> applied) {

  /** Copies the list. */
  public ApplyResult {
    applied = List.copyOf(applied);
  }

  /** What an apply did to one resource. */
  public enum Change {
    /** The resource did not exist and was created. */
    CREATED,
    /** The resource existed and its spec or metadata changed. */
    UPDATED,
    /** The resource existed and already held every field the document sets: nothing written. */
    UNCHANGED
  }

  /**
   * One applied document.
   *
   * @param index the document's index among the non-empty documents of the input, from 0
   * @param kind Krake's kind, for example {@code Application}
   * @param namespace the namespace; {@code ""} for global kinds
   * @param name the name
   * @param change what happened
   * @param revision the store revision of the resource after the apply (its unchanged revision for
   *     {@link Change#UNCHANGED})
   * @param generation the resource's {@code metadata.generation} after the apply
   */
  public record Applied(
      int index,
      String kind,
      String namespace,
      String name,
      Change change,
      long revision,
      long generation) {

    /** Checks the values. */
    public Applied {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(namespace, "namespace");
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(change, "change");
    }
  }

  /** Returns the entries with the given change. */
  public List<Applied> withChange(Change change) {
    Objects.requireNonNull(change, "change");
    return applied.stream().filter(a -> a.change() == change).toList();
  }
}
