package cloud.krake.dispatcher;

import cloud.krake.KrakeException;
import java.util.Objects;

/**
 * A hook handler failed, or a hook did not get its answer. Names the hook (the handler's registered
 * name, or a hook such as {@code shutdown}) and where it ran.
 */
public class HookException extends KrakeException {
  private static final long serialVersionUID = 1L;

  private final String hook;

  /**
   * Creates the exception.
   *
   * @param hook the name of the failed handler or hook
   * @param message what failed, naming the point or attempt
   * @param cause the handler's exception, or {@code null}
   */
  public HookException(String hook, String message, Throwable cause) {
    super("hook " + Objects.requireNonNull(hook, "hook") + ": " + message, cause);
    this.hook = hook;
  }

  /** Returns the name of the failed handler or hook. */
  public String hook() {
    return hook;
  }
}
