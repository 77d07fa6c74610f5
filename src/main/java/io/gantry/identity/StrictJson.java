package io.gantry.identity;

import io.gantry.shared.InvalidInputException;
import java.lang.reflect.RecordComponent;
import java.util.List;
import java.util.stream.Collectors;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads a request body into its record refusing what would otherwise be ignored: an unknown field,
 * or a value of the wrong type (a string for a boolean), each named.
 */
final class StrictJson {

  private static final JsonMapper MAPPER = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
      .disable(DeserializationFeature.UNWRAP_SINGLE_VALUE_ARRAYS)
      .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
      .build();

  private StrictJson() {}

  static <T> T read(JsonNode body, Class<T> type) {
    if (body == null || !body.isObject()) {
      throw InvalidInputException.of("body", "the request body must be a JSON object");
    }
    checkLists(body, type);
    try {
      return MAPPER.treeToValue(body, type);
    } catch (UnrecognizedPropertyException e) {
      String known = e.getKnownPropertyIds() == null ? "" : "; known fields: " + e.getKnownPropertyIds().stream()
          .map(String::valueOf).sorted().collect(Collectors.joining(", "));
      throw InvalidInputException.of(e.getPropertyName(), "unknown field \"" + e.getPropertyName() + "\"" + known);
    } catch (DatabindException e) {
      String field = e.getPath().stream()
          .map(r -> r.getPropertyName() != null ? r.getPropertyName() : "[" + r.getIndex() + "]")
          .reduce("", (a, b) -> a.isEmpty() || b.startsWith("[") ? a + b : a + "." + b);
      throw InvalidInputException.of(field, "\"" + field + "\" has the wrong type: " + e.getOriginalMessage());
    } catch (JacksonException e) {
      String field = e.getPath().stream().map(r -> r.getPropertyName() != null ? r.getPropertyName() : "")
          .filter(name -> !name.isEmpty()).reduce((a, b) -> a + "." + b).orElse("");
      throw InvalidInputException.of(field, "\"" + field + "\" is out of range or malformed: " + e.getOriginalMessage());
    }
  }

  /** Lists of text are checked here: Jackson loses the place of a wrong element inside them. */
  private static void checkLists(JsonNode body, Class<?> type) {
    if (!type.isRecord()) {
      return;
    }
    for (RecordComponent component : type.getRecordComponents()) {
      JsonNode value = body.get(component.getName());
      if (value == null || value.isNull() || component.getType() != List.class) {
        continue;
      }
      if (!value.isArray()) {
        throw InvalidInputException.of(component.getName(), "\"" + component.getName() + "\" must be a list");
      }
      for (int i = 0; i < value.size(); i++) {
        if (!value.get(i).isString()) {
          String field = component.getName() + "[" + i + "]";
          throw InvalidInputException.of(field, "\"" + field + "\" must be text");
        }
      }
    }
  }
}
