package cloud.krake.hooks.execution;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One parsed template string: literal text and <code>{{ … }}</code> actions. The supported subset
 * of Go's {@code text/template} is a field chain from the root ({@code {{ .Options.bucket }}});
 * actions starting with {@code $} ({@code {{ $.status.readyReplicas }}}) are object paths that a
 * function evaluates later (Wait) and are kept verbatim. Everything else (pipelines, functions,
 * {@code if}, trim markers) is rejected.
 */
final class Template {

  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_]+");

  /** One part of a template. */
  sealed interface Part permits Text, Reference, Verbatim {}

  /** Literal text. */
  record Text(String text) implements Part {}

  /** A field chain, without the leading dot: {@code [Options, bucket]}. */
  record Reference(List<String> path) implements Part {
    String display() {
      return "." + String.join(".", path);
    }
  }

  /** An object-path action kept as written, braces included. */
  record Verbatim(String source) implements Part {}

  private final List<Part> parts;

  private Template(List<Part> parts) {
    this.parts = List.copyOf(parts);
  }

  /** Returns whether {@code text} contains an action at all. */
  static boolean hasActions(String text) {
    return text.contains("{{");
  }

  /**
   * Parses a template.
   *
   * @throws TemplateException naming the offending action if it is unterminated or unsupported
   */
  static Template parse(String text) {
    List<Part> parts = new ArrayList<>();
    int at = 0;
    while (at < text.length()) {
      int open = text.indexOf("{{", at);
      if (open < 0) {
        parts.add(new Text(text.substring(at)));
        break;
      }
      if (open > at) {
        parts.add(new Text(text.substring(at, open)));
      }
      int close = text.indexOf("}}", open + 2);
      if (close < 0) {
        throw new TemplateException(
            abbreviate(text.substring(open)), "unterminated action: missing }}");
      }
      String source = text.substring(open, close + 2);
      parts.add(action(source, text.substring(open + 2, close).strip()));
      at = close + 2;
    }
    return new Template(parts);
  }

  private static Part action(String source, String body) {
    if (body.startsWith("$")) {
      return new Verbatim(source);
    }
    if (!body.startsWith(".") || body.length() < 2) {
      throw new TemplateException(
          abbreviate(source),
          "unsupported template action; only field references such as {{ .Options.key }}"
              + " and object paths such as {{ $.status.replicas }} are supported");
    }
    String[] segments = body.substring(1).split("\\.", -1);
    for (String segment : segments) {
      if (!SEGMENT.matcher(segment).matches()) {
        throw new TemplateException(
            abbreviate(source),
            "unsupported template action; only field references such as {{ .Options.key }}"
                + " (segments of [A-Za-z0-9_]) and object paths such as {{ $.status.replicas }}"
                + " are supported");
      }
    }
    return new Reference(List.of(segments));
  }

  private static String abbreviate(String s) {
    return s.length() <= 60 ? s : s.substring(0, 57) + "...";
  }

  /** Returns the field references, in order. */
  List<Reference> references() {
    List<Reference> references = new ArrayList<>();
    for (Part part : parts) {
      if (part instanceof Reference reference) {
        references.add(reference);
      }
    }
    return references;
  }

  /**
   * Renders the template.
   *
   * @throws TemplateException naming the first reference the context cannot resolve
   */
  String render(TemplateContext context) {
    StringBuilder out = new StringBuilder();
    for (Part part : parts) {
      if (part instanceof Text text) {
        out.append(text.text());
      } else if (part instanceof Reference reference) {
        out.append(context.resolve(reference.path()));
      } else if (part instanceof Verbatim verbatim) {
        out.append(verbatim.source());
      }
    }
    return out.toString();
  }
}
