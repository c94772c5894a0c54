package cloud.krake.testing.kubernetes;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import okhttp3.HttpUrl;

/**
 * The log and exec endpoints of a {@link LocalKubelet} ({@code containerLogs} with {@code
 * previous}, {@code tailLines}, {@code limitBytes}; {@code exec} over the WebSocket channel
 * protocols), as the kubelet server answers them for the API server. The Pod and container are
 * resolved on the kubelet's sync thread; an exec runs as a process in the container's sandbox.
 */
final class KubeletEndpoints implements PodRuntime {
  private final PodWorkerContext kubelet;

  KubeletEndpoints(PodWorkerContext kubelet) {
    this.kubelet = kubelet;
  }

  /** The container of a log or exec request, as the API server resolves it. */
  private static PodWorker.Container container(PodWorker worker, String pod, String requested) {
    Map<String, PodWorker.Container> containers = worker.containers();
    if (requested == null || requested.isEmpty()) {
      if (containers.size() == 1) {
        return containers.values().iterator().next();
      }
      throw ApiError.badRequest(
          "a container name must be specified for pod "
              + pod
              + ", choose one of: "
              + containers.keySet().toString().replace(",", ""));
    }
    PodWorker.Container container = containers.get(requested);
    if (container == null) {
      throw ApiError.badRequest("container " + requested + " is not valid for pod " + pod);
    }
    return container;
  }

  private record ExecTarget(
      List<String> enter,
      Map<String, String> env,
      List<Sandbox.Mount> mounts,
      Path tmp,
      String workingDir) {}

  @Override
  public MockResponse logs(String namespace, String pod, HttpUrl url) {
    boolean previous = "true".equalsIgnoreCase(url.queryParameter("previous"));
    LogBuffer buffer =
        kubelet.onSyncAndWait(
            () -> {
              PodWorker worker = kubelet.worker(namespace, pod);
              PodWorker.Container c = container(worker, pod, url.queryParameter("container"));
              LogBuffer selected = previous ? c.previousLog : c.log;
              if (selected == null) {
                throw ApiError.badRequest(
                    previous
                        ? "previous terminated container \""
                            + c.name
                            + "\" in pod \""
                            + pod
                            + "\" not found"
                        : "container \""
                            + c.name
                            + "\" in pod \""
                            + pod
                            + "\" is waiting to start: "
                            + c.waitingReason);
              }
              return selected;
            });
    byte[] bytes = buffer.bytes();
    String tailLines = url.queryParameter("tailLines");
    if (tailLines != null) {
      int lines = Integer.parseInt(tailLines);
      int start = bytes.length;
      int seen = 0;
      if (start > 0 && bytes[start - 1] == '\n') {
        start--;
      }
      while (start > 0 && seen < lines) {
        start--;
        if (bytes[start] == '\n') {
          seen++;
        }
      }
      if (seen == lines && start < bytes.length && bytes[start] == '\n') {
        start++;
      }
      bytes = lines <= 0 ? new byte[0] : Arrays.copyOfRange(bytes, start, bytes.length);
    }
    String limitBytes = url.queryParameter("limitBytes");
    if (limitBytes != null && Long.parseLong(limitBytes) < bytes.length) {
      bytes = Arrays.copyOf(bytes, (int) Long.parseLong(limitBytes));
    }
    return new MockResponse.Builder()
        .code(200)
        .addHeader("Content-Type", "text/plain")
        .body(new okio.Buffer().write(bytes))
        .build();
  }

  @Override
  public MockResponse exec(String namespace, String pod, HttpUrl url, RecordedRequest request) {
    if (!"websocket".equalsIgnoreCase(request.getHeaders().get("Upgrade"))) {
      throw ApiError.badRequest(
          "the local kubelet serves exec over WebSocket only ("
              + LocalKubelet.EXEC_PROTOCOL_V5
              + ")");
    }
    List<String> offered = new ArrayList<>();
    for (String header : request.getHeaders().values("Sec-WebSocket-Protocol")) {
      for (String protocol : header.split(",")) {
        offered.add(protocol.trim());
      }
    }
    String protocol =
        offered.contains(LocalKubelet.EXEC_PROTOCOL_V5)
            ? LocalKubelet.EXEC_PROTOCOL_V5
            : offered.contains(LocalKubelet.EXEC_PROTOCOL_V4)
                ? LocalKubelet.EXEC_PROTOCOL_V4
                : null;
    if (protocol == null) {
      throw ApiError.badRequest(
          "unsupported stream protocols "
              + offered
              + ": use "
              + LocalKubelet.EXEC_PROTOCOL_V5
              + " or "
              + LocalKubelet.EXEC_PROTOCOL_V4);
    }
    List<String> command =
        url.queryParameterValues("command").stream().filter(Objects::nonNull).toList();
    if (command.isEmpty()) {
      throw ApiError.badRequest("you must specify at least one command for the container");
    }
    boolean stdin = "true".equalsIgnoreCase(url.queryParameter("stdin"));
    boolean tty = "true".equalsIgnoreCase(url.queryParameter("tty"));
    ExecTarget target =
        kubelet.onSyncAndWait(
            () -> {
              PodWorker worker = kubelet.worker(namespace, pod);
              PodWorker.Container c = container(worker, pod, url.queryParameter("container"));
              if (c.state != PodWorker.State.RUNNING) {
                throw ApiError.badRequest(
                    "unable to upgrade connection: container not found (\"" + c.name + "\")");
              }
              return new ExecTarget(
                  worker.enterNetwork(), c.env, c.mounts, c.tmp(), c.workingDir());
            });
    Process process;
    try {
      List<String> argv = new ArrayList<>(target.enter());
      argv.addAll(
          kubelet.containerCommand(target.tmp(), target.mounts(), target.workingDir(), command));
      ProcessBuilder builder = new ProcessBuilder(argv);
      builder.environment().clear();
      builder.environment().putAll(target.env());
      process = builder.start();
    } catch (IOException | IllegalStateException e) {
      throw new ApiError(
          500, "InternalError", "cannot start the exec sandbox: " + e.getMessage(), "", "", "");
    }
    kubelet.execs().add(process);
    return new MockResponse.Builder()
        .addHeader("Sec-WebSocket-Protocol", protocol)
        .webSocketUpgrade(
            new ExecSession(process, stdin, tty, protocol, kubelet.io(), kubelet.execs()::remove))
        .build();
  }
}
