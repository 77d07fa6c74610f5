package io.gantry.config;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.gantry.shared.Finding;
import io.gantry.shared.InvalidInputException;
import io.gantry.shared.Names;
import io.gantry.shared.SourceLocation;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.beans.factory.annotation.Value;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.events.AliasEvent;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.events.MappingEndEvent;
import org.snakeyaml.engine.v2.events.MappingStartEvent;
import org.snakeyaml.engine.v2.events.SequenceEndEvent;
import org.snakeyaml.engine.v2.events.SequenceStartEvent;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.schema.CoreSchema;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads configuration files: YAML (several documents per file) composed with the position of every
 * node, then each document checked against the published JSON Schema. Every problem in every file
 * is reported together, each with its file, line, column and field.
 */
@org.springframework.stereotype.Component
public class ConfigLoader {

  /** Where the published schema is on the classpath (and, under /static, served over HTTP). */
  public static final String SCHEMA_RESOURCE = "/static/schema/gantry-config.schema.json";

  /** Default {@code gantry.config.yaml.max-depth}: mappings and lists inside each other. */
  public static final int DEFAULT_MAX_DEPTH = 50;
  /** Default {@code gantry.config.yaml.max-file-chars}: the characters of one file (5 MiB). */
  public static final int DEFAULT_MAX_FILE_CHARS = 5 * 1024 * 1024;
  /** Default {@code gantry.config.yaml.max-document-code-points}: one YAML document of a file (3 MiB). */
  public static final int DEFAULT_MAX_DOCUMENT_CODE_POINTS = 3 * 1024 * 1024;
  /** Default {@code gantry.config.yaml.max-aliases}: aliases ({@code *name}) in one file. */
  public static final int DEFAULT_MAX_ALIASES = 50;
  /** Default {@code gantry.config.yaml.max-nodes}: values in one document once its aliases are expanded. */
  public static final int DEFAULT_MAX_NODES = 100_000;

  private final Schema schema;
  private final int maxDepth;
  private final int maxFileChars;
  private final int maxDocumentCodePoints;
  private final int maxAliases;
  private final int maxNodes;

  /** With the default limits. */
  public ConfigLoader() {
    this(DEFAULT_MAX_DEPTH, DEFAULT_MAX_FILE_CHARS, DEFAULT_MAX_DOCUMENT_CODE_POINTS, DEFAULT_MAX_ALIASES,
        DEFAULT_MAX_NODES);
  }

