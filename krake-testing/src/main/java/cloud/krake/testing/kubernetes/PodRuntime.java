package cloud.krake.testing.kubernetes;

import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import okhttp3.HttpUrl;

/**
 * The kubelet's side of the Pod subresources the API server proxies to it: {@code log} and {@code
 * exec}. Called on MockWebServer's connection threads; may throw {@link ApiError} for an error
 * {@code Status}.
 */
interface PodRuntime {

  /** Answers {@code GET .../pods/{name}/log}. */
  MockResponse logs(String namespace, String pod, HttpUrl url);

  /** Answers {@code GET .../pods/{name}/exec} (a WebSocket upgrade). */
  MockResponse exec(String namespace, String pod, HttpUrl url, RecordedRequest request);
}
