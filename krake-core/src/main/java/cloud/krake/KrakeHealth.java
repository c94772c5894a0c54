package cloud.krake;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The health of one {@link Krake} instance at one instant, from {@link Krake#health()}: a list of
 * named checks, each up or down with a one-line detail, and two verdicts drawn from them, as
 * Kubernetes' probes use them:
 *
 * <ul>
 *   <li><b>live</b> ({@link #live()}): every liveness check is up ({@value #CONTROLLERS}: the
 *       components were started or are being driven, and every worker thread is alive). A process
 *       that is not live will not recover by itself; restart it.
 *   <li><b>ready</b> ({@link #ready()}, also {@link #up()}): every check is up, also {@value
 *       #STORE} (the store answered a cheap call within the timeout) and {@value #WATCHES} (every
 *       reflector is watching). An instance that is not ready does not act on changes now (the
 *       store is away, or a watch stopped) but may recover by itself.
 * </ul>
 *
 * <p>Immutable and thread-safe. {@link #toString()} gives one line for a log, e.g. {@code
 * KrakeHealth{DOWN, store: DOWN (no answer within PT1S), watches: UP (12 watching), controllers: UP
 * (4 components, 8 of 8 workers alive)}}.
 */
public final class KrakeHealth {

  /** The store check's timeout of {@link Krake#health()}: 2 seconds. */
  public static final Duration DEFAULT_STORE_TIMEOUT = Duration.ofSeconds(2);

  /** The name of the check that the store answers ({@code Store.revision()}) within a timeout. */
  public static final String STORE = "store";

  /** The name of the check that every component's reflectors are watching. */
  public static final String WATCHES = "watches";

  /** The name of the check that the components run: started or driven, workers alive. */
  public static final String CONTROLLERS = "controllers";

  /**
   * One check.
   *
   * @param name e.g. {@value KrakeHealth#STORE}
   * @param up whether it passed
   * @param liveness whether it counts for {@link KrakeHealth#live()} (every check counts for {@link
   *     KrakeHealth#ready()})
   * @param detail what was found, one line, e.g. {@code "revision 42 in 3 ms"} or the reason it
   *     failed; never a secret
   */
  public record HealthCheck(String name, boolean up, boolean liveness, String detail) {

    /** Checks for null. */
    public HealthCheck {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(detail, "detail");
    }

    @Override
    public String toString() {
      return name + ": " + (up ? "UP" : "DOWN") + " (" + detail + ")";
    }
  }

  private final Instant checkedAt;
  private final List<HealthCheck> checks;

  /**
   * Creates a result.
   *
   * @param checkedAt when the checks ran (the instance's clock)
   * @param checks the checks, in the order to report them
   */
  public KrakeHealth(Instant checkedAt, List<HealthCheck> checks) {
    this.checkedAt = Objects.requireNonNull(checkedAt, "checkedAt");
    this.checks = List.copyOf(checks);
  }

  /** Returns when the checks ran, from the instance's clock. */
  public Instant checkedAt() {
    return checkedAt;
  }

  /** Returns every check, in a fixed order: store, watches, controllers. */
  public List<HealthCheck> checks() {
    return checks;
  }

  /**
   * Returns the check of that name.
   *
   * @param name e.g. {@value #STORE}
   * @return the check, or empty if there is none of that name
   */
  public Optional<HealthCheck> check(String name) {
    return checks.stream().filter(c -> c.name().equals(name)).findFirst();
  }

  /** Returns whether every check is up (the same as {@link #ready()}). */
  public boolean up() {
    return ready();
  }

  /** Returns whether every check is up: the instance acts on changes now. */
  public boolean ready() {
    return checks.stream().allMatch(HealthCheck::up);
  }

  /** Returns whether every liveness check is up: the loops run, a restart would not help. */
  public boolean live() {
    return checks.stream().filter(HealthCheck::liveness).allMatch(HealthCheck::up);
  }

  /** Returns the checks that are down, in order; empty when {@link #up()}. */
  public List<HealthCheck> failed() {
    return checks.stream().filter(c -> !c.up()).toList();
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("KrakeHealth{").append(up() ? "UP" : "DOWN");
    for (HealthCheck c : checks) {
      s.append(", ").append(c);
    }
    return s.append('}').toString();
  }
}
