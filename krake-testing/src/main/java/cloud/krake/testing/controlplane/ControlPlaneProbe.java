package cloud.krake.testing.controlplane;

import cloud.krake.testing.controlplane.KubernetesControlPlane.ControlPlaneComponent;
import java.io.IOException;
import java.security.KeyPair;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;

/**
 * Waits for a {@link KubernetesControlPlane}'s components to answer: HTTPS {@code GET}s to their
 * loopback ports with the administrator's client certificate, trusting the cluster CA. Thread-safe.
 */
final class ControlPlaneProbe implements AutoCloseable {

  private final OkHttpClient client;

  ControlPlaneProbe(CertificateAndKey ca, CertificateAndKey admin) {
    HandshakeCertificates certificates =
        new HandshakeCertificates.Builder()
            .addTrustedCertificate(ca.certificate())
            .heldCertificate(
                new HeldCertificate(
                    new KeyPair(admin.certificate().getPublicKey(), admin.privateKey()),
                    admin.certificate()))
            .build();
    this.client =
        new OkHttpClient.Builder()
            .sslSocketFactory(certificates.sslSocketFactory(), certificates.trustManager())
            .connectTimeout(Duration.ofSeconds(1))
            .callTimeout(Duration.ofSeconds(5))
            .retryOnConnectionFailure(false)
            .build();
  }

  /**
   * Polls {@code GET https://127.0.0.1:<port><path>} every 100 ms until it answers 2xx.
   *
   * @param component the component, for messages
   * @param port its port
   * @param path the path, e.g. {@code /readyz}
   * @param process its process
   * @param deadline the {@link System#nanoTime()} to give up at
   * @param timeout the startup timeout the deadline came from, for messages
   * @param logTail the end of the component's log, for messages
   * @throws IllegalStateException if the process exits, the deadline passes or the thread is
   *     interrupted
   */
  void awaitOk(
      ControlPlaneComponent component,
      int port,
      String path,
      Process process,
      long deadline,
      Duration timeout,
      Supplier<String> logTail) {
    Request request = new Request.Builder().url("https://127.0.0.1:" + port + path).build();
    while (true) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            component.binaryName()
                + " exited with code "
                + process.exitValue()
                + " while starting"
                + logTail.get());
      }
      try (Response response = client.newCall(request).execute()) {
        if (response.isSuccessful()) {
          return;
        }
      } catch (IOException e) {
        // Not listening yet.
      }
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException(
            component.binaryName()
                + " did not answer GET "
                + path
                + " within "
                + timeout
                + logTail.get());
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
      if (Thread.currentThread().isInterrupted()) {
        throw new IllegalStateException("interrupted while waiting for the control plane");
      }
    }
  }

  @Override
  public void close() {
    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
  }
}
