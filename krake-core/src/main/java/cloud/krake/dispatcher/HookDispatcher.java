package cloud.krake.dispatcher;

import cloud.krake.KrakeException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls the handlers registered at a {@link DispatcherHookPoint}, in registration order, as Krake's
 * {@code HookDispatcher}. Immutable once built, hence thread-safe; registration happens on the
 * {@link Builder} (host platforms register through {@code Krake.builder().dispatcherHook(...)}).
 *
 * <pre>{@code
 * HookDispatcher dispatcher = HookDispatcher.builder()
 *     .register(DispatcherHookPoint.APPLICATION_MANGLING, "complete", completeMangling)
 *     .register(DispatcherHookPoint.APPLICATION_MANGLING, "shutdown", shutdownMangling)
 *     .build();
 * HookContext mangled = dispatcher.dispatch(HookContext.of(APPLICATION_MANGLING, app, cluster));
 * }</pre>
 */
public final class HookDispatcher {

  private static final Logger log = LoggerFactory.getLogger(HookDispatcher.class);

  /** A dispatcher without handlers. */
  public static final HookDispatcher NONE = builder().build();

  private final Map<DispatcherHookPoint, List<Registration>> handlers;

  private HookDispatcher(Map<DispatcherHookPoint, List<Registration>> handlers) {
    this.handlers = handlers;
  }

  /** Returns a builder. */
  public static Builder builder() {
    return new Builder();
  }

  private record Registration(String name, HookHandler handler) {}

  /**
   * Returns the names of the handlers registered at a point, in the order they run.
   *
   * @param point the point
   */
  public List<String> handlers(DispatcherHookPoint point) {
    return handlers.getOrDefault(point, List.of()).stream().map(Registration::name).toList();
  }

  /**
   * Runs the handlers of {@code context.point()} in registration order, each on the context the
   * previous one returned, and returns the last one's. A failed handler is handled by the point's
   * {@link DispatcherHookPoint#failurePolicy()}: at a {@link HookFailurePolicy#LOG} point it is
   * logged at WARN and the next handler runs on the context the failed one received; at the other
   * points it is thrown, and the caller (a controller) aborts or retries the operation.
   *
   * @param context what the point carries
   * @return the context after every handler
   * @throws HookException naming the handler and the point ({@link HookException#point()}), at a
   *     point whose policy is {@link HookFailurePolicy#ABORT} or {@link HookFailurePolicy#RETRY},
   *     if a handler throws, returns {@code null}, changes the application at a point that does not
   *     allow it, or returns a context for another point; the handlers after it do not run
   */
  public HookContext dispatch(HookContext context) {
    Objects.requireNonNull(context, "context");
    DispatcherHookPoint point = context.point();
    HookContext current = context;
    for (Registration registration : handlers.getOrDefault(point, List.of())) {
      try {
        current = run(registration, point, current);
      } catch (HookException e) {
        if (point.failurePolicy() != HookFailurePolicy.LOG) {
          throw e;
        }
        log.warn("{} (failure policy LOG: going on)", e.getMessage());
      }
    }
    return current;
  }

  private static HookContext run(
      Registration registration, DispatcherHookPoint point, HookContext current) {
    HookContext next;
    try {
      next = registration.handler().handle(current);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HookException(registration.name(), point, "interrupted at " + point, e);
    } catch (KrakeException e) {
      throw new HookException(
          registration.name(), point, "failed at " + point + ": " + e.getMessage(), e);
    } catch (Exception e) {
      throw new HookException(registration.name(), point, "failed at " + point + ": " + e, e);
    }
    if (next == null || next.point() != point) {
      throw new HookException(
          registration.name(),
          point,
          "returned no context, or one for another point, at " + point,
          null);
    }
    if (!point.mayChangeApplication() && !next.equals(current)) {
      throw new HookException(
          registration.name(),
          point,
          "changed the context at " + point + ", which allows no change",
          null);
    }
    return next;
  }

  /** Collects registrations; not thread-safe. */
  public static final class Builder {
    private final Map<DispatcherHookPoint, List<Registration>> handlers =
        new EnumMap<>(DispatcherHookPoint.class);

    private Builder() {}

    /**
     * Registers a handler after those already registered at the point.
     *
     * @param point where it runs
     * @param name its name, unique at the point; used in errors and logs
     * @param handler the handler
     * @return this builder
     * @throws IllegalArgumentException if the name is empty or already registered at the point
     */
    public Builder register(DispatcherHookPoint point, String name, HookHandler handler) {
      Objects.requireNonNull(point, "point");
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(handler, "handler");
      if (name.isBlank()) {
        throw new IllegalArgumentException("a hook handler needs a name");
      }
      List<Registration> list = handlers.computeIfAbsent(point, p -> new ArrayList<>());
      if (list.stream().anyMatch(r -> r.name().equals(name))) {
        throw new IllegalArgumentException(
            "a handler named " + name + " is already registered at " + point);
      }
      list.add(new Registration(name, handler));
      return this;
    }

    /** Returns the dispatcher; later registrations on this builder do not affect it. */
    public HookDispatcher build() {
      Map<DispatcherHookPoint, List<Registration>> copy = new EnumMap<>(DispatcherHookPoint.class);
      handlers.forEach((point, list) -> copy.put(point, List.copyOf(list)));
      return new HookDispatcher(copy);
    }
  }
}
