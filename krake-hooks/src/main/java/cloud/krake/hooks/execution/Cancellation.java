package cloud.krake.hooks.execution;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A cancellation flag for one action run: the host sets it (for example when the application is
 * deleted while its preHook runs), functions poll it through {@link FunctionContext#cancelled()}
 * and stop as soon as they can. A cancelled run still runs its {@code deferPhase}.
 *
 * <p>Thread-safe; once cancelled, always cancelled.
 */
public final class Cancellation {

  private final AtomicBoolean cancelled = new AtomicBoolean();

  /** Creates a flag that is not cancelled. */
  public Cancellation() {}

  /** Cancels. Idempotent. */
  public void cancel() {
    cancelled.set(true);
  }

  /** Returns whether {@link #cancel()} was called. */
  public boolean isCancelled() {
    return cancelled.get();
  }

  @Override
  public String toString() {
    return "Cancellation[" + (isCancelled() ? "cancelled" : "active") + "]";
  }
}
