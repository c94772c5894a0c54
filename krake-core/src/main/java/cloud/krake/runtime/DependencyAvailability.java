package cloud.krake.runtime;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.slf4j.Logger;

/**
 * Whether one dependency (etcd, a cluster's API server) is reachable, as seen from its callers'
 * outcomes, logging only the transitions: one WARN line when it goes away (with the cause's
 * message, never a stack trace) and one INFO line when it is back (with how long it was away).
 * Every failure in between is logged at DEBUG with its stack trace. Without it, each failed call of
 * each worker said the same thing again: 1,121 WARN lines during a 10 s etcd pause.
 *
 * <pre>{@code
 * DependencyAvailability etcd = new DependencyAvailability("etcd at " + endpoint, log, clock);
 * try {
 *   answer = call();
 *   etcd.available();
 * } catch (IOException e) {
 *   etcd.unavailable(e);
 *   throw translate(e);
 * }
 * }</pre>
 *
 * <p>Threading: thread-safe; each transition is logged by exactly one caller.
 */
public final class DependencyAvailability {

  private final String dependency;
  private final Logger log;
  private final Clock clock;

  /** When the dependency went away; null while it is available. Guarded by this. */
  private Instant since;

  /**
   * Creates the latch, starting as available.
   *
   * @param dependency what is depended on, for the log lines ("etcd at http://10.0.0.1:2379")
   * @param log the logger of the component that calls the dependency
   * @param clock the source of the outage's duration
   */
  public DependencyAvailability(String dependency, Logger log, Clock clock) {
    this.dependency = Objects.requireNonNull(dependency, "dependency");
    this.log = Objects.requireNonNull(log, "log");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Records a failed call: logs WARN if the dependency was available until now, DEBUG otherwise.
   *
   * @param cause why the call failed; only its message is logged at WARN
   * @return whether this call changed the state (the dependency went away)
   */
  public boolean unavailable(Throwable cause) {
    Objects.requireNonNull(cause, "cause");
    boolean changed;
    synchronized (this) {
      changed = since == null;
      if (changed) {
        since = clock.instant();
      }
    }
    if (changed) {
      log.warn("{} is unavailable: {}", dependency, message(cause));
    }
    log.debug("{}: call failed", dependency, cause);
    return changed;
  }

  /**
   * Records a successful call: logs INFO if the dependency was unavailable until now.
   *
   * @return whether this call changed the state (the dependency is back)
   */
  public boolean available() {
    Instant wentAway;
    synchronized (this) {
      wentAway = since;
      since = null;
    }
    if (wentAway == null) {
      return false;
    }
    log.info(
        "{} is available again after {} ms",
        dependency,
        Duration.between(wentAway, clock.instant()).toMillis());
    return true;
  }

  /** Returns whether the last recorded call succeeded (true before any call). */
  public synchronized boolean isAvailable() {
    return since == null;
  }

  private static String message(Throwable cause) {
    String message = cause.getMessage();
    return message == null || message.isBlank() ? cause.getClass().getSimpleName() : message;
  }

  @Override
  public String toString() {
    return "DependencyAvailability[" + dependency + (isAvailable() ? ", available]" : ", away]");
  }
}
