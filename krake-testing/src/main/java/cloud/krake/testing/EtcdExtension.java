package cloud.krake.testing;

import java.net.URI;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension that runs one real etcd ({@link EtcdServer}) for the tests of a class: started
 * before all tests, closed (process stopped, data deleted) after all tests.
 *
 * <pre>{@code
 * @RegisterExtension static final EtcdExtension etcd = EtcdExtension.builder().tls(true).build();
 *
 * @Test void writes() {
 *   try (Store store = EtcdStore.builder().endpoint(etcd.endpoint()).build()) { ... }
 * }
 * }</pre>
 *
 * <p>Register it in a {@code static} field: per-instance registration would not see {@code
 * beforeAll}. The tests share the server's data, so they should use distinct keys. Nested test
 * classes reuse the enclosing class's server.
 */
public final class EtcdExtension implements BeforeAllCallback, AfterAllCallback {
  private final EtcdServer.Builder serverBuilder;

  // Guarded by this.
  private EtcdServer server;
  private int depth;

  private EtcdExtension(Builder builder) {
    this.serverBuilder = EtcdServer.builder().tls(builder.tls);
  }

  /** Returns a builder for an extension with a plain-HTTP etcd. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public synchronized void beforeAll(ExtensionContext context) {
    if (depth++ == 0) {
      server = serverBuilder.build();
      try {
        server.start();
      } catch (RuntimeException e) {
        server.close();
        server = null;
        depth = 0;
        throw e;
      }
    }
  }

  @Override
  public synchronized void afterAll(ExtensionContext context) {
    if (depth > 0 && --depth == 0 && server != null) {
      server.close();
      server = null;
    }
  }

  /**
   * Returns the running server, for example to {@link EtcdServer#stop() stop} and {@link
   * EtcdServer#start() restart} it.
   *
   * @throws IllegalStateException outside the tests of the registering class
   */
  public synchronized EtcdServer server() {
    if (server == null) {
      throw new IllegalStateException(
          "etcd is not running: register the EtcdExtension in a static field");
    }
    return server;
  }

  /**
   * Returns the server's client URL.
   *
   * @throws IllegalStateException outside the tests of the registering class
   */
  public URI endpoint() {
    return server().endpoint();
  }

  /** Builds an {@link EtcdExtension}; not thread-safe. */
  public static final class Builder {
    private boolean tls;

    private Builder() {}

    /**
     * Whether etcd speaks HTTPS and requires client certificates (default {@code false}); the
     * material is in {@link EtcdServer#tls()}.
     *
     * @param tls {@code true} for TLS with client-certificate authentication
     * @return this builder
     */
    public Builder tls(boolean tls) {
      this.tls = tls;
      return this;
    }

    /** Returns the extension. */
    public EtcdExtension build() {
      return new EtcdExtension(this);
    }
  }
}
