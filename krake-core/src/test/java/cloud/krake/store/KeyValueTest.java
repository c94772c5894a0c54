package cloud.krake.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The ownership of {@link KeyValue#value()}: copied once on construction, not on access. */
class KeyValueTest {

  @Test
  void theConstructorCopiesTheValueSoTheWritersArrayCanChange() {
    byte[] written = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
    KeyValue kv = new KeyValue("/k", written, 1, 1, 1);

    written[2] = 'b';

    assertThat(kv.valueAsString()).isEqualTo("{\"a\":1}");
  }

  @Test
  void valueReturnsTheOwnedArrayWithoutCopying() {
    KeyValue kv = new KeyValue("/k", new byte[] {1, 2, 3}, 1, 1, 1);

    assertThat(kv.value()).isSameAs(kv.value()).containsExactly(1, 2, 3);
    assertThat(kv.valueSize()).isEqualTo(3);
  }

  @Test
  void toStringShowsTheSizeNotTheContent() {
    KeyValue kv = new KeyValue("/k", "secret".getBytes(StandardCharsets.UTF_8), 1, 2, 2);

    assertThat(kv.toString()).contains("6 bytes").doesNotContain("secret");
  }
}
