package cloud.krake.k8s.internal;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.model.KrakeJson;
import cloud.krake.model.ReadOnlyJson;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import org.junit.jupiter.api.Test;

/** Texts recurring across the watch cache's objects are held once; the trees stay equal. */
class SharedTextsTest {

  private final SharedTexts texts = new SharedTexts();

  @Test
  void equalTextsOfTwoTreesBecomeOneInstanceAndTheTreesStayEqual() {
    ObjectNode first = secret("app-1", "CA-BUNDLE", "CERT-1");
    ObjectNode second = secret("app-2", "CA-BUNDLE", "CERT-2");
    ObjectNode secondBefore = second.deepCopy();

    texts.share(first);
    texts.share(second);

    assertThat(second).isEqualTo(secondBefore);
    assertThat(second.path("data").get("ca-bundle.pem"))
        .isSameAs(first.path("data").get("ca-bundle.pem"));
    assertThat(second.get("kind")).isSameAs(first.get("kind"));
    assertThat(second.get("items").get(0)).isSameAs(first.get("items").get(0));
    assertThat(second.path("metadata").path("labels").get("app"))
        .isSameAs(first.path("metadata").path("labels").get("app"));
    assertThat(second.path("data").get("cert.pem")).isNotSameAs(first.path("data").get("cert.pem"));
  }

  @Test
  void aFrozenTreeIsLeftAsItIs() {
    ObjectNode frozen = ReadOnlyJson.freeze(secret("app-1", "CA-BUNDLE", "CERT-1"));

    texts.share(frozen);

    assertThat(texts.size()).isZero();
  }

  @Test
  void textsLongerThanTheLimitAreNotRemembered() {
    TextNode longText = TextNode.valueOf("x".repeat(SharedTexts.MAX_LENGTH + 1));

    assertThat(texts.shared(longText)).isSameAs(longText);
    assertThat(texts.shared(TextNode.valueOf(longText.textValue()))).isNotSameAs(longText);
    assertThat(texts.size()).isZero();
  }

  @Test
  void atMostTheCapacityIsRememberedAndARecurringTextStays() {
    TextNode recurring = TextNode.valueOf("CA-BUNDLE");
    texts.shared(recurring);
    for (int i = 0; i < 10 * SharedTexts.CAPACITY; i++) {
      texts.shared(TextNode.valueOf("unique-" + i));
      if (i % (SharedTexts.CAPACITY / 2) == 0) {
        assertThat(texts.shared(TextNode.valueOf("CA-BUNDLE"))).isSameAs(recurring);
      }
    }

    assertThat(texts.size()).isEqualTo(SharedTexts.CAPACITY);
    assertThat(texts.shared(TextNode.valueOf("CA-BUNDLE"))).isSameAs(recurring);
    assertThat(texts.shared(TextNode.valueOf("unique-0")).textValue()).isEqualTo("unique-0");
  }

  private static ObjectNode secret(String name, String caBundle, String cert) {
    return KrakeJson.read(
        """
        {"apiVersion": "v1", "kind": "Secret",
         "metadata": {"name": "%s", "namespace": "default", "labels": {"app": "x"}},
         "items": ["a"],
         "data": {"ca-bundle.pem": "%s", "cert.pem": "%s"}}
        """
            .formatted(name, caBundle, cert),
        ObjectNode.class);
  }
}
