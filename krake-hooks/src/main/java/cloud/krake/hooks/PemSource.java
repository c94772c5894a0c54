package cloud.krake.hooks;

import cloud.krake.KrakeException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Where PEM text comes from: a file (as Krake's {@code intermediate_src} / {@code
 * intermediate_key_src} paths) or text held in memory (a secret manager, a generated CA). {@link
 * #toString()} shows the file name or the size, never the content.
 *
 * @param file the file to read, or empty for in-memory text
 * @param text the in-memory PEM text, or empty for a file
 */
public record PemSource(Optional<Path> file, Optional<String> text) {

  /**
   * Checks that exactly one of {@code file} and {@code text} is present.
   *
   * @throws IllegalArgumentException if none or both are
   */
  public PemSource {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(text, "text");
    if (file.isPresent() == text.isPresent()) {
      throw new IllegalArgumentException("a PemSource has either a file or a text, not both");
    }
  }

  /**
   * Returns a source reading a PEM file each time it is {@link #read()}.
   *
   * @param file the file
   */
  public static PemSource file(Path file) {
    return new PemSource(Optional.of(Objects.requireNonNull(file, "file")), Optional.empty());
  }

  /**
   * Returns a source holding PEM text.
   *
   * @param pem the PEM text
   */
  public static PemSource of(String pem) {
    return new PemSource(Optional.empty(), Optional.of(Objects.requireNonNull(pem, "pem")));
  }

  /**
   * Returns the PEM text.
   *
   * @throws KrakeException naming the file if it cannot be read
   */
  public String read() {
    if (text.isPresent()) {
      return text.get();
    }
    Path path = file.orElseThrow();
    try {
      return Files.readString(path, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new KrakeException("cannot read PEM file " + path + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return file.map(f -> "PemSource[file=" + f + "]")
        .orElseGet(() -> "PemSource[in memory, " + text.orElseThrow().length() + " chars]");
  }
}
