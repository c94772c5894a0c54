package cloud.krake.hooks.shutdown;

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
 * client; a call that fails ends its attempt early (see {@link ShutdownProtocol}).
 */
final class ShutdownCall {

  private static final Logger log = LoggerFactory.getLogger(ShutdownProtocol.class);

  private final OkHttpClient client;
  private final Clock clock;
  private final Applications applications;
  private final AtomicBoolean closed;
  private final KrakeMetricsRecorder recorder;

  ShutdownCall(
      OkHttpClient client,
      Clock clock,
      Applications applications,
      AtomicBoolean closed,
      KrakeMetricsRecorder recorder) {
    this.recorder = recorder;
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
            if (closed.get() || call.isCanceled()) {
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
            endAttemptEarly(namespace, name, attempt, deadline);
          }
        });
  }

  /** Moves the deadline of a failed attempt to now, if that attempt is still the current one. */
  private void endAttemptEarly(String namespace, String name, int attempt, Instant deadline) {
    try {
      applications.modifyStatus(
          namespace,
          name,
          current -> {
            ApplicationStatus status = current.status();
            Instant now = clock.instant();
            boolean stillCurrent =
                status.state() == ApplicationState.WAITING_FOR_CLEANING
                    && status.shutdownAttempts() == attempt
                    && status.shutdownGracePeriod().equals(Optional.of(deadline));
            return stillCurrent && now.isBefore(deadline)
                ? status.withShutdownGracePeriod(Optional.of(now))
                : status;
          });
    } catch (NotFoundException e) {
      log.debug("Shutdown of {}/{}: gone before its failed attempt could end", namespace, name);
    } catch (RuntimeException e) {
      log.warn(
          "Shutdown of {}/{}: could not end failed attempt {} early; it ends at {}: {}",
          namespace,
          name,
          attempt,
          deadline,
          e.toString());
    }
  }
}
