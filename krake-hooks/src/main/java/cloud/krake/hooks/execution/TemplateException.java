package cloud.krake.hooks.execution;

import cloud.krake.KrakeException;
import java.util.Objects;

/**
 * A template could not be rendered: it references a key the context does not have (Kanister renders
 * with Go's {@code missingkey=error}), or it uses syntax outside the supported subset (see {@link
 * TemplateContext}). The message names the key; it never contains a rendered value.
 */
public class TemplateException extends KrakeException {
  private static final long serialVersionUID = 1L;

  private final String key;

  /**
   * Creates the exception.
   *
   * @param key the template reference concerned, for example {@code .Options.bucket}, or the
   *     offending expression for a syntax error
   * @param message what is wrong
   */
  public TemplateException(String key, String message) {
    super(Objects.requireNonNull(key, "key") + ": " + Objects.requireNonNull(message, "message"));
    this.key = key;
  }

  /** Returns the template reference concerned, for example {@code .Options.bucket}. */
  public String key() {
    return key;
  }
}
