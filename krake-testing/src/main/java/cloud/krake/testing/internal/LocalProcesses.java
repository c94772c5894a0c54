package cloud.krake.testing.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The server processes the fixtures run (etcd, Prometheus, the control plane's components): launch
 * with the output collected in a log file, stop politely then forcibly, and quote the log's end in
 * an error message.
 */
public final class LocalProcesses {

  /** How many lines of a log an error message quotes. */
  public static final int LOG_TAIL_LINES = 30;

  private LocalProcesses() {}

  /**
   * Launches {@code command} with standard output and error appended to {@code logFile}.
   *
   * @param command the executable and its arguments
   * @param logFile the file collecting the output (created if missing)
   * @return the running process
   * @throws UncheckedIOException if the process cannot be launched (the message names the
   *     executable)
   */
  public static Process launch(List<String> command, Path logFile) {
    try {
      return new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot launch " + command.get(0), e);
    }
  }

  /**
   * Stops processes: SIGTERM to all of them first, then, for each, a kill once {@code timeout} has
   * passed without it exiting. An interrupt kills the rest at once and keeps the interrupt flag.
   *
   * @param processes the processes, in the order they are signalled
   * @param timeout how long each may take to exit after SIGTERM
   */
  public static void stop(List<Process> processes, Duration timeout) {
    processes.forEach(Process::destroy);
    for (Process process : processes) {
      try {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          process.destroyForcibly().waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Returns the end of a log for an error message: {@code "; last lines of <file>:\n<lines>"}, or
   * {@code "; no log at <file>"} when it cannot be read.
   *
   * @param logFile the log
   */
  public static String logTail(Path logFile) {
    try {
      List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
      List<String> tail = lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size());
      return "; last lines of " + logFile + ":\n" + String.join("\n", tail);
    } catch (IOException e) {
      return "; no log at " + logFile;
    }
  }
}
