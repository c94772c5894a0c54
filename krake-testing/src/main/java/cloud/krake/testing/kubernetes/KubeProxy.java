package cloud.krake.testing.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A minimal kube-proxy for the local kubelet's cluster: for every port with a {@code nodePort} of a
 * {@code NodePort} or {@code LoadBalancer} Service, it listens on the host at {@code
 * 127.0.0.1:<nodePort>} (the node's address as the library sees it: the kubeconfig's server host)
 * and relays each connection to {@code <podIP>:<targetPort>} of the next ready Pod the Service's
 * selector matches, round robin; a named {@code targetPort} is looked up in the Pod's {@code
 * containerPorts}. Pods that are terminating or not {@code Ready} get no connections, as they leave
 * a Service's endpoints; with none, a connection is accepted and closed. Only TCP.
 *
 * <p>Given the EndpointSlice type (the local view of a real API server, whose endpoint slice
 * controller maintains them) the endpoints are those of the Service's slices instead (label {@code
 * kubernetes.io/service-name}): each endpoint's addresses whose {@code conditions.ready} is not
 * {@code false}, at the slice port named as the Service port, as kube-proxy reads them.
 *
 * <p>A node port another process holds on the host (another fake cluster's kube-proxy) is logged
 * and tried again at the next sync. {@link #sync()} runs on the kubelet's sync thread; the relay
 * picks endpoints from its own thread (the lists are swapped atomically).
 */
final class KubeProxy implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(KubeProxy.class);

  private static final InetAddress LOOPBACK = loopback();

  private final String cluster;
  private final ObjectStore store;
  private final ResourceType serviceType;
  private final ResourceType podType;
  private final Optional<ResourceType> sliceType;
  private final Relay relay;

  // Confined to the sync thread
  private final Map<Integer, Route> routes = new HashMap<>();
  private final Set<String> warned = new HashSet<>();

  /** What one node port leads to. */
  private static final class Route {
    final String service;
    Relay.Listener listener;
    volatile List<SocketAddress> endpoints = List.of();
    final AtomicInteger next = new AtomicInteger();

    Route(String service) {
      this.service = service;
    }

    Optional<SocketAddress> pick() {
      List<SocketAddress> current = endpoints;
      if (current.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(current.get(Math.floorMod(next.getAndIncrement(), current.size())));
    }
  }

  KubeProxy(
      String cluster,
      ObjectStore store,
      ResourceType serviceType,
      ResourceType podType,
      Optional<ResourceType> sliceType,
      Relay relay) {
    this.cluster = cluster;
    this.store = store;
    this.serviceType = serviceType;
    this.podType = podType;
    this.sliceType = sliceType;
    this.relay = relay;
  }

  private static InetAddress loopback() {
    try {
      return InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1});
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Whether {@code 127.0.0.1:port} can be listened on now (the fake's node-port allocator skips the
   * ports that cannot).
   */
  static boolean available(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(LOOPBACK, port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Brings listeners and endpoints in line with the cluster's Services and Pods. */
  void sync() {
    Map<Integer, String> services = new HashMap<>();
    Map<Integer, List<SocketAddress>> endpoints = new HashMap<>();
    List<ObjectNode> pods = store.list(podType, null, Selectors.NONE, 0, null).items();
    List<ObjectNode> slices =
        sliceType.map(t -> store.list(t, null, Selectors.NONE, 0, null).items()).orElse(null);
    for (ObjectNode service : store.list(serviceType, null, Selectors.NONE, 0, null).items()) {
      JsonNode spec = service.path("spec");
      String type = spec.path("type").asText("ClusterIP");
      if (!type.equals("NodePort") && !type.equals("LoadBalancer")) {
        continue;
      }
      String namespace = service.path("metadata").path("namespace").asText();
      String name = namespace + "/" + service.path("metadata").path("name").asText();
      for (JsonNode port : spec.path("ports")) {
        if (!port.hasNonNull("nodePort") || !port.path("protocol").asText("TCP").equals("TCP")) {
          continue;
        }
        int nodePort = port.get("nodePort").asInt();
        services.put(nodePort, name);
        endpoints.put(
            nodePort,
            slices != null
                ? sliceEndpoints(
                    namespace, service.path("metadata").path("name").asText(), port, slices)
                : endpoints(namespace, spec.path("selector"), port, pods));
      }
    }
    for (Iterator<Map.Entry<Integer, Route>> i = routes.entrySet().iterator(); i.hasNext(); ) {
      Map.Entry<Integer, Route> entry = i.next();
      if (!entry.getValue().service.equals(services.get(entry.getKey()))) {
        close(entry.getValue());
        i.remove();
        log.debug("kube-proxy {}: stopped node port {}", cluster, entry.getKey());
      }
    }
    for (Map.Entry<Integer, String> entry : services.entrySet()) {
      int nodePort = entry.getKey();
      Route route = routes.computeIfAbsent(nodePort, p -> new Route(entry.getValue()));
      route.endpoints = endpoints.get(nodePort);
      if (route.listener == null) {
        listen(nodePort, route);
      }
    }
  }

  private void listen(int nodePort, Route route) {
    try {
      route.listener = relay.listen(new InetSocketAddress(LOOPBACK, nodePort), route::pick);
      warned.remove(route.service + ":" + nodePort);
      log.debug("kube-proxy {}: node port {} for Service {}", cluster, nodePort, route.service);
    } catch (BindException e) {
      if (warned.add(route.service + ":" + nodePort)) {
        log.warn(
            "kube-proxy of {}: node port {} of Service {} is in use on the host (another"
                + " fake cluster or process); not reachable until it is free",
            cluster,
            nodePort,
            route.service);
      }
    } catch (IOException e) {
      log.warn("kube-proxy of {}: cannot listen on node port {}", cluster, nodePort, e);
    }
  }

  private static List<SocketAddress> endpoints(
      String namespace, JsonNode selector, JsonNode port, List<ObjectNode> pods) {
    List<SocketAddress> out = new ArrayList<>();
    if (!selector.isObject() || selector.isEmpty()) {
      return out; // endpoints maintained by hand: not simulated
    }
    List<ObjectNode> ready = new ArrayList<>();
    for (ObjectNode pod : pods) {
      JsonNode metadata = pod.path("metadata");
      if (metadata.path("namespace").asText().equals(namespace)
          && matches(selector, metadata.path("labels"))
          && !metadata.has("deletionTimestamp")
          && ready(pod)) {
        ready.add(pod);
      }
    }
    ready.sort(Comparator.comparing(p -> p.path("metadata").path("name").asText()));
    for (ObjectNode pod : ready) {
      int target = targetPort(port, pod);
      if (target > 0) {
        try {
          out.add(
              new InetSocketAddress(
                  InetAddress.getByName(pod.path("status").path("podIP").asText()), target));
        } catch (UnknownHostException e) {
          // not an address literal: skipped
        }
      }
    }
    return List.copyOf(out);
  }

  /** The ready endpoints of a Service port in the Service's EndpointSlices. */
  private static List<SocketAddress> sliceEndpoints(
      String namespace, String service, JsonNode servicePort, List<ObjectNode> slices) {
    List<SocketAddress> out = new ArrayList<>();
    String portName = servicePort.path("name").asText("");
    for (ObjectNode slice : slices) {
      JsonNode metadata = slice.path("metadata");
      if (!metadata.path("namespace").asText().equals(namespace)
          || !metadata.path("labels").path("kubernetes.io/service-name").asText().equals(service)
          || !slice.path("addressType").asText("IPv4").equals("IPv4")) {
        continue;
      }
      int target = -1;
      for (JsonNode port : slice.path("ports")) {
        if (port.path("name").asText("").equals(portName)
            && port.path("protocol").asText("TCP").equals("TCP")) {
          target = port.path("port").asInt(-1);
        }
      }
      if (target <= 0) {
        continue;
      }
      for (JsonNode endpoint : slice.path("endpoints")) {
        if (!endpoint.path("conditions").path("ready").asBoolean(true)) {
          continue;
        }
        for (JsonNode address : endpoint.path("addresses")) {
          try {
            out.add(new InetSocketAddress(InetAddress.getByName(address.asText()), target));
          } catch (UnknownHostException e) {
            // not an address literal: skipped
          }
        }
      }
    }
    out.sort(Comparator.comparing(SocketAddress::toString));
    return List.copyOf(out);
  }

  private static boolean matches(JsonNode selector, JsonNode labels) {
    for (Map.Entry<String, JsonNode> term : selector.properties()) {
      if (!term.getValue().asText().equals(labels.path(term.getKey()).asText(null))) {
        return false;
      }
    }
    return true;
  }

  private static boolean ready(ObjectNode pod) {
    JsonNode status = pod.path("status");
    if (!status.path("phase").asText().equals("Running")
        || status.path("podIP").asText("").isEmpty()) {
      return false;
    }
    for (JsonNode condition : status.path("conditions")) {
      if (condition.path("type").asText().equals("Ready")) {
        return condition.path("status").asText().equals("True");
      }
    }
    return false;
  }

  /** The Pod's port for a Service port: a number, a container port's name, or the port. */
  private static int targetPort(JsonNode port, ObjectNode pod) {
    JsonNode target = port.path("targetPort");
    if (target.isMissingNode() || target.isNull()) {
      return port.path("port").asInt();
    }
    if (target.isInt() || target.asText().matches("\\d+")) {
      return target.asInt();
    }
    for (JsonNode container : pod.path("spec").path("containers")) {
      for (JsonNode containerPort : container.path("ports")) {
        if (containerPort.path("name").asText().equals(target.asText())) {
          return containerPort.path("containerPort").asInt();
        }
      }
    }
    return -1;
  }

  private static void close(Route route) {
    if (route.listener != null) {
      route.listener.close();
      route.listener = null;
    }
  }

  /** Stops every listener (the relay itself is the kubelet's). */
  @Override
  public void close() {
    routes.values().forEach(KubeProxy::close);
    routes.clear();
  }
}
