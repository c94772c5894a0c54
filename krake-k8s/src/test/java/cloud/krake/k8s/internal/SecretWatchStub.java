package cloud.krake.k8s.internal;

import cloud.krake.k8s.ClusterClient;
import cloud.krake.k8s.ObjectListener;
import cloud.krake.k8s.ObjectWatch;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A cluster client for the watch cache's tests: hands out one watch per kind and keeps its
 * listener, so a test plays the watch's events ({@link #listener()} is the Secrets' one); nothing
 * else is called.
 */
final class SecretWatchStub implements ClusterClient {
  private final String defaultNamespace;
  private final Map<String, ObjectListener> listeners = new HashMap<>();

  SecretWatchStub(String defaultNamespace) {
    this.defaultNamespace = defaultNamespace;
  }

  ObjectListener listener() {
    return listeners.get("v1/Secret");
  }

  @Override
  public ObjectWatch watch(
      String apiVersion, String kind, Optional<String> namespace, ObjectListener listener) {
    listeners.put(apiVersion + "/" + kind, listener);
    return new ObjectWatch() {
      @Override
      public boolean hasSynced() {
        return true;
      }

      @Override
      public void close() {}
    };
  }

  @Override
  public String defaultNamespace() {
    return defaultNamespace;
  }

  @Override
  public ObjectNode apply(ObjectNode resource) {
    throw new UnsupportedOperationException();
  }

  @Override
  public boolean delete(ObjectNode resource) {
    throw new UnsupportedOperationException();
  }

  @Override
  public Optional<ObjectNode> get(ObjectNode resource) {
    throw new UnsupportedOperationException();
  }

  @Override
  public List<ObjectNode> list(String apiVersion, String kind, Optional<String> namespace) {
    throw new UnsupportedOperationException();
  }

  @Override
  public String host() {
    return "127.0.0.1";
  }

  @Override
  public void close() {}
}
