package cloud.krake.hooks.lifecycle;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One lifecycle hook: exactly one action (as the kubelet's {@code LifecycleHandler}: {@link Exec},
 * {@link HttpGet} or {@link Sleep}), the container it acts on, and for postStart a timeout.
 *
 * <p>The timeout is a deliberate difference from the kubelet, whose postStart is unbounded
 * (kubernetes#68013, #99761: a hung hook leaves the pod stuck): here a postStart that has not
 * finished after {@link #timeout()} ({@link #DEFAULT_POST_START_TIMEOUT} unless given) fails with
 * {@code FailedPostStartHook}. A preStop has no timeout of its own: the termination grace period
 * bounds it, as the kubelet's.
 *
 * <p>{@link #toString()} never shows header values, which may carry credentials.
 *
 * @param action what to run
 * @param target the container; empty for the first workload's first container
 * @param timeout how long a postStart may take; for preStop the grace period applies instead
 */
public record LifecycleHandler(Action action, Optional<HookTarget> target, Duration timeout) {

  /** The postStart timeout when none is given: 5 minutes (the kubelet has none). */
  public static final Duration DEFAULT_POST_START_TIMEOUT = Duration.ofMinutes(5);

  /** The longest timeout accepted: 1 hour. */
  public static final Duration MAX_TIMEOUT = Duration.ofHours(1);

  /**
   * Checks the components.
   *
   * @throws IllegalArgumentException if the timeout is not positive or longer than {@link
   *     #MAX_TIMEOUT}
   */
  public LifecycleHandler {
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX_TIMEOUT) > 0) {
      throw new IllegalArgumentException("timeout must be between 1 s and " + MAX_TIMEOUT);
    }
  }

  /**
   * Returns a handler on the default target with the default timeout.
   *
   * @param action what to run
   */
  public static LifecycleHandler of(Action action) {
    return new LifecycleHandler(action, Optional.empty(), DEFAULT_POST_START_TIMEOUT);
  }

  /** Returns a copy acting on {@code target}. */
  public LifecycleHandler withTarget(HookTarget target) {
    return new LifecycleHandler(action, Optional.of(target), timeout);
  }

  /** Returns a copy with a postStart timeout. */
  public LifecycleHandler withTimeout(Duration timeout) {
    return new LifecycleHandler(action, target, timeout);
  }

  /** What a handler does: one of the kubelet's three supported handler kinds. */
  public sealed interface Action permits Exec, HttpGet, Sleep {
    /** Returns the kind's field name: {@code exec}, {@code http_get} or {@code sleep}. */
    String kind();
  }

  /**
   * Runs a command in the target container, as the kubelet's {@code exec} handler: argv without an
   * implicit shell; a non-zero exit code is a failure.
   *
   * @param command the command, not empty
   */
  public record Exec(List<String> command) implements Action {
    /**
     * Checks and copies the command.
     *
     * @throws IllegalArgumentException if it is empty
     */
    public Exec {
      command = List.copyOf(Objects.requireNonNull(command, "command"));
      if (command.isEmpty()) {
        throw new IllegalArgumentException("an exec command must not be empty");
      }
    }

    @Override
    public String kind() {
      return "exec";
    }
  }

  /** The scheme of an {@link HttpGet}. */
  public enum Scheme {
    /** Plain HTTP. */
    HTTP,
    /** HTTP over TLS. */
    HTTPS
  }

  /**
   * A header of an {@link HttpGet}. {@link #toString()} hides the value.
   *
   * @param name the header name
   * @param value its value; may be a credential
   */
  public record HttpHeader(String name, String value) {
    /** Checks the components. */
    public HttpHeader {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
    }

    @Override
    public String toString() {
      return name + ": ***";
    }
  }

  /**
   * Sends a GET request, as the kubelet's {@code httpGet} handler: by default any HTTP response is
   * a success and only transport errors fail (the kubelet never looks at the status); with {@code
   * strict} a non-2xx status fails. The response body is read up to 10 KiB and discarded.
   *
   * @param scheme HTTP or HTTPS
   * @param host the host; empty for the target pod's IP, as the kubelet
   * @param port the port, 1 to 65535
   * @param path the path, starting with {@code /} (may carry a query)
   * @param headers headers sent with the request
   * @param strict whether a non-2xx status is a failure
   */
  public record HttpGet(
      Scheme scheme,
      Optional<String> host,
      int port,
      String path,
      List<HttpHeader> headers,
      boolean strict)
      implements Action {

    /**
     * Checks and copies the components.
     *
     * @throws IllegalArgumentException if the port is out of range or the path does not start with
     *     {@code /}
     */
    public HttpGet {
      Objects.requireNonNull(scheme, "scheme");
      Objects.requireNonNull(host, "host");
      Objects.requireNonNull(path, "path");
      headers = List.copyOf(Objects.requireNonNull(headers, "headers"));
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("port must be between 1 and 65535");
      }
      if (!path.startsWith("/")) {
        throw new IllegalArgumentException("path must start with /");
      }
    }

    @Override
    public String kind() {
      return "http_get";
    }
  }

  /**
   * Waits, as the kubelet's {@code sleep} handler (typically a preStop delay so endpoints drain).
   *
   * @param seconds how long, 0 or more; at most the grace period (checked when parsed)
   */
  public record Sleep(long seconds) implements Action {
    /**
     * Checks the duration.
     *
     * @throws IllegalArgumentException if it is negative
     */
    public Sleep {
      if (seconds < 0) {
        throw new IllegalArgumentException("sleep seconds must not be negative");
      }
    }

    @Override
    public String kind() {
      return "sleep";
    }
  }
}
