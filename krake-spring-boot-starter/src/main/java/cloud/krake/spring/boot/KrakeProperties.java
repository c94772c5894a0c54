package cloud.krake.spring.boot;

import cloud.krake.hooks.CryptoProvider;
import cloud.krake.hooks.FailureStrategy;
import cloud.krake.hooks.KeyAlgorithm;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.core.io.Resource;

/**
 * The {@code krake.*} properties of the auto-configured {@code Krake} instance. Every default is
 * the library's (and so Krake's, where Krake has the key). No property holds a secret itself:
 * private keys are given as {@link Resource} locations ({@code file:}, {@code classpath:}), whose
 * content is read when the beans are made and never logged.
 *
 * <p>Bound once at start-up; not thread-safe while bound, read-only afterwards.
 */
@ConfigurationProperties(prefix = "krake")
public class KrakeProperties {

  /** Number of worker threads each component (controller, scheduler, ...) starts; at least 1. */
  private int workers = 2;

  /** The store of Krake's resources. */
  private final StoreProperties store = new StoreProperties();

  /** The Kubernetes backend: application and cluster controllers. */
  private final Kubernetes kubernetes = new Kubernetes();

  /** Krake's complete and shutdown hooks and their endpoint. */
  private final Hooks hooks = new Hooks();

  /** Returns the number of worker threads per component. */
  public int getWorkers() {
    return workers;
  }

  /**
   * Sets the number of worker threads per component; a value below 1 fails when the {@code Krake}
   * bean is made, naming {@code krake.workers}.
   *
   * @param workers at least 1
   */
  public void setWorkers(int workers) {
    this.workers = workers;
  }

  /** Returns the store properties. */
  public StoreProperties getStore() {
    return store;
  }

  /** Returns the Kubernetes backend properties. */
  public Kubernetes getKubernetes() {
    return kubernetes;
  }

  /** Returns the hooks properties. */
  public Hooks getHooks() {
    return hooks;
  }

  /** Which store the auto-configuration makes. */
  public enum StoreType {
    /** {@code cloud.krake.store.memory.MemoryStore}: in the JVM, lost at exit. */
    MEMORY,
    /** {@code cloud.krake.store.etcd.EtcdStore} on {@code krake.store.etcd.endpoints}. */
    ETCD
  }

  /** Where Krake's hook endpoint is served. */
  public enum HookServerMode {
    /**
     * On the application's own servlet web server (Spring MVC's Tomcat, Jetty or Undertow), under
     * {@code /kubernetes/*}; with TLS, {@code server.ssl.*} must ask for client certificates.
     */
    APPLICATION,
    /** On a port of its own, by the library's {@code EmbeddedHookServer}. */
    PORT,
    /** Not served by the auto-configuration (the host mounts the {@code HookEndpoint} bean). */
    NONE
  }

  /** {@code krake.store.*}. */
  public static class StoreProperties {

    /**
     * Which store to make: memory (default) or etcd. Ignored when the host defines a Store bean.
     */
    private StoreType type = StoreType.MEMORY;

    /** The etcd store's settings, used with krake.store.type=etcd. */
    private final Etcd etcd = new Etcd();

    /** Returns the store type. */
    public StoreType getType() {
      return type;
    }

    /** Sets the store type. */
    public void setType(StoreType type) {
      this.type = type;
    }

    /** Returns the etcd settings. */
    public Etcd getEtcd() {
      return etcd;
    }
  }

  /** {@code krake.store.etcd.*}. */
  public static class Etcd {

    /**
     * The etcd members' client URLs, e.g. http://127.0.0.1:2379; at least one is required with
     * krake.store.type=etcd. The store connects on first use.
     */
    private List<URI> endpoints = new ArrayList<>();

    /** How long opening a connection to etcd may take. */
    private Duration connectTimeout = Duration.ofSeconds(5);

    /** How long one etcd request may take. */
    private Duration requestTimeout = Duration.ofSeconds(10);

    /** Returns the endpoints. */
    public List<URI> getEndpoints() {
      return endpoints;
    }

    /** Sets the endpoints. */
    public void setEndpoints(List<URI> endpoints) {
      this.endpoints = endpoints;
    }

    /** Returns the connect timeout. */
    public Duration getConnectTimeout() {
      return connectTimeout;
    }

    /** Sets the connect timeout. */
    public void setConnectTimeout(Duration connectTimeout) {
      this.connectTimeout = connectTimeout;
    }

    /** Returns the request timeout. */
    public Duration getRequestTimeout() {
      return requestTimeout;
    }

    /** Sets the request timeout. */
    public void setRequestTimeout(Duration requestTimeout) {
      this.requestTimeout = requestTimeout;
    }
  }

