package cloud.krake.testing.junit;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The life of a {@link KrakeTestExtension}'s fixture across JUnit's callbacks: started once per
 * class when the extension is registered in a static field (nested classes reuse it), else once per
 * test; and at its end closed, failing the test on close failures, recorded errors and leaked
 * threads (a class-scoped fixture checks the recorded errors after each test too).
 *
 * <p>Thread-safe: the fixture, its scope and the nesting depth are guarded by this; start and close
 * happen on JUnit's thread.
 */
final class FixtureLifecycle {

  private enum Scope {
    CLASS,
    METHOD
  }

  private final KrakeTestExtension.Builder settings;

  /** The running fixture, if any. Guarded by this. */
  private Fixture fixture;

  /** Who started it. Guarded by this. */
  private Scope scope;

  /** Nesting depth of class-scoped starts (nested classes reuse the fixture). Guarded by this. */
  private int depth;

  FixtureLifecycle(KrakeTestExtension.Builder settings) {
    this.settings = settings;
  }

  /** As {@code BeforeAllCallback}: starts a class-scoped fixture, unless an outer class did. */
  synchronized void beforeAll() {
    if (depth++ == 0) {
      try {
        fixture = Fixture.start(settings);
      } catch (RuntimeException | Error e) {
        depth = 0;
        throw e;
      }
      scope = Scope.CLASS;
    }
  }

  /** As {@code BeforeEachCallback}: starts a fixture for the test if none runs. */
  void beforeEach() {
    synchronized (this) {
      if (fixture == null) {
        fixture = Fixture.start(settings);
        scope = Scope.METHOD;
      }
    }
  }

  /**
   * As {@code AfterEachCallback}: closes and checks a test's own fixture; of a class-scoped one,
   * checks the errors recorded during the test.
   */
  void afterEach() {
    Fixture ending;
    boolean close;
    synchronized (this) {
      ending = fixture;
      if (ending == null) {
        return;
      }
      close = scope == Scope.METHOD;
      if (close) {
        fixture = null;
        scope = null;
      }
    }
    if (close) {
      finish(ending);
    } else {
      checkErrors(ending, "during the test");
    }
  }

  /**
   * As {@code AfterAllCallback}: closes and checks the class-scoped fixture at the outermost end.
   */
  void afterAll() {
    Fixture ending;
    synchronized (this) {
      if (depth == 0 || --depth > 0) {
        return;
      }
      ending = fixture;
      fixture = null;
      scope = null;
    }
    if (ending != null) {
      finish(ending);
    }
  }

  /** The running fixture, if any. */
  synchronized Optional<Fixture> current() {
    return Optional.ofNullable(fixture);
  }

  /**
   * The running fixture.
   *
   * @throws IllegalStateException if none runs
   */
  synchronized Fixture running() {
    if (fixture == null) {
      throw new IllegalStateException(
          "the Krake test fixture is not running: use it from a test or a lifecycle method, and"
              + " register it in a static field to use it in @BeforeAll methods");
    }
    return fixture;
  }

  /** Closes the fixture, then fails on close failures, errors recorded and leaked threads. */
  private void finish(Fixture ending) {
    List<Throwable> closeFailures = ending.closeAll();
    closeFailures.forEach(e -> ending.errors.record("close", e));
    List<Thread> leaked =
        settings.checkThreads ? ending.threads.awaitLeaks(settings.leakGrace) : List.of();
    AssertionError errors = errorsFailure(ending, "during the test or while closing");
    if (!leaked.isEmpty()) {
      AssertionError failure =
          new AssertionError(
              leaked.size()
                  + " thread(s) started while the Krake test fixture was up are still alive "
                  + settings.leakGrace
                  + " after it closed:\n"
                  + ThreadLeakCheck.describe(leaked));
      if (errors != null) {
        failure.addSuppressed(errors);
      }
      throw failure;
    }
    if (errors != null) {
      throw errors;
    }
  }

  private void checkErrors(Fixture running, String when) {
    AssertionError failure = errorsFailure(running, when);
    if (failure != null) {
      throw failure;
    }
  }

  private AssertionError errorsFailure(Fixture f, String when) {
    if (!settings.checkErrors) {
      f.errors.drain();
      return null;
    }
    List<UncaughtErrors.Recorded> recorded = f.errors.drain();
    if (recorded.isEmpty()) {
      return null;
    }
    AssertionError failure =
        new AssertionError(
            recorded.size()
                + " error(s) recorded "
                + when
                + ":\n"
                + recorded.stream()
                    .map(r -> "  [" + r.thread() + "] " + r.error())
                    .collect(Collectors.joining("\n")));
    recorded.forEach(r -> failure.addSuppressed(r.error()));
    return failure;
  }
}
