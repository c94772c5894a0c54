package cloud.krake.store;

import java.util.ArrayList;
import java.util.List;

/**
 * A gate for a test's store watches: while held, the watch events a test routes through {@link
 * #deliver} wait, and {@link #release} delivers them in their order. Lets a test make a layer's
 * watch (and so its decode cache) lag behind the store on purpose.
 *
 * <p>Thread-safe: watch threads deliver, the test thread holds and releases.
 */
public final class HeldWatchEvents {

  private final Object gate = new Object();

  /** Guarded by {@link #gate}. */
  private final List<Runnable> held = new ArrayList<>();

  /** Guarded by {@link #gate}. */
  private boolean holding;

  /** Runs {@code event} now, or keeps it for {@link #release} while the events are held. */
  public void deliver(Runnable event) {
    synchronized (gate) {
      if (holding) {
        held.add(event);
        return;
      }
    }
    event.run();
  }

  /** From now on, keeps the events {@link #deliver} gets instead of running them. */
  public void hold() {
    synchronized (gate) {
      holding = true;
    }
  }

  /** Stops holding and runs the events kept, in their order, on the calling thread. */
  public void release() {
    List<Runnable> events;
    synchronized (gate) {
      holding = false;
      events = new ArrayList<>(held);
      held.clear();
    }
    events.forEach(Runnable::run);
  }
}