  /** {@code krake.kubernetes.*}. */
  public static class Kubernetes {

    /** Whether the Kubernetes backend (application and cluster controllers) is installed. */
    private boolean enabled = true;

    /** How often each cluster's nodes are listed when nothing changed; positive. */
    private Duration clusterProbeInterval = Duration.ofSeconds(10);

    /** Returns whether the backend is installed. */
    public boolean isEnabled() {
      return enabled;
    }

    /** Sets whether the backend is installed. */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    /** Returns the cluster probe interval. */
    public Duration getClusterProbeInterval() {
      return clusterProbeInterval;
    }

    /** Sets the cluster probe interval. */
    public void setClusterProbeInterval(Duration clusterProbeInterval) {
      this.clusterProbeInterval = clusterProbeInterval;
    }
  }

  /**
   * {@code krake.hooks.*}: Krake's {@code hooks} section of the Kubernetes application controller
   * with its {@code api_endpoint} and {@code tls.enabled}; see {@code HooksConfig}.
   */
  public static class Hooks {

    /**
     * Whether Krake's complete and shutdown hooks are configured. Without them, an application
     * listing either hook in spec.hooks is refused at create.
     */
    private boolean enabled;

    /**
     * Krake's api_endpoint: the base URL under which applications reach the hook endpoint (its
     * scheme follows krake.hooks.tls). A deployment sets the address the pods route to.
     */
    private URI endpoint = URI.create("http://localhost:8080");

    /**
     * Krake's tls.enabled: whether hook calls use HTTPS with per-application client certificates.
     */
    private boolean tls;

    /**
     * Krake's tls.client_ca: PEM CA certificates written into the applications' ca-bundle.pem (the
     * CA of the hook endpoint's server certificate); required with TLS.
     */
    private List<Resource> caBundle = new ArrayList<>();

    /** Key type of issued client certificates. */
    private KeyAlgorithm keyAlgorithm = KeyAlgorithm.EC_P256;

    /** How long issued client certificates are valid (365 days, as Krake). */
    private Duration certificateValidity = Duration.ofDays(365);

    /** Whether every container also gets the token in KRAKE_TOKEN (Krake's older hook docs). */
    private boolean legacyTokenVariable;

    /** Which provider generates the hook CA's keys and signs certificates. */
    private CryptoProvider cryptoProvider = CryptoProvider.AUTO;

    /** How many key pairs the hook CA keeps ready (0 to 65536; 0 generates each when issuing). */
    private int keyPoolSize = 64;

    /** Krake's hooks.complete. */
    private final Hook complete = new Hook();

    /** Krake's hooks.shutdown. */
    private final ShutdownHook shutdown = new ShutdownHook();

    /** Where the hook endpoint is served. */
    private final Server server = new Server();

    /** Returns whether hooks are configured. */
    public boolean isEnabled() {
      return enabled;
    }

    /** Sets whether hooks are configured. */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    /** Returns Krake's {@code api_endpoint}. */
    public URI getEndpoint() {
      return endpoint;
    }

    /** Sets Krake's {@code api_endpoint}. */
    public void setEndpoint(URI endpoint) {
      this.endpoint = endpoint;
    }

    /** Returns whether TLS is on. */
    public boolean isTls() {
      return tls;
    }

    /** Sets whether TLS is on. */
    public void setTls(boolean tls) {
      this.tls = tls;
    }

    /** Returns the CA bundle locations. */
    public List<Resource> getCaBundle() {
      return caBundle;
    }

    /** Sets the CA bundle locations. */
    public void setCaBundle(List<Resource> caBundle) {
      this.caBundle = caBundle;
    }

    /** Returns the key algorithm. */
    public KeyAlgorithm getKeyAlgorithm() {
      return keyAlgorithm;
    }

    /** Sets the key algorithm. */
    public void setKeyAlgorithm(KeyAlgorithm keyAlgorithm) {
      this.keyAlgorithm = keyAlgorithm;
    }

    /** Returns the certificate validity. */
    public Duration getCertificateValidity() {
      return certificateValidity;
    }

    /** Sets the certificate validity. */
    public void setCertificateValidity(Duration certificateValidity) {
      this.certificateValidity = certificateValidity;
    }

    /** Returns whether KRAKE_TOKEN is injected. */
    public boolean isLegacyTokenVariable() {
      return legacyTokenVariable;
    }

    /** Sets whether KRAKE_TOKEN is injected. */
    public void setLegacyTokenVariable(boolean legacyTokenVariable) {
      this.legacyTokenVariable = legacyTokenVariable;
    }

