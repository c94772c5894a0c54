package cloud.krake.k8s.internal;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.k8s.ObjectEvent;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The API server's answer to a write, recorded in the watch cache before the watch delivers the
 * change (ConvergedHandoverIT once saw a Secret patched twice: the pass after the write read the
 * cache's copy from before it): the newer of answer and watch copy wins, by resource version; a
 * watch that has already delivered that version or a later one (a deletion) keeps its copy.
 */
class ClusterObjectsAppliedTest {

  private static final String CLUSTER = "load/cluster";
  private final List<String> notified = new ArrayList<>();
  private final ClusterObjects<String> objects = new ClusterObjects<>(notified::add);
  private final SecretWatchStub client = new SecretWatchStub("team");

  @BeforeEach
  void declare() {
    objects.declare("app", CLUSTER, client, List.of(secret("5", "old")));
    client.listener().onResync(List.of(secret("5", "old")), "5");
    notified.clear();
  }

  @Test
  void anAnswerAheadOfTheWatchIsWhatTheNextPassSees() {
    objects.applied(CLUSTER, client, secret("7", "new"));

    assertThat(url()).hasValue("new");
    assertThat(notified).as("an answer tells no application").isEmpty();

    client.listener().onEvent(new ObjectEvent(ObjectEvent.Type.MODIFIED, secret("7", "new")));
    assertThat(url()).hasValue("new");
    assertThat(version()).isEqualTo("7");
  }

  @Test
  void anEarlierChangeTheWatchDeliversLateDoesNotHideTheAnswer() {
    objects.applied(CLUSTER, client, secret("7", "new"));

    client.listener().onEvent(new ObjectEvent(ObjectEvent.Type.MODIFIED, secret("6", "between")));
    assertThat(url()).hasValue("new");

    client.listener().onEvent(new ObjectEvent(ObjectEvent.Type.MODIFIED, secret("8", "later")));
    assertThat(url()).hasValue("later");
  }

  @Test
  void anAnswerTheWatchHasPassedIsNotRecorded() {
    client.listener().onEvent(new ObjectEvent(ObjectEvent.Type.MODIFIED, secret("7", "new")));
    client.listener().onEvent(new ObjectEvent(ObjectEvent.Type.DELETED, secret("9", "new")));

    objects.applied(CLUSTER, client, secret("7", "new"));

    assertThat(objects.observed(CLUSTER, secret(null, null)).object())
        .as("deleted after the write: the late answer does not bring it back")
        .isEmpty();
  }

  @Test
  void anAnswerWhoseVersionIsNotANumberIsNotRecorded() {
    objects.applied(CLUSTER, client, secret("v7", "new"));
    objects.applied(CLUSTER, client, secret(null, "new"));

    assertThat(url()).hasValue("old");
  }

  @Test
  void aReListThatStartedBeforeTheWriteKeepsTheAnswer() {
    objects.applied(CLUSTER, client, secret("7", "new"));

    client.listener().onResync(List.of(secret("6", "listed")), "6");

    assertThat(url()).hasValue("new");
  }

  @Test
  void anAnswerBeforeTheWatchsFirstListOutlivesAListTakenBeforeTheWrite() {
    // the first pass applies while the kind's watch is still listing (ConvergedHandoverIT once)
    ClusterObjects<String> starting = new ClusterObjects<>(k -> {});
    SecretWatchStub listing = new SecretWatchStub("team");
    starting.declare("app", CLUSTER, listing, List.of(secret("5", "old")));

    starting.applied(CLUSTER, listing, secret("7", "new"));
    listing.listener().onResync(List.of(secret("5", "old")), "6");

    assertThat(starting.observed(CLUSTER, secret(null, null)).object())
        .hasValueSatisfying(
            o -> assertThat(o.path("stringData").path("url").asText()).isEqualTo("new"));
  }

  @Test
  void aDeletionOnlyAReListSawIsNotUndoneByALateAnswer() {
    // applied at 7, deleted by someone else at 9; the watch's history was compacted, and its
    // re-list at 10 no longer has the object; only then is the answer recorded
    client.listener().onResync(List.of(), "10");

    objects.applied(CLUSTER, client, secret("7", "new"));

    assertThat(objects.observed(CLUSTER, secret(null, null)).object()).isEmpty();
  }

  @Test
  void anAnswerNewerThanAReListSurvivesIt() {
    // created at 12 after the re-list's snapshot at 10 was taken
    client.listener().onResync(List.of(), "10");
    objects.applied(CLUSTER, client, secret("12", "new"));

    client.listener().onResync(List.of(), "10");

    assertThat(url()).hasValue("new");
  }

  @Test
  void aReListWithoutItsVersionEndsTheRecording() {
    client.listener().onResync(List.of(secret("5", "old")), "");

    objects.applied(CLUSTER, client, secret("7", "new"));

    assertThat(url()).hasValue("old");
  }

  @Test
  void anAnswerOfAKindNotWatchedThereOrOfAnotherClientIsIgnored() {
    ObjectNode map = secret("7", "new").put("kind", "ConfigMap");
    objects.applied(CLUSTER, client, map);
    objects.applied("other/cluster", client, secret("7", "new"));
    objects.applied(CLUSTER, new SecretWatchStub("team"), secret("7", "new"));

    assertThat(objects.observed(CLUSTER, map).known()).isFalse();
    assertThat(url()).hasValue("old");
  }

  private Optional<String> url() {
    return objects
        .observed(CLUSTER, secret(null, null))
        .object()
        .map(o -> o.path("stringData").path("url").asText());
  }

  private String version() {
    return objects
        .observed(CLUSTER, secret(null, null))
        .object()
        .orElseThrow()
        .path("metadata")
        .path("resourceVersion")
        .asText();
  }

  /** Secret {@code team/token} at a resource version (none if null) with a URL in it. */
  private static ObjectNode secret(String resourceVersion, String url) {
    ObjectNode o =
        JsonNodeFactory.instance.objectNode().put("apiVersion", "v1").put("kind", "Secret");
    ObjectNode metadata = o.putObject("metadata").put("name", "token").put("namespace", "team");
    if (resourceVersion != null) {
      metadata.put("resourceVersion", resourceVersion);
    }
    if (url != null) {
      o.putObject("stringData").put("url", url);
    }
    return o;
  }
}
