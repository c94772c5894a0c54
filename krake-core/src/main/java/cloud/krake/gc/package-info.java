/**
 * Krake's garbage collector ({@link cloud.krake.gc.GarbageCollector}): removes the {@code
 * cascade_deletion} finalizer of resources in deletion once nothing depends on them any more, and
 * cascades deletions to dependents through {@code metadata.owners}, as Krake's {@code gc.py}. The
 * kinds it watches are {@link cloud.krake.gc.CollectedKind}s.
 *
 * <p>It only involves the store: every read goes to the store through the typed layers, every write
 * is a compare-and-set through them. Nothing here accepts or returns {@code null}: absent values
 * are {@link java.util.Optional} or empty collections, and {@code null} arguments are rejected with
 * a {@link java.lang.NullPointerException} naming the parameter.
 */
package cloud.krake.gc;