    /** Returns the crypto provider. */
    public CryptoProvider getCryptoProvider() {
      return cryptoProvider;
    }

    /** Sets the crypto provider. */
    public void setCryptoProvider(CryptoProvider cryptoProvider) {
      this.cryptoProvider = cryptoProvider;
    }

    /** Returns the key pool size. */
    public int getKeyPoolSize() {
      return keyPoolSize;
    }

    /** Sets the key pool size. */
    public void setKeyPoolSize(int keyPoolSize) {
      this.keyPoolSize = keyPoolSize;
    }

    /** Returns the complete hook's properties. */
    public Hook getComplete() {
      return complete;
    }

    /** Returns the shutdown hook's properties. */
    public ShutdownHook getShutdown() {
      return shutdown;
    }

    /** Returns the endpoint server's properties. */
    public Server getServer() {
      return server;
    }
  }

  /** {@code krake.hooks.complete.*} and the hook keys of {@code krake.hooks.shutdown.*}. */
  public static class Hook {

    /**
     * Krake's hook_user: the CN of the client certificates issued for this hook; default
     * system:complete-hook, system:shutdown-hook.
     */
    private String hookUser;

    /**
     * Krake's intermediate_src: PEM certificate of the CA signing this hook's client certificates.
     */
    private Resource intermediate;

    /** Krake's intermediate_key_src: that CA's PEM private key (read, never logged). */
    private Resource intermediateKey;

    /**
     * Krake's cert_dest: where the certificate Secret is mounted in every container; default
     * /etc/krake_complete_certs, /etc/krake_shutdown_certs.
     */
    private String certDest;

    /**
     * Krake's env_token: the environment variable carrying the hook token; default
     * KRAKE_COMPLETE_TOKEN, KRAKE_SHUTDOWN_TOKEN.
     */
    private String envToken;

    /**
     * Krake's env_url: the environment variable carrying the hook URL; default KRAKE_COMPLETE_URL,
     * KRAKE_SHUTDOWN_URL.
     */
    private String envUrl;

    /** Krake's external_endpoint: the base URL applications use when it differs from endpoint. */
    private URI externalEndpoint;

    /** Makes the properties of a hook, each unset (the hook's default applies). */
    public Hook() {}

    /** Returns {@code hook_user}, or null for the hook's default. */
    public String getHookUser() {
      return hookUser;
    }

    /** Sets {@code hook_user}. */
    public void setHookUser(String hookUser) {
      this.hookUser = hookUser;
    }

    /** Returns the intermediate certificate's location. */
    public Resource getIntermediate() {
      return intermediate;
    }

    /** Sets the intermediate certificate's location. */
    public void setIntermediate(Resource intermediate) {
      this.intermediate = intermediate;
    }

    /** Returns the intermediate key's location. */
    public Resource getIntermediateKey() {
      return intermediateKey;
    }

    /** Sets the intermediate key's location. */
    public void setIntermediateKey(Resource intermediateKey) {
      this.intermediateKey = intermediateKey;
    }

    /** Returns {@code cert_dest}, or null for the hook's default. */
    public String getCertDest() {
      return certDest;
    }

    /** Sets {@code cert_dest}. */
    public void setCertDest(String certDest) {
      this.certDest = certDest;
    }

    /** Returns {@code env_token}, or null for the hook's default. */
    public String getEnvToken() {
      return envToken;
    }

    /** Sets {@code env_token}. */
    public void setEnvToken(String envToken) {
      this.envToken = envToken;
    }

    /** Returns {@code env_url}, or null for the hook's default. */
    public String getEnvUrl() {
      return envUrl;
    }

    /** Sets {@code env_url}. */
    public void setEnvUrl(String envUrl) {
      this.envUrl = envUrl;
    }

    /** Returns {@code external_endpoint}, or null. */
    public URI getExternalEndpoint() {
      return externalEndpoint;
    }

    /** Sets {@code external_endpoint}. */
    public void setExternalEndpoint(URI externalEndpoint) {
      this.externalEndpoint = externalEndpoint;
    }
  }

  /** {@code krake.hooks.shutdown.*}: the hook's keys plus Krake's shutdown policy. */
  public static class ShutdownHook extends Hook {

    /**
     * Krake's hooks.shutdown.timeout: how long one attempt waits for the application's
     * acknowledgement (30 s); an application's spec.shutdown_grace_time overrides it.
     */
    private Duration timeout = Duration.ofSeconds(30);

    /** Krake's hooks.shutdown.failure_strategy: what follows when every attempt failed. */
    private FailureStrategy failureStrategy = FailureStrategy.DELETE;

