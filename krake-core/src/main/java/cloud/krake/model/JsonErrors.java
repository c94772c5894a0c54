package cloud.krake.model;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.temporal.Temporal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * How {@link KrakeJson} reports what it cannot read: a Jackson or YAML exception turned into an
 * {@link InvalidResourceException} whose fields are named by their JSON path (snake_case, {@code
 * [i]} for list items), with syntax errors positioned by line and column and quoted text longer
 * than three characters left out. Stateless and thread-safe.
 */
final class JsonErrors {

  private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z][a-zA-Z0-9]*");

  private JsonErrors() {}

  /** Turns a Jackson exception into ours, naming the field by its JSON path. */
  static InvalidResourceException translate(JsonProcessingException e, String prefix) {
    String path =
        e instanceof JsonMappingException mapping ? join(prefix, path(mapping.getPath())) : prefix;
    for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
      if (cause instanceof InvalidResourceException own) {
        List<FieldError> errors = new ArrayList<>();
        for (FieldError error : own.errors()) {
          String field = join(path, error.field());
          errors.add(new FieldError(field.isEmpty() ? "document" : field, error.message()));
        }
        return new InvalidResourceException(errors, e);
      }
      if (cause instanceof NullPointerException npe
          && npe.getMessage() != null
          && IDENTIFIER.matcher(npe.getMessage()).matches()) {
        // Objects.requireNonNull(x, "name") in a record's constructor: a required field is missing
        return new InvalidResourceException(
            List.of(new FieldError(join(path, snakeCase(npe.getMessage())), "is required")), e);
      }
    }
    if (e instanceof StreamReadException read && !(e instanceof JsonMappingException)) {
      return new InvalidResourceException(
          List.of(new FieldError(join(prefix, "document"), syntaxMessage(read))), e);
    }
    String field = path.equals(prefix) ? join(prefix, "document") : path;
    String message = "is invalid";
    if (e instanceof MismatchedInputException mismatch) {
      Class<?> target = mismatch.getTargetType();
      message =
          target == null ? firstLine(mismatch.getOriginalMessage()) : "must be " + describe(target);
    }
    return new InvalidResourceException(List.of(new FieldError(field, message)), e);
  }

  /**
   * Describes a syntax error with its position; quoted text longer than three characters (which
   * could be a secret the parser choked on) is left out.
   */
  private static String syntaxMessage(StreamReadException e) {
    for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
      if (cause instanceof MarkedYAMLException yaml && yaml.getProblemMark() != null) {
        Mark mark = yaml.getProblemMark();
        String what =
            (yaml.getContext() == null ? "" : yaml.getContext() + ": ")
                + Objects.requireNonNullElse(yaml.getProblem(), "syntax error");
        return "malformed YAML at line "
            + (mark.getLine() + 1)
            + ", column "
            + (mark.getColumn() + 1)
            + ": "
            + sanitise(what);
      }
    }
    JsonLocation location = e.getLocation();
    String where =
        location == null
            ? ""
            : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    return "malformed JSON or YAML" + where + ": " + sanitise(firstLine(e.getOriginalMessage()));
  }

  private static String sanitise(String message) {
    return message.replaceAll("'[^']{4,}'", "'...'").replaceAll("\\s+", " ");
  }

  private static String path(List<JsonMappingException.Reference> references) {
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference reference : references) {
      if (reference.getFieldName() != null) {
        if (path.length() > 0) {
          path.append('.');
        }
        path.append(reference.getFieldName());
      } else if (reference.getIndex() >= 0) {
        path.append('[').append(reference.getIndex()).append(']');
      }
    }
    return path.toString();
  }

  static String join(String prefix, String field) {
    if (prefix.isEmpty()) {
      return field;
    }
    if (field.isEmpty()) {
      return prefix;
    }
    return field.startsWith("[") ? prefix + field : prefix + "." + field;
  }

  private static String snakeCase(String name) {
    return name.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  private static String describe(Class<?> type) {
    if (type.isEnum()) {
      return "one of " + Arrays.toString(type.getEnumConstants());
    }
    if (type == int.class
        || type == Integer.class
        || type == long.class
        || type == Long.class
        || type == short.class
        || type == Short.class) {
      return "an integer";
    }
    if (type == double.class || type == Double.class || type == float.class) {
      return "a number";
    }
    if (type == boolean.class || type == Boolean.class) {
      return "true or false";
    }
    if (type == String.class) {
      return "a string";
    }
    if (type == LabelConstraint.class) {
      return "a label constraint expression (a string)";
    }
    if (type == MetricConstraint.class) {
      return "a metric constraint expression (a string)";
    }
    if (Temporal.class.isAssignableFrom(type)) {
      return "an ISO-8601 timestamp";
    }
    if (Collection.class.isAssignableFrom(type) || type.isArray()) {
      return "a list";
    }
    if (type == JsonNode.class) {
      return "a JSON value";
    }
    if (Map.class.isAssignableFrom(type) || ObjectNode.class.isAssignableFrom(type)) {
      return "an object";
    }
    return "an object";
  }
}