  /**
   * With limits on what one file may make the server do: how deep its values nest, how long it is,
   * how long each of its documents is, how many aliases it uses and how many values its documents
   * hold once those aliases are expanded (so that a few aliases cannot stand for millions of values).
   */
  @org.springframework.beans.factory.annotation.Autowired
  ConfigLoader(@Value("${gantry.config.yaml.max-depth:" + DEFAULT_MAX_DEPTH + "}") int maxDepth,
      @Value("${gantry.config.yaml.max-file-chars:" + DEFAULT_MAX_FILE_CHARS + "}") int maxFileChars,
      @Value("${gantry.config.yaml.max-document-code-points:" + DEFAULT_MAX_DOCUMENT_CODE_POINTS + "}")
      int maxDocumentCodePoints,
      @Value("${gantry.config.yaml.max-aliases:" + DEFAULT_MAX_ALIASES + "}") int maxAliases,
      @Value("${gantry.config.yaml.max-nodes:" + DEFAULT_MAX_NODES + "}") int maxNodes) {
    this.maxDepth = atLeast("gantry.config.yaml.max-depth", maxDepth, 1);
    this.maxFileChars = atLeast("gantry.config.yaml.max-file-chars", maxFileChars, 1);
    this.maxDocumentCodePoints = atLeast("gantry.config.yaml.max-document-code-points", maxDocumentCodePoints, 1);
    this.maxAliases = atLeast("gantry.config.yaml.max-aliases", maxAliases, 0);
    this.maxNodes = atLeast("gantry.config.yaml.max-nodes", maxNodes, 1);
    try (InputStream in = ConfigLoader.class.getResourceAsStream(SCHEMA_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("the configuration schema " + SCHEMA_RESOURCE + " is not on the classpath");
      }
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
          .getSchema(text, InputFormat.JSON);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int atLeast(String property, int value, int min) {
    if (value < min) {
      throw new IllegalArgumentException(property + " must be " + min + " or more, was " + value);
    }
    return value;
  }

  public List<ConfigDocument> load(List<ConfigFile> files) {
    List<Finding> findings = new ArrayList<>();
    List<ConfigDocument> documents = new ArrayList<>();
    if (files == null || files.isEmpty()) {
      throw InvalidInputException.of("files", "no configuration files were given");
    }
    for (int i = 0; i < files.size(); i++) {
      ConfigFile file = files.get(i);
      if (file == null || file.name() == null || file.content() == null) {
        findings.add(Finding.of("files[" + i + "]" + (file == null ? "" : file.name() == null ? ".name" : ".content"),
            "a configuration file needs a name and a content"));
        continue;
      }
      List<ConfigDocument> read = compose(file, findings);
      for (ConfigDocument doc : read) {
        validate(doc, findings);
      }
      documents.addAll(read);
    }
    if (findings.isEmpty() && documents.isEmpty()) {
      findings.add(new Finding("", "the configuration holds no documents", null));
    }
    if (!findings.isEmpty()) {
      throw new InvalidInputException(findings.size() + " problem(s) in the configuration", findings);
    }
    return documents;
  }

  private List<ConfigDocument> compose(ConfigFile file, List<Finding> findings) {
    List<ConfigDocument> out = new ArrayList<>();
    if (file.content().length() > maxFileChars) {
      findings.add(new Finding("", "the file has " + file.content().length() + " characters, more than the limit of "
          + maxFileChars + " (gantry.config.yaml.max-file-chars)", new SourceLocation(file.name(), 0, 0)));
      return out;
    }
    LoadSettings settings = LoadSettings.builder().setLabel(file.name()).setSchema(new CoreSchema())
        .setAllowDuplicateKeys(false).setMaxAliasesForCollections(maxAliases).setAllowRecursiveKeys(false)
        .setCodePointLimit(maxDocumentCodePoints).build();
    int index = 0;
    try {
      Finding beyond = beyondLimits(file, settings);
      if (beyond != null) {
        findings.add(beyond);
        return List.of();
      }
      for (Node root : new Compose(settings).composeAllFromString(file.content())) {
        Map<String, SourceLocation> locations = new HashMap<>();
        List<Finding> local = new ArrayList<>();
        JsonNode body;
        try {
          body = convert(root, "", file.name(), locations, local, new int[] {maxNodes}, maxDepth);
        } catch (TooDeep e) {
          findings.add(new Finding("", "document " + (index + 1) + " nests deeper than " + maxDepth + " levels "
              + "through its aliases (an alias inside its own anchor never ends; gantry.config.yaml.max-depth)",
              loc(file.name(), root)));
          return List.of();
        } catch (TooManyNodes e) {
          findings.add(new Finding("", "document " + (index + 1) + " holds more than " + maxNodes + " values once "
              + "its aliases are expanded (gantry.config.yaml.max-nodes)", loc(file.name(), root)));
          return List.of();
        }
        findings.addAll(local);
        if (body == null || body.isNull()) {
          continue;
        }
        String kind = body.path("kind").isString() ? body.path("kind").asString() : null;
        String name = body.path("metadata").path("name").isString()
            ? body.path("metadata").path("name").asString() : null;
        if (local.isEmpty()) {
          out.add(new ConfigDocument(file.name(), index, kind, name, body, Map.copyOf(locations)));
        }
        index++;
      }
    } catch (MarkedYamlEngineException e) {
      Mark mark = e.getProblemMark().or(e::getContextMark).orElse(null);
      String problem = e.getProblem() == null ? "malformed YAML" : e.getProblem();
      String context = e.getContext() == null ? "" : " (" + e.getContext() + ")";
      findings.add(new Finding("", "malformed YAML: " + problem + context,
          mark == null ? new SourceLocation(file.name(), 0, 0) : at(file.name(), mark)));
      return List.of();
    } catch (YamlEngineException e) {
      String message = e.getMessage() != null && e.getMessage().contains("exceeds the limit")
          ? "a YAML document of the file is longer than the limit of " + maxDocumentCodePoints + " code points "
              + "(gantry.config.yaml.max-document-code-points)"
          : "malformed YAML: " + e.getMessage();
      findings.add(new Finding("", message, new SourceLocation(file.name(), 0, 0)));
      return List.of();
    }
    return out;
  }

  /**
   * The first limit the file goes beyond, read from the parser's events before any node is built: the
   * composer and the conversion below follow nesting by recursion, so depth is checked here, where
   * the parser keeps its own stack.
   */
  private Finding beyondLimits(ConfigFile file, LoadSettings settings) {
    int depth = 0;
    int aliases = 0;
    for (Event event : new Parse(settings).parseString(file.content())) {
      switch (event) {
        case MappingStartEvent m -> depth++;
        case SequenceStartEvent q -> depth++;
        case MappingEndEvent m -> depth--;
        case SequenceEndEvent q -> depth--;
        case AliasEvent a -> aliases++;
        default -> { }
      }
      if (depth > maxDepth) {
        return new Finding("", "values nest deeper than " + maxDepth + " levels (gantry.config.yaml.max-depth)",
            event.getStartMark().map(m -> at(file.name(), m)).orElse(new SourceLocation(file.name(), 0, 0)));
      }
      if (aliases > maxAliases) {
        return new Finding("", "the file uses more than " + maxAliases + " aliases (gantry.config.yaml.max-aliases)",
            event.getStartMark().map(m -> at(file.name(), m)).orElse(new SourceLocation(file.name(), 0, 0)));
      }
    }
    return null;
  }

  /** A document whose values, aliases expanded, nest deeper than the limit (or without end). */
  private static final class TooDeep extends RuntimeException {
    TooDeep() {
      super(null, null, false, false);
    }
  }

  /** A document whose values, aliases expanded, are more than the limit. */
  private static final class TooManyNodes extends RuntimeException {
    TooManyNodes() {
      super(null, null, false, false);
    }
  }

  private static JsonNode convert(Node node, String path, String file, Map<String, SourceLocation> locations,
      List<Finding> findings, int[] nodesLeft, int depthLeft) {
    if (--nodesLeft[0] < 0) {
      throw new TooManyNodes();
    }
    if (depthLeft < 0) {
      throw new TooDeep();
    }
    JsonNodeFactory f = JsonNodeFactory.instance;
    node.getStartMark().ifPresent(m -> locations.putIfAbsent(path, at(file, m)));
    return switch (node) {
      case MappingNode map -> {
        ObjectNode obj = f.objectNode();
        for (NodeTuple tuple : map.getValue()) {
          Node keyNode = tuple.getKeyNode();
          if (!(keyNode instanceof ScalarNode key)) {
            findings.add(new Finding(path, "a key must be plain text", loc(file, keyNode)));
            continue;
          }
          String child = path.isEmpty() ? key.getValue() : path + "." + key.getValue();
          if (obj.has(key.getValue())) {
            findings.add(new Finding(child, "duplicate key \"" + key.getValue() + "\" (first at "
                + locations.get(child) + ")", loc(file, keyNode)));
            continue;
          }
          keyNode.getStartMark().ifPresent(m -> locations.put(child, at(file, m)));
          obj.set(key.getValue(), convert(tuple.getValueNode(), child, file, locations, findings, nodesLeft, depthLeft - 1));
        }
        yield obj;
      }
      case SequenceNode seq -> {
        ArrayNode array = f.arrayNode();
        for (int i = 0; i < seq.getValue().size(); i++) {
          array.add(convert(seq.getValue().get(i), path + "[" + i + "]", file, locations, findings, nodesLeft,
              depthLeft - 1));
        }
        yield array;
      }
      case ScalarNode scalar -> scalar(scalar, f);
      default -> f.nullNode();
    };
  }

  private static JsonNode scalar(ScalarNode scalar, JsonNodeFactory f) {
    String v = scalar.getValue();
    Tag tag = scalar.getTag();
    if (Tag.NULL.equals(tag)) {
      return f.nullNode();
    }
    if (Tag.BOOL.equals(tag)) {
      return f.booleanNode(v.equalsIgnoreCase("true"));
    }
    if (Tag.INT.equals(tag)) {
      try {
        String digits = v.replace("_", "");
        if (digits.startsWith("0x")) {
          return f.numberNode(new BigInteger(digits.substring(2), 16));
        }
        if (digits.startsWith("0o")) {
          return f.numberNode(new BigInteger(digits.substring(2), 8));
        }
        BigInteger big = new BigInteger(digits);
        return big.bitLength() < 63 ? f.numberNode(big.longValue()) : f.numberNode(big);
      } catch (NumberFormatException e) {
        return f.stringNode(v);
      }
    }
    if (Tag.FLOAT.equals(tag)) {
      try {
        return f.numberNode(Double.parseDouble(v));
      } catch (NumberFormatException e) {
        return f.stringNode(v);
      }
    }
    return f.stringNode(v);
  }

  private void validate(ConfigDocument doc, List<Finding> findings) {
    List<Error> errors = schema.validate(doc.body());
    for (Error error : errors) {
      String path = path(error);
      String field = path;
      String message;
      SourceLocation location;
      switch (error.getKeyword()) {
        case "additionalProperties" -> {
          field = join(path, error.getProperty());
          message = NotCarriedOut.unknownField(error.getProperty());
          location = doc.locate(field);
        }
        case "required" -> {
          field = join(path, error.getProperty());
          message = "missing required field \"" + error.getProperty() + "\"";
          location = doc.locate(path);
        }
        case "type" -> {
          message = "expected " + describeType(error.getSchemaNode()) + ", got " + describeValue(error.getInstanceNode());
          location = doc.locate(path);
        }
        case "enum" -> {
          message = describeValue(error.getInstanceNode()) + " is not allowed here; use one of: "
              + joinValues(error.getSchemaNode()) + NotCarriedOut.value(path,
              // a mapping or list where a word is expected has no text to explain
              error.getInstanceNode().isValueNode() ? error.getInstanceNode().asString() : "");
          location = doc.locate(path);
        }
        case "const" -> {
          message = "must be " + error.getSchemaNode() + ", got " + describeValue(error.getInstanceNode());
          location = doc.locate(path);
        }
        case "pattern" -> {
          message = describePattern(path, error);
          location = doc.locate(path);
        }
        case "not" -> {
          message = "this combination of fields is not allowed here (for a local target give path, for a site "
              + "give location, for a kubernetes target give kubernetes and no path)";
          location = doc.locate(path);
        }
        default -> {
          message = stripPath(error.getMessage());
          location = doc.locate(path);
        }
      }
      findings.add(new Finding(field, message, location));
    }
  }

  private static String path(Error error) {
    var p = error.getInstanceLocation();
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < p.getNameCount(); i++) {
      Object element = p.getElement(i);
      if (element instanceof Integer index) {
        sb.append('[').append(index).append(']');
      } else {
        if (!sb.isEmpty()) {
          sb.append('.');
        }
        sb.append(element);
      }
    }
    return sb.toString();
  }

  private static String join(String path, String property) {
    return path.isEmpty() ? property : path + "." + property;
  }

  private static String describeType(JsonNode schemaNode) {
    String type = schemaNode == null ? "" : schemaNode.isArray()
        ? schemaNode.valueStream().map(JsonNode::asString).collect(Collectors.joining(" or ")) : schemaNode.asString();
    return switch (type) {
      case "object" -> "a mapping (key: value)";
      case "array" -> "a list";
      case "string" -> "text";
      case "integer" -> "a whole number";
      case "boolean" -> "true or false";
      case "number" -> "a number";
      default -> type;
    };
  }

  private static String describeValue(JsonNode value) {
    if (value == null || value.isNull()) {
      return "nothing";
    }
    if (value.isObject()) {
      return "a mapping";
    }
    if (value.isArray()) {
      return "a list";
    }
    if (value.isString()) {
      return "\"" + value.asString() + "\"";
    }
    return value.toString();
  }

  private static String joinValues(JsonNode values) {
    if (values == null || !values.isArray()) {
      return String.valueOf(values);
    }
    return values.valueStream().map(JsonNode::asString).collect(Collectors.joining(", "));
  }

  private static String describePattern(String path, Error error) {
    String value = error.getInstanceNode() == null ? "" : error.getInstanceNode().asString();
    String pattern = error.getSchemaNode() == null ? "" : error.getSchemaNode().asString();
    if (pattern.contains("ms|s|m|h|d")) {
      return "\"" + value + "\" is not a duration: use a number and a unit (500ms, 30s, 5m, 2h, 1d)";
    }
    if (pattern.contains("[01][0-9]")) {
      return "\"" + value + "\" is not a time of day: use HH:MM (00:00 to 23:59)";
    }
    if (pattern.startsWith("^https?")) {
      return "\"" + value + "\" is not an http(s) URL";
    }
    if (pattern.contains("a-z0-9-")) {
      return Names.describe(value);
    }
    return "\"" + value + "\" does not match " + pattern;
  }

  private static String stripPath(String message) {
    int colon = message.indexOf(": ");
    return message.startsWith("/") || message.startsWith("$") ? message.substring(colon + 2) : message;
  }

  private static SourceLocation loc(String file, Node node) {
    return node.getStartMark().map(m -> at(file, m)).orElse(new SourceLocation(file, 0, 0));
  }

  private static SourceLocation at(String file, Mark mark) {
    return new SourceLocation(file, mark.getLine() + 1, mark.getColumn() + 1);
  }
}
