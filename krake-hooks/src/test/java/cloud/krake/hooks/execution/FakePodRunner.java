package cloud.krake.hooks.execution;

import cloud.krake.dispatcher.HookException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * An in-memory {@link PodRunner}: records what it is asked to run and answers with scripted
 * results, in order; without a script, pods and commands exit 0 with no output.
 */
final class FakePodRunner implements PodRunner {

  final List<PodTask> tasks = new ArrayList<>();
  final List<ExecRequest> execs = new ArrayList<>();
  private final Deque<Object> podResults = new ArrayDeque<>();
  private final Deque<Object> execResults = new ArrayDeque<>();

  FakePodRunner podExits(int code, String logs) {
    podResults.add(new PodResult(code, logs));
    return this;
  }

  FakePodRunner podFails(String message) {
    podResults.add(new HookException("KubeTask", message, null));
    return this;
  }

  FakePodRunner execExits(int code, String stdout, String stderr) {
    execResults.add(new ExecResult(code, stdout, stderr));
    return this;
  }

  @Override
  public synchronized PodResult run(PodTask task, Cancellation cancellation) {
    tasks.add(task);
    Object next = podResults.isEmpty() ? new PodResult(0, "") : podResults.poll();
    if (next instanceof HookException e) {
      throw e;
    }
    return (PodResult) next;
  }

  @Override
  public synchronized ExecResult exec(ExecRequest request, Cancellation cancellation) {
    execs.add(request);
    return execResults.isEmpty() ? new ExecResult(0, "", "") : (ExecResult) execResults.poll();
  }
}
