package cloud.krake.k8s.internal;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.k8s.ObjectEvent;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Which applications the cluster watch cache tells of a change: an object declared without a
 * namespace is the one in the client's default namespace (a namespaced kind) or the cluster-scoped
 * one (no namespace), and either's events reach the application; an object in another namespace
 * does not.
 */
class ClusterObjectsNotifyTest {

  private static final String CLUSTER = "load/cluster";
  private final List<String> notified = new ArrayList<>();
  private final ClusterObjects<String> objects = new ClusterObjects<>(notified::add);
  private final SecretWatchStub client = new SecretWatchStub("team");

  @BeforeEach
  void declare() {
    objects.declare("unqualified", CLUSTER, client, List.of(secret(null, "s")));
    objects.declare("qualified", CLUSTER, client, List.of(secret("other", "s")));
    client.listener().onResync(List.of());
    notified.clear();
  }

  @Test
  void anObjectDeclaredWithoutANamespaceHearsOfItInTheDefaultNamespace() {
    client.listener().onEvent(new ObjectEvent(ObjectEvent.Type.ADDED, secret("team", "s")));

    assertThat(notified).containsExactly("unqualified");
    assertThat(objects.observed(CLUSTER, secret(null, "s")).object())
        .hasValueSatisfying(
            o -> assertThat(o.path("metadata").path("namespace").asText()).isEqualTo("team"));
  }

  @Test
  void anObjectDeclaredWithoutANamespaceHearsOfTheClusterScopedOne() {
    client.listener().onEvent(new ObjectEvent(ObjectEvent.Type.ADDED, secret(null, "s")));
    client.listener().onEvent(new ObjectEvent(ObjectEvent.Type.DELETED, secret(null, "s")));

    assertThat(notified).containsExactly("unqualified", "unqualified");
  }

  @Test
  void otherNamespacesReachOnlyWhoNamedThem() {
    client.listener().onEvent(new ObjectEvent(ObjectEvent.Type.ADDED, secret("other", "s")));
    client.listener().onEvent(new ObjectEvent(ObjectEvent.Type.ADDED, secret("third", "s")));
    client.listener().onEvent(new ObjectEvent(ObjectEvent.Type.ADDED, secret("team", "t")));

    assertThat(notified).containsExactly("qualified");
  }

  @Test
  void aResyncTellsOfObjectsGoneAndChangedInTheDefaultNamespace() {
    client.listener().onEvent(new ObjectEvent(ObjectEvent.Type.ADDED, secret("team", "s")));
    notified.clear();

    client.listener().onResync(List.of());
    assertThat(notified).containsExactly("unqualified");

    notified.clear();
    client.listener().onResync(List.of(secret("team", "s")));
    assertThat(notified).containsExactly("unqualified");
  }

  @Test
  void aForgottenApplicationHearsNothing() {
    objects.forget("qualified");
    objects.declare("unqualified", CLUSTER, client, List.of(secret("other", "x")));

    client.listener().onEvent(new ObjectEvent(ObjectEvent.Type.ADDED, secret("team", "s")));
    client.listener().onEvent(new ObjectEvent(ObjectEvent.Type.ADDED, secret("other", "s")));

    assertThat(notified).isEmpty();
  }

  @Test
  void aTextRecurringAcrossCachedObjectsIsHeldOnce() {
    ObjectNode first = secret("team", "s");
    first.putObject("data").put("ca-bundle.pem", "Q0EtQlVORExF");
    ObjectNode second = secret("team", "t");
    second.putObject("data").put("ca-bundle.pem", "Q0EtQlVORExF");
    objects.declare("other", CLUSTER, client, List.of(secret(null, "t")));

    client.listener().onEvent(new ObjectEvent(ObjectEvent.Type.ADDED, first));
    client.listener().onEvent(new ObjectEvent(ObjectEvent.Type.ADDED, second));

    ObjectNode s = objects.observed(CLUSTER, secret(null, "s")).object().orElseThrow();
    ObjectNode t = objects.observed(CLUSTER, secret(null, "t")).object().orElseThrow();
    assertThat(t.path("data").get("ca-bundle.pem"))
        .isEqualTo(TextNode.valueOf("Q0EtQlVORExF"))
        .isSameAs(s.path("data").get("ca-bundle.pem"));
  }

  private static ObjectNode secret(String namespace, String name) {
    ObjectNode o =
        JsonNodeFactory.instance.objectNode().put("apiVersion", "v1").put("kind", "Secret");
    ObjectNode metadata = o.putObject("metadata").put("name", name);
    if (namespace != null) {
      metadata.put("namespace", namespace);
    }
    return o;
  }
}
