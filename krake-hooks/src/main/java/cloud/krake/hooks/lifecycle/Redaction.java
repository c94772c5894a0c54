package cloud.krake.hooks.lifecycle;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/** Replaces known secret values with {@code ***} and keeps the tail of an output. */
final class Redaction {

  /** The most bytes of output kept, as UTF-8: 10 KiB. */
  static final int MAX_TAIL_BYTES = 10 * 1024;

  static final String MASK = "***";

  private final List<String> secrets;

  Redaction(Set<String> secrets) {
    // longest first, so that a secret containing another is replaced whole
    this.secrets =
        secrets.stream()
            .filter(s -> !s.isEmpty())
            .sorted(Comparator.comparingInt(String::length).reversed())
            .toList();
  }

  String redact(String text) {
    String result = text;
    for (String secret : secrets) {
      result = result.replace(secret, MASK);
    }
    return result;
  }

  /** Redacts first, then keeps the last {@value #MAX_TAIL_BYTES} bytes on a character boundary. */
  String tail(String output) {
    String redacted = redact(output);
    byte[] bytes = redacted.getBytes(StandardCharsets.UTF_8);
    if (bytes.length <= MAX_TAIL_BYTES) {
      return redacted;
    }
    int start = bytes.length - MAX_TAIL_BYTES;
    while (start < bytes.length && (bytes[start] & 0xC0) == 0x80) {
      start++; // a continuation byte: skip to the next character
    }
    return new String(Arrays.copyOfRange(bytes, start, bytes.length), StandardCharsets.UTF_8);
  }
}
