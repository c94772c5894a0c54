package cloud.krake.model;

import java.io.StringReader;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.events.CollectionEndEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.MappingStartEvent;
import org.yaml.snakeyaml.events.NodeEvent;
import org.yaml.snakeyaml.events.ScalarEvent;
import org.yaml.snakeyaml.events.SequenceStartEvent;

/**
 * The checks that make {@link KrakeJson}'s reading of text strict, beyond what the YAML grammar
 * requires, run on text Jackson has already parsed:
 *
 * <ul>
 *   <li>a key twice in one mapping is an error (YAML 1.2 requires unique keys; SnakeYAML's event
 *       stream, and Jackson's tree reading, keep the last silently), as {@code kubectl} (strict
 *       decoding) rejects it;
 *   <li>a plain (unquoted) scalar with an unbalanced {@code [ ] { }} is an error: the grammar lets
 *       a plain scalar hold a bracket in block context, so an unclosed flow list or mapping, and
 *       garbage such as {@code "::: not yaml ["}, would otherwise be read as a string (here: {@code
 *       {"::": "not yaml ["}}). Quote the value, or use a block scalar, to mean the text.
 * </ul>
 *
 * <p>Errors name {@code document} with the line and column (1-based) in the text, and the key (for
 * a duplicate) or the bracket, never the value (which may be a secret). Stateless and thread-safe.
 */
final class StrictYaml {

  private StrictYaml() {}

  /**
   * Checks text that Jackson has parsed as JSON or YAML.
   *
   * @throws InvalidResourceException naming {@code document}, with line and column, at the first
   *     violation
   */
  static void check(String text) {
    LoaderOptions options = new LoaderOptions();
    options.setCodePointLimit(Integer.MAX_VALUE);
    Deque<Frame> open = new ArrayDeque<>();
    try {
      for (Event event : new Yaml(options).parse(new StringReader(text))) {
        if (event instanceof NodeEvent node) {
          Frame parent = open.peek();
          if (parent != null) {
            parent.node(node);
          }
          if (node instanceof ScalarEvent scalar) {
            checkPlain(scalar);
          } else if (node instanceof MappingStartEvent) {
            open.push(new Frame(true));
          } else if (node instanceof SequenceStartEvent) {
            open.push(new Frame(false));
          }
        } else if (event instanceof CollectionEndEvent) {
          open.pop();
        }
      }
    } catch (YAMLException e) {
      // Jackson read the text: a limit or dialect difference of this second pass is not the
      // user's error, and the strict checks are skipped for such text.
    }
  }

  private static void checkPlain(ScalarEvent scalar) {
    if (scalar.getScalarStyle() != DumperOptions.ScalarStyle.PLAIN) {
      return;
    }
    String value = scalar.getValue();
    int square = 0;
    int curly = 0;
    for (int i = 0; i < value.length(); i++) {
      switch (value.charAt(i)) {
        case '[' -> square++;
        case ']' -> square--;
        case '{' -> curly++;
        case '}' -> curly--;
        default -> {
          continue;
        }
      }
      if (square < 0 || curly < 0) {
        break;
      }
    }
    if (square != 0 || curly != 0) {
      String bracket =
          square > 0
              ? "an unclosed '['"
              : square < 0 ? "an unopened ']'" : curly > 0 ? "an unclosed '{'" : "an unopened '}'";
      throw error(
          scalar.getStartMark(),
          "an unquoted value holds "
              + bracket
              + " (an unterminated flow list or mapping?); quote the value if it is text");
    }
  }

  private static InvalidResourceException error(Mark mark, String message) {
    return InvalidResourceException.of(
        "document",
        "malformed YAML at line "
            + (mark.getLine() + 1)
            + ", column "
            + (mark.getColumn() + 1)
            + ": "
            + message);
  }

  /** An open mapping or sequence; for a mapping, the keys seen and whether a key comes next. */
  private static final class Frame {
    private final boolean mapping;
    private final Set<String> keys = new HashSet<>();
    private boolean keyNext = true;

    Frame(boolean mapping) {
      this.mapping = mapping;
    }

    void node(NodeEvent node) {
      if (!mapping) {
        return;
      }
      if (keyNext && node instanceof ScalarEvent key && !keys.add(key.getValue())) {
        throw error(
            key.getStartMark(),
            "duplicate key '" + key.getValue() + "' (each key may appear once in a mapping)");
      }
      keyNext = !keyNext;
    }
  }
}
