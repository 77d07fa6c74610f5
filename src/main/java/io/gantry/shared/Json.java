package io.gantry.shared;

import java.util.List;
import java.util.Map;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** JSON text columns (labels, facts, tags, attribute maps) read and written in one way everywhere. */
public final class Json {

  private static final JsonMapper MAPPER = JsonMapper.builder().build();

  private Json() {}

  public static String write(Object value) {
    return MAPPER.writeValueAsString(value);
  }

  public static Map<String, String> readStringMap(String json) {
    if (json == null || json.isBlank()) {
      return Map.of();
    }
    return MAPPER.readValue(json, new TypeReference<Map<String, String>>() {});
  }

  public static List<String> readStringList(String json) {
    if (json == null || json.isBlank()) {
      return List.of();
    }
    return MAPPER.readValue(json, new TypeReference<List<String>>() {});
  }

  public static <T> List<T> readList(String json, Class<T> elementType) {
    if (json == null || json.isBlank()) {
      return List.of();
    }
    return MAPPER.readValue(json, MAPPER.getTypeFactory().constructCollectionType(List.class, elementType));
  }

  public static <T> T read(String json, Class<T> type) {
    return MAPPER.readValue(json, type);
  }
}
