package io.gantry.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.util.ConcurrentLruCache;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.MapperFeature;
import tools.jackson.dataformat.yaml.YAMLMapper;
import tools.jackson.dataformat.yaml.YAMLWriteFeature;

/**
 * The canonical text of a model version (YAML, fields in a fixed order, defaults left out), its
 * digest, and the unified diff between two versions.
 */
public final class ModelDocuments {

  private static final YAMLMapper YAML = YAMLMapper.builder()
      .disable(YAMLWriteFeature.WRITE_DOC_START_MARKER)
      .enable(YAMLWriteFeature.MINIMIZE_QUOTES)
      .enable(YAMLWriteFeature.INDENT_ARRAYS_WITH_INDICATOR)
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .disable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
      .changeDefaultPropertyInclusion(v -> v.withValueInclusion(JsonInclude.Include.NON_EMPTY))
      .build();

  private ModelDocuments() {}

  /** The text a model version stores: description, labels and spec. */
  public static String render(ModelDefinition definition) {
    Map<String, Object> doc = new LinkedHashMap<>();
    if (definition.description() != null) {
      doc.put("description", definition.description());
    }
    if (!definition.labels().isEmpty()) {
      doc.put("labels", definition.labels());
    }
    doc.put("spec", definition.spec());
    return YAML.writeValueAsString(doc);
  }

  /**
   * Reads back what {@link #render} wrote. The engine reads a deployment's model version at every
   * step; a version's text never changes, so the last texts read are kept parsed (the same text
   * always gives an equal definition, which nobody changes).
   */
  public static ModelDefinition parse(String name, String text) {
    return PARSED.get(new Text(name, text));
  }

  private record Text(String name, String text) {}

  private static final ConcurrentLruCache<Text, ModelDefinition> PARSED = new ConcurrentLruCache<>(256, t -> {
    Stored stored = YAML.readValue(t.text(), Stored.class);
    return new ModelDefinition(t.name(), stored.description(), stored.labels(), stored.spec());
  });

  private record Stored(String description, Map<String, String> labels, DeploymentModelSpec spec) {}

  public static String digest(String text) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return "sha256:" + HexFormat.of().formatHex(hash);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Unified diff from one text to another (either may be null: nothing). */
  public static String diff(String model, String fromLabel, String from, String toLabel, String to) {
    List<String> a = lines(from);
    List<String> b = lines(to);
    var patch = DiffUtils.diff(a, b);
    if (patch.getDeltas().isEmpty()) {
      return "";
    }
    List<String> out = UnifiedDiffUtils.generateUnifiedDiff(model + " " + fromLabel, model + " " + toLabel, a, patch, 3);
    return String.join("\n", out) + "\n";
  }

  private static List<String> lines(String text) {
    return text == null ? List.of() : text.lines().toList();
  }
}
