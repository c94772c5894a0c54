/**
 * Krake for Java: the root package holds {@link cloud.krake.KrakeException}, the unchecked root of
 * every error the library throws.
 *
 * <p>Null policy for the whole library: no public method accepts or returns {@code null}. Values
 * that may be absent are returned as {@link java.util.Optional}; collections are empty, never null.
 * Public entry points check their arguments with {@link java.util.Objects#requireNonNull} and throw
 * {@link java.lang.NullPointerException} naming the parameter.
 */
package cloud.krake;
