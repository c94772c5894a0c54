package cloud.krake.testing.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/** Runs {@link FailingFixtures} through the JUnit launcher and checks how they end. */
class FixtureFailuresIT {

  /** What each test or container of a run ended with, by display name. */
  private static Map<String, TestExecutionResult> run(Class<?> testClass) {
    Map<String, TestExecutionResult> results = new ConcurrentHashMap<>();
    Launcher launcher = LauncherFactory.create();
    launcher.execute(
        LauncherDiscoveryRequestBuilder.request().selectors(selectClass(testClass)).build(),
        new TestExecutionListener() {
          @Override
          public void executionFinished(TestIdentifier id, TestExecutionResult result) {
            results.put(id.getDisplayName(), result);
          }
        });
    return results;
  }

  private static String failure(TestExecutionResult result) {
    assertThat(result.getStatus()).isEqualTo(TestExecutionResult.Status.FAILED);
    Throwable t = result.getThrowable().orElseThrow();
    return t.getMessage();
  }

  @AfterAll
  static void releaseTheLeakedThread() {
    FailingFixtures.RELEASE.countDown();
  }

  @Test
  void aThreadLeftRunningFailsTheTestNamingIt() {
    Map<String, TestExecutionResult> results = run(FailingFixtures.LeaksAThread.class);

    assertThat(failure(results.get("startsAThreadAndLeavesItRunning()")))
        .contains("still alive")
        .contains(FailingFixtures.LEAKED_THREAD + " (WAITING, daemon)")
        .contains("CountDownLatch.await")
        .doesNotContain("krake-");
  }

  @Test
  void anExceptionThatEndsAThreadFailsTheTest() {
    Map<String, TestExecutionResult> results = run(FailingFixtures.ThrowsOnAThread.class);

    TestExecutionResult result = results.get("aThreadDiesWithAnException()");
    assertThat(failure(result))
        .contains("1 error(s) recorded")
        .contains(FailingFixtures.DYING_THREAD)
        .contains("boom on a library thread");
    assertThat(List.of(result.getThrowable().orElseThrow().getSuppressed()))
        .singleElement()
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void anErrorRecordedByTheTestFailsIt() {
    Map<String, TestExecutionResult> results = run(FailingFixtures.RecordsAnError.class);

    assertThat(failure(results.get("reportsAnErrorFromAListener()")))
        .contains("seen by a watch listener");
  }

  @Test
  void withAStaticFixtureOnlyTheTestDuringWhichTheErrorHappenedFails() {
    Map<String, TestExecutionResult> results =
        run(FailingFixtures.SharedFixtureThrowsInOneTest.class);

    assertThat(failure(results.get("aThreadDiesWithAnException()")))
        .contains("boom on a library thread");
    assertThat(results.get("theNextTestIsNotBlamed()").getStatus())
        .isEqualTo(TestExecutionResult.Status.SUCCESSFUL);
    assertThat(results)
        .allSatisfy(
            (name, result) -> {
              if (!name.equals("aThreadDiesWithAnException()")) {
                assertThat(result.getStatus())
                    .as(name)
                    .isEqualTo(TestExecutionResult.Status.SUCCESSFUL);
              }
            });
  }

  @Test
  void aCleanTestPassesAndLeavesTheUncaughtExceptionHandlerAsItWas() {
    Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();

    Map<String, TestExecutionResult> results = run(FailingFixtures.Clean.class);

    assertThat(results.get("doesNothingWrong()").getStatus())
        .isEqualTo(TestExecutionResult.Status.SUCCESSFUL);
    assertThat(Thread.getDefaultUncaughtExceptionHandler()).isSameAs(before);
  }
}