    /** Krake's hooks.shutdown.failure_retry_count: attempts after the first; not negative. */
    private int failureRetryCount;

    /** Makes the properties of the shutdown hook, each at its default. */
    public ShutdownHook() {}

    /** Returns the timeout per attempt. */
    public Duration getTimeout() {
      return timeout;
    }

    /** Sets the timeout per attempt. */
    public void setTimeout(Duration timeout) {
      this.timeout = timeout;
    }

    /** Returns the failure strategy. */
    public FailureStrategy getFailureStrategy() {
      return failureStrategy;
    }

    /** Sets the failure strategy. */
    public void setFailureStrategy(FailureStrategy failureStrategy) {
      this.failureStrategy = failureStrategy;
    }

    /** Returns the retry count. */
    public int getFailureRetryCount() {
      return failureRetryCount;
    }

    /** Sets the retry count. */
    public void setFailureRetryCount(int failureRetryCount) {
      this.failureRetryCount = failureRetryCount;
    }
  }

  /** {@code krake.hooks.server.*}: where and how the hook endpoint is served. */
  public static class Server {

    /**
     * Where the hook endpoint is served: application (the app's own servlet server, under
     * /kubernetes/*), port (a server of its own) or none.
     */
    private HookServerMode mode = HookServerMode.APPLICATION;

    /** With mode=port: the address to listen on (loopback by default; pods need a routed one). */
    private InetAddress bindAddress = InetAddress.getLoopbackAddress();

    /** With mode=port: the port; 0 picks a free one. */
    private int port = 8080;

    /** With mode=port: the number of request threads. */
    private int threads = 4;

    /** With mode=port: how many connections may wait for a thread before 503 answers. */
    private int queueCapacity = 1024;

    /** With mode=port: how long a request (TLS handshake, headers, body) may take to arrive. */
    private Duration readTimeout = Duration.ofSeconds(10);

    /** With mode=port: how long closing waits for running requests (whole seconds). */
    private Duration stopGrace = Duration.ofSeconds(1);

    /** With mode=port and TLS: the server certificate, then its intermediates, PEM. */
    private Resource certificateChain;

    /** With mode=port and TLS: the server's unencrypted PEM private key (read, never logged). */
    private Resource privateKey;

    /**
     * With mode=port and TLS: PEM CA certificates client certificates must chain to; default the
     * hooks' intermediates.
     */
    private Resource trustedCertificates;

    /** Returns the mode. */
    public HookServerMode getMode() {
      return mode;
    }

    /** Sets the mode. */
    public void setMode(HookServerMode mode) {
      this.mode = mode;
    }

    /** Returns the bind address. */
    public InetAddress getBindAddress() {
      return bindAddress;
    }

    /** Sets the bind address. */
    public void setBindAddress(InetAddress bindAddress) {
      this.bindAddress = bindAddress;
    }

    /** Returns the port. */
    public int getPort() {
      return port;
    }

    /** Sets the port. */
    public void setPort(int port) {
      this.port = port;
    }

    /** Returns the number of threads. */
    public int getThreads() {
      return threads;
    }

    /** Sets the number of threads. */
    public void setThreads(int threads) {
      this.threads = threads;
    }

    /** Returns the queue capacity. */
    public int getQueueCapacity() {
      return queueCapacity;
    }

    /** Sets the queue capacity. */
    public void setQueueCapacity(int queueCapacity) {
      this.queueCapacity = queueCapacity;
    }

    /** Returns the read timeout. */
    public Duration getReadTimeout() {
      return readTimeout;
    }

    /** Sets the read timeout. */
    public void setReadTimeout(Duration readTimeout) {
      this.readTimeout = readTimeout;
    }

    /** Returns the stop grace. */
    public Duration getStopGrace() {
      return stopGrace;
    }

    /** Sets the stop grace. */
    public void setStopGrace(Duration stopGrace) {
      this.stopGrace = stopGrace;
    }

    /** Returns the certificate chain's location. */
    public Resource getCertificateChain() {
      return certificateChain;
    }

    /** Sets the certificate chain's location. */
    public void setCertificateChain(Resource certificateChain) {
      this.certificateChain = certificateChain;
    }

    /** Returns the private key's location. */
    public Resource getPrivateKey() {
      return privateKey;
    }

    /** Sets the private key's location. */
    public void setPrivateKey(Resource privateKey) {
      this.privateKey = privateKey;
    }

    /** Returns the trusted certificates' location. */
    public Resource getTrustedCertificates() {
      return trustedCertificates;
    }

    /** Sets the trusted certificates' location. */
    public void setTrustedCertificates(Resource trustedCertificates) {
      this.trustedCertificates = trustedCertificates;
    }
  }
}
