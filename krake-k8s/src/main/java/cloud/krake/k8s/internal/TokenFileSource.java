package cloud.krake.k8s.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A kubeconfig user's {@code tokenFile}, re-read when it changes: before every request its
 * modification time, size and file key are compared with those of the last read (one {@code stat}),
 * and it is read again when they differ, when {@link #MAX_AGE} has passed since the last read (for
 * file systems with coarse timestamps), or after a 401. So a rotated bound service-account token
 * (the kubelet rewrites the projected file) is used from the next request on, as client-go's cached
 * token file does. Leading and trailing white space is dropped.
 */
final class TokenFileSource implements BearerTokenSource {

  /** Longest time a token read from the file is used without reading it again: 1 minute. */
  static final Duration MAX_AGE = Duration.ofMinutes(1);

  private static final long MAX_SIZE = 64 * 1024;

  private final Path file;
  private final Clock clock;

  /** Guarded by {@code this}; null until read. */
  private String token;

  /** Guarded by {@code this}. */
  private List<Object> stamp = List.of();

  /** Guarded by {@code this}. */
  private Instant readAt = Instant.MIN;

  TokenFileSource(Path file, Clock clock) {
    this.file = Objects.requireNonNull(file, "file");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public synchronized String token() throws IOException {
    List<Object> now;
    try {
      BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
      now =
          List.of(
              attributes.lastModifiedTime(),
              attributes.size(),
              String.valueOf(attributes.fileKey()));
      if (token != null && now.equals(stamp) && clock.instant().isBefore(readAt.plus(MAX_AGE))) {
        return token;
      }
      if (attributes.size() > MAX_SIZE) {
        throw new CredentialsUnavailableException(
            "the token file " + file + " is larger than " + MAX_SIZE + " bytes");
      }
      String read = Files.readString(file, StandardCharsets.UTF_8).strip();
      if (read.isEmpty()) {
        throw new CredentialsUnavailableException("the token file " + file + " is empty");
      }
      token = read;
      stamp = now;
      readAt = clock.instant();
      return token;
    } catch (CredentialsUnavailableException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new CredentialsUnavailableException(
          "the token file " + file + " cannot be read (" + e.getClass().getSimpleName() + ")");
    }
  }

  @Override
  public synchronized void refused(String refused) {
    if (refused.equals(token)) {
      token = null;
    }
  }

  @Override
  public String toString() {
    return "TokenFileSource[" + file + "]";
  }
}
