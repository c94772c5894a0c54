package cloud.krake.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ThreadCpuTest {

  private static String stat(int pid, String comm, long utime, long stime) {
    return pid
        + " ("
        + comm
        + ") S 1 1 1 0 -1 1077936192 100 0 0 0 "
        + utime
        + " "
        + stime
        + " 0 0 20 0 30 0 12345 0 0\n";
  }

  @Test
  void parsesUtimePlusStimeAndACommWithSpacesAndParentheses() {
    ThreadCpu.Stat s = ThreadCpu.parseStat(stat(42, "C2 CompilerThre", 150, 25));
    assertThat(s.comm()).isEqualTo("C2 CompilerThre");
    assertThat(s.ticks()).isEqualTo(175);

    assertThat(ThreadCpu.parseStat(stat(7, "a) (b", 1, 2)).comm()).isEqualTo("a) (b");
  }

  @Test
  void refusesAStatLineWithoutTheFieldsNamingWhatIsMissing() {
    assertThatThrownBy(() -> ThreadCpu.parseStat("42 no comm here"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("comm");
    assertThatThrownBy(() -> ThreadCpu.parseStat("42 (x) S 1 2 3"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("utime");
    assertThatThrownBy(
            () -> ThreadCpu.parseStat(stat(42, "x", 1, 2).replace(" 1 2 0 0 20", " 1 x 0 0 20")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("stime");
  }

  @Test
  void classifiesTheVmsThreadsAndNamesJavaPoolsWithoutTheirNumber() {
    assertThat(ThreadCpu.kind("C1 CompilerThre")).isEqualTo(ThreadCpu.COMPILER);
    assertThat(ThreadCpu.kind("C2 CompilerThre")).isEqualTo(ThreadCpu.COMPILER);
    assertThat(ThreadCpu.kind("GC Thread#1")).isEqualTo(ThreadCpu.GC);
    assertThat(ThreadCpu.kind("G1 Conc#0")).isEqualTo(ThreadCpu.GC);
    assertThat(ThreadCpu.kind("G1 Refine#0")).isEqualTo(ThreadCpu.GC);
    assertThat(ThreadCpu.kind("VM Thread")).isEqualTo(ThreadCpu.VM);
    assertThat(ThreadCpu.kind("JFR Recorder Th")).isEqualTo(ThreadCpu.JFR);
    assertThat(ThreadCpu.kind("something-2")).isEqualTo("something");
    assertThat(ThreadCpu.pool("krake-reconcile-12")).isEqualTo("krake-reconcile");
    assertThat(ThreadCpu.pool("pool-3-thread-14")).isEqualTo("pool-#-thread");
    assertThat(ThreadCpu.pool("OkHttp TaskRunner")).isEqualTo("OkHttp TaskRunner");
    assertThat(ThreadCpu.pool("7")).isEqualTo("7");
    assertThat(ThreadCpu.pool("HttpClient-12-SelectorManager"))
        .isEqualTo("HttpClient-#-SelectorManager");
  }

  @Test
  void aProcThreadWhoseCutNameStartsAJavaThreadsIsLeftToTheJavaThread() {
    List<String> java = List.of("krake-kubernetes-applications-1", "main", "HTTP-Dispatcher");
    assertThat(ThreadCpu.isJava("krake-kubernete", java)).isTrue();
    assertThat(ThreadCpu.isJava("HTTP-Dispatcher", java)).isTrue();
    assertThat(ThreadCpu.isJava("java", java)).isTrue();
    // shorter than 15 characters: not cut, so only an equal name is the same thread
    assertThat(ThreadCpu.isJava("krake", java)).isFalse();
    assertThat(ThreadCpu.isJava("C2 CompilerThre", java)).isFalse();
  }

  @Test
  void aPhaseIsTheDifferenceByKindWithTheEndedThreadsFromTheProcessTotal() {
    Map<String, Long> before =
        Map.of(
            ThreadCpu.PROCESS, 10_000L, "10 GC", 1000L, "j11 krake-reconcile", 500L, "12 JFR", 50L);
    // thread 12 ended (its time before and in the phase is in the process only);
    // thread 13 started in the phase
    Map<String, Long> after =
        Map.of(
            ThreadCpu.PROCESS,
            14_000L,
            "10 GC",
            1500L,
            "j11 krake-reconcile",
            2500L,
            "j13 krake-reconcile",
            1000L);

    Map<String, Long> phase = ThreadCpu.phase(before, after);

    assertThat(phase)
        .containsExactly(
            Map.entry("krake-reconcile", 3000L),
            Map.entry("GC", 500L),
            Map.entry(ThreadCpu.ENDED, 500L),
            Map.entry("total", 4000L));
    assertThat(ThreadCpu.sum(List.of(phase, phase)))
        .containsEntry("krake-reconcile", 6000L)
        .containsEntry("total", 8000L);
  }

  @Test
  void readsAProcDirectoryAndTheJavaThreadsInNanoseconds(@TempDir Path proc) throws IOException {
    Files.writeString(proc.resolve("stat"), stat(1, "java", 300, 100));
    for (int tid = 1; tid <= 4; tid++) {
      Files.createDirectories(proc.resolve("task/" + tid));
    }
    Files.writeString(proc.resolve("task/1/stat"), stat(1, "java", 10, 0));
    Files.writeString(proc.resolve("task/2/stat"), stat(2, "krake-kubernete", 200, 90));
    Files.writeString(proc.resolve("task/3/stat"), stat(3, "C2 CompilerThre", 50, 0));
    // task 4 ended between the listing and the read: no stat

    Map<String, Long> snapshot =
        ThreadCpu.snapshot(
            proc,
            List.of(
                new ThreadCpu.JavaThread(1, "main", 7_000_000L),
                new ThreadCpu.JavaThread(20, "krake-kubernetes-clusters-1", 900_000_000L),
                new ThreadCpu.JavaThread(21, "krake-kubernetes-applications-2", 2_000_000_000L)));

    assertThat(snapshot)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                ThreadCpu.PROCESS,
                4_000_000_000L,
                "j1 main",
                7_000_000L,
                "j20 krake-kubernetes-clusters",
                900_000_000L,
                "j21 krake-kubernetes-applications",
                2_000_000_000L,
                "3 " + ThreadCpu.COMPILER,
                500_000_000L));
  }
}
