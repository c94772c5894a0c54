package cloud.krake.hooks.shutdown;

import cloud.krake.action.ActionChain;
import cloud.krake.action.ActionInterceptor;
import cloud.krake.action.ActionOutcome;
import cloud.krake.action.KrakeAction;
import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.ReasonCode;
import cloud.krake.store.Applications;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Krake's {@code shutdown} hook as the first gate of a migration and a deletion: the rest of the
 * chain runs only once the {@link ShutdownProtocol} lets the action go on (Krake's gating table,
 * see the protocol's class comment). Deploys and updates pass through.
 *
 * <p>Per pass: an application without the {@code shutdown} hook in {@code spec.hooks} proceeds; a
 * deletion already decided (DELETING, or FAILED on a Kubernetes error and being retried) proceeds
 * without a new shutdown; otherwise the protocol is stepped and its decision becomes the outcome:
 * go on with the application re-read from the store (the protocol wrote its state), {@link
 * ActionOutcome#waitUntil} the attempt's deadline, or {@link ActionOutcome#waitForEvent} when the
 * shutdown gave up (DEGRADED) or does not apply in the application's state. The protocol's progress
 * is in the application's status, so a restarted host resumes it.
 *
 * <p>Without a protocol ({@link #of} with an empty one: the backend has no hooks configuration) an
 * application's shutdown hook is ignored with a warning and the action goes on at once.
 *
 * <p>Thread-safe.
 */
public final class ShutdownGate implements ActionInterceptor {

  private static final Logger log = LoggerFactory.getLogger(ShutdownGate.class);

  private final Optional<ShutdownProtocol> protocol;
  private final Applications applications;

  private ShutdownGate(Optional<ShutdownProtocol> protocol, Applications applications) {
    this.protocol = protocol;
    this.applications = applications;
  }

  /**
   * Returns the gate.
   *
   * @param protocol the protocol; empty when the shutdown hook is not configured
   * @param applications where the application is re-read after the protocol let it go on
   */
  public static ShutdownGate of(Optional<ShutdownProtocol> protocol, Applications applications) {
    return new ShutdownGate(
        Objects.requireNonNull(protocol, "protocol"),
        Objects.requireNonNull(applications, "applications"));
  }

  @Override
  public ActionOutcome intercept(ActionChain chain) {
    Application app = chain.application();
    ShutdownPurpose purpose;
    if (chain.action() == KrakeAction.MIGRATE) {
      purpose = ShutdownPurpose.MIGRATION;
    } else if (chain.action() == KrakeAction.DELETE && !decided(app)) {
      purpose = ShutdownPurpose.DELETION;
    } else {
      return chain.proceed();
    }
    if (!hasShutdownHook(app)) {
      return chain.proceed();
    }
    String namespace = app.metadata().namespace().orElse("");
    String name = app.metadata().name();
    String key = namespace.isEmpty() ? name : namespace + "/" + name;
    ShutdownDecision decision = protocol.orElseThrow().step(namespace, name, purpose);
    switch (decision.kind()) {
      case PROCEED:
        log.info(
            "application {}: shutdown {} for {}",
            key,
            decision.acknowledged() ? "acknowledged" : "not acknowledged (delete strategy)",
            purpose);
        Optional<Application> reread = applications.get(namespace, name);
        return reread.isEmpty() ? ActionOutcome.proceed() : chain.proceed(reread.get());
      case WAIT:
        return ActionOutcome.waitUntil(decision.deadline().orElseThrow());
      default:
        log.info("application {}: shutdown for {}: {}", key, purpose, decision);
        return ActionOutcome.waitForEvent();
    }
  }

  /**
   * A deletion past its shutdown: DELETING, or FAILED on a Kubernetes error (the controller retries
   * the deletion it had begun).
   */
  private static boolean decided(Application app) {
    ApplicationState state = app.status().state();
    return state == ApplicationState.DELETING
        || (state == ApplicationState.FAILED
            && app.status()
                .reason()
                .map(r -> r.code() == ReasonCode.KUBERNETES_ERROR)
                .orElse(false));
  }

  private boolean hasShutdownHook(Application app) {
    if (!app.spec().hooks().contains(Applications.SHUTDOWN_HOOK)) {
      return false;
    }
    if (protocol.isEmpty()) {
      log.warn(
          "application {}/{} has the shutdown hook, but no hooks configuration was given:"
              + " going on without a shutdown",
          app.metadata().namespace().orElse(""),
          app.metadata().name());
      return false;
    }
    return true;
  }

  @Override
  public String toString() {
    return "ShutdownGate";
  }
}
