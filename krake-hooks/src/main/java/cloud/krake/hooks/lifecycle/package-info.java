/**
 * Container lifecycle hooks with the kubelet's semantics: an application's {@code spec.lifecycle}
 * declares a {@code post_start} and a {@code pre_stop} hook ({@code exec}, {@code http_get} or
 * {@code sleep}), which the {@link cloud.krake.hooks.lifecycle.LifecycleRunner} runs as the kubelet
 * does (as Kubernetes documents them: Container Lifecycle Hooks), with three deliberate additions:
 * a postStart timeout, a {@code strict} mode and a {@code LifecycleHTTPNon2xx} warning for {@code
 * http_get}, and durable at-least-once run records with redacted output tails ({@link
 * cloud.krake.hooks.lifecycle.LifecycleRecords}).
 *
 * <ul>
 *   <li>{@link cloud.krake.hooks.lifecycle.LifecycleHooks} is the model, parsed and validated from
 *       JSON or YAML with every error naming its field;
 *   <li>{@link cloud.krake.hooks.lifecycle.LifecycleRunner} runs a hook and returns a {@link
 *       cloud.krake.hooks.lifecycle.LifecycleResult};
 *   <li>{@link cloud.krake.hooks.lifecycle.RestartBackoff} is the kubelet's CrashLoopBackOff for
 *       restarts after a failed postStart.
 * </ul>
 *
 * <p>Nothing in this package accepts or returns {@code null}: maybe-absent values are {@link
 * java.util.Optional}, "nothing" is an empty collection or a constant ({@link
 * cloud.krake.hooks.lifecycle.LifecycleHooks#NONE}). Bad input is {@link
 * cloud.krake.model.InvalidResourceException} naming the field; hook failures are values, not
 * exceptions. No secret (header value, a value the caller marks secret) appears in a message, an
 * event, a record's output tail or a {@code toString()}.
 */
package cloud.krake.hooks.lifecycle;
