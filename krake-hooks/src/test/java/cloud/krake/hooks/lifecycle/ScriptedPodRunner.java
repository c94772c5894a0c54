package cloud.krake.hooks.lifecycle;

import cloud.krake.hooks.execution.Cancellation;
import cloud.krake.hooks.execution.PodRunner;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A {@link PodRunner} whose execs answer with a script (exit 0 with no output unless given) and are
 * recorded with their cancellation flags; pods are not supported.
 */
final class ScriptedPodRunner implements PodRunner {

  final List<ExecRequest> execs = new CopyOnWriteArrayList<>();
  final List<Cancellation> cancellations = new CopyOnWriteArrayList<>();
  private volatile Function<ExecRequest, ExecResult> behaviour = r -> new ExecResult(0, "", "");

  ScriptedPodRunner answering(Function<ExecRequest, ExecResult> behaviour) {
    this.behaviour = behaviour;
    return this;
  }

  @Override
  public PodResult run(PodTask task, Cancellation cancellation) {
    throw new UnsupportedOperationException("pods are not used by lifecycle hooks");
  }

  @Override
  public ExecResult exec(ExecRequest request, Cancellation cancellation) {
    execs.add(request);
    cancellations.add(cancellation);
    return behaviour.apply(request);
  }
}
