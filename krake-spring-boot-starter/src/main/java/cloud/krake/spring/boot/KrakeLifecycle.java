package cloud.krake.spring.boot;

import cloud.krake.Krake;
import java.util.Objects;
import org.springframework.context.SmartLifecycle;

/**
 * Binds a {@link Krake} instance to the application context: {@link Krake#start()} when the context
 * starts, {@link Krake#close()} when it stops (components in reverse order, then Krake's own
 * pools). The store is not closed here: Krake never closes its store, and a store made by the
 * auto-configuration is closed as its bean is destroyed, after the Krake bean; a store the host
 * defined stays the host's.
 *
 * <p>Its {@link #getPhase() phase} is below the web server's, so Krake starts before the server
 * accepts requests and stops after the server has stopped taking hook calls. A stopped instance
 * cannot start again (Krake's close is final): restarting the context needs a new one.
 */
public final class KrakeLifecycle implements SmartLifecycle {

  /** The phase: {@link SmartLifecycle#DEFAULT_PHASE} minus 4096, below the web server's. */
  public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

  private final Krake krake;
  private volatile boolean running;

  /**
   * Binds an instance.
   *
   * @param krake the instance to start and close
   */
  public KrakeLifecycle(Krake krake) {
    this.krake = Objects.requireNonNull(krake, "krake");
  }

  @Override
  public synchronized void start() {
    if (!running) {
      krake.start();
      running = true;
    }
  }

  @Override
  public synchronized void stop() {
    if (running) {
      running = false;
      krake.close();
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }
}
