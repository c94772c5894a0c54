package cloud.krake.runtime;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * What the tests' slf4j binding (slf4j-simple, which writes each line to the current {@code
 * System.err}) logged while an action ran on this thread.
 */
final class LogLines {
  private LogLines() {}

  static String captureStandardError(Runnable action) {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, UTF_8));
    try {
      action.run();
    } finally {
      System.setErr(original);
    }
    return captured.toString(UTF_8);
  }

  /** The non-blank lines, stack trace lines included. */
  static List<String> of(String log) {
    return Arrays.stream(log.split("\n")).filter(l -> !l.isBlank()).toList();
  }

  /** The lines at one level ({@code "WARN"}, {@code "INFO"}). */
  static List<String> at(String level, String log) {
    return of(log).stream().filter(l -> l.contains("] " + level + " ")).toList();
  }
}
