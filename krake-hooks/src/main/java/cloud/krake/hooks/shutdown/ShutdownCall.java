package cloud.krake.hooks.shutdown;

import cloud.krake.hooks.ApplicationWriteOrder;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.ApplicationStatus;
import cloud.krake.runtime.KrakeMetricsRecorder;
import cloud.krake.runtime.KrakeMetricsRecorder.ShutdownAttemptOutcome;
import cloud.krake.store.Applications;
import cloud.krake.store.NotFoundException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt's call of an application's shutdown service ({@code PUT <service>/shutdown} with the
 * attempt id in {@value ShutdownProtocol#ATTEMPT_HEADER}), in the background on the protocol's
 * client. Its end is recorded in the status, if the attempt is still the current one: {@code
 * shutdown_call_completed} for an answer, and also the deadline moved to now for a failure, which
 * ends the attempt early (see {@link ShutdownProtocol}). Then {@code done} runs, on every path,
 * also a cancelled call: the protocol no longer has the call in flight.
 */
final class ShutdownCall {

  private static final Logger log = LoggerFactory.getLogger(ShutdownProtocol.class);

  private final OkHttpClient client;
  private final Clock clock;
  private final Applications applications;
  private final AtomicBoolean closed;
  private final KrakeMetricsRecorder recorder;
  private final Runnable done;

  ShutdownCall(
      OkHttpClient client,
      Clock clock,
      Applications applications,
      AtomicBoolean closed,
      KrakeMetricsRecorder recorder,
      Runnable done) {
    this.recorder = recorder;
    this.done = done;
    this.client = client;
    this.clock = clock;
    this.applications = applications;
    this.closed = closed;
  }

  /** The id of one attempt: unique across rounds because the deadline differs. */
  static String attemptId(String namespace, String name, int attempt, Instant deadline) {
    return namespace + "/" + name + "/" + attempt + "/" + deadline.toEpochMilli();
  }

  void start(String namespace, String name, HttpUrl url, int attempt, Instant deadline) {
    Request request =
        new Request.Builder()
            .url(url)
            .put(RequestBody.EMPTY)
            .header(ShutdownProtocol.ATTEMPT_HEADER, attemptId(namespace, name, attempt, deadline))
            .build();
    log.info("Shutdown of {}/{}: attempt {}, calling {}", namespace, name, attempt, url);
    Call call = client.newCall(request);
    // A call never outlives its attempt: the next attempt must not meet this one still running.
    long remaining = Duration.between(clock.instant(), deadline).toMillis();
    if (remaining > 0 && remaining < client.callTimeoutMillis()) {
      call.timeout().timeout(remaining, TimeUnit.MILLISECONDS);
    }
    call.enqueue(
        new Callback() {
          @Override
          public void onResponse(Call call, Response response) {
            try {
              answered(response);
              recordEnd(namespace, name, attempt, deadline, false);
            } finally {
              done.run();
            }
          }

          private void answered(Response response) {
            recorder.shutdownAttempt(ShutdownAttemptOutcome.CALLED);
            try (response) {
              if (response.isSuccessful()) {
                log.debug(
                    "Shutdown of {}/{}: attempt {} answered {}",
                    namespace,
                    name,
                    attempt,
                    response.code());
              } else {
                log.warn(
                    "Shutdown of {}/{}: attempt {} answered {}; counted as called, as in Krake",
                    namespace,
                    name,
                    attempt,
                    response.code());
              }
            }
          }

          @Override
          public void onFailure(Call call, IOException e) {
            try {
              failed(call, e);
            } finally {
              done.run();
            }
          }

          private void failed(Call call, IOException e) {
            if (closed.get() || call.isCanceled()) {
              // no record: whoever steps next calls again (the service may not have got it)
              log.debug("Shutdown of {}/{}: attempt {} call cancelled", namespace, name, attempt);
              return;
            }
            recorder.shutdownAttempt(ShutdownAttemptOutcome.CALL_FAILED);
            log.warn(
                "Shutdown of {}/{}: attempt {} call to {} failed, ending the attempt: {}",
                namespace,
                name,
                attempt,
                url,
                e.toString());
            recordEnd(namespace, name, attempt, deadline, true);
          }
        });
  }

  /**
   * Records that the call of the attempt completed ({@code shutdown_call_completed = now}) and, for
   * a failed call, moves the attempt's deadline to now, if that attempt is still the current one
   * (ordered with this process's hook endpoint's writes: {@link ApplicationWriteOrder}). A write
   * refused (the store failed; a deposed instance's fenced write) leaves the attempt without the
   * record: whoever steps it next calls again, under a new id.
   */
  private void recordEnd(
      String namespace, String name, int attempt, Instant deadline, boolean failed) {
    try {
      // ordered with this process's hook endpoint: the application's acknowledgement typically
      // arrives just after its answer, and both would read the same revision (issue 16)
      ApplicationWriteOrder.inOrder(
          namespace,
          name,
          () ->
              applications.modifyStatus(
                  namespace,
                  name,
                  current -> {
                    ApplicationStatus status = current.status();
                    Instant now = clock.instant();
                    boolean stillCurrent =
                        status.state() == ApplicationState.WAITING_FOR_CLEANING
                            && status.shutdownAttempts() == attempt
                            && status.shutdownGracePeriod().equals(Optional.of(deadline))
                            && status.shutdownCallCompleted().isEmpty();
                    if (!stillCurrent) {
                      return status;
                    }
                    ApplicationStatus.Builder ended =
                        status.toBuilder().shutdownCallCompleted(Optional.of(now));
                    if (failed && now.isBefore(deadline)) {
                      ended.shutdownGracePeriod(Optional.of(now));
                    }
                    return ended.build();
                  }));
    } catch (NotFoundException e) {
      log.debug("Shutdown of {}/{}: gone before its attempt's call was recorded", namespace, name);
    } catch (RuntimeException e) {
      log.warn(
          "Shutdown of {}/{}: could not record the end of attempt {}'s call{}: {}",
          namespace,
          name,
          attempt,
          failed ? "; it ends at " + deadline : "",
          e.toString());
    }
  }
}
