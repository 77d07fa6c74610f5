package io.gantry.events;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The CDEvents 0.5.1 JSON schemas from the specification's own files, and Gantry's schemas of its custom types,
 * each found by its {@code $id} (the {@code links/...} references included), nothing fetched from anywhere. Formats
 * ({@code uri}, {@code uri-reference}, {@code date-time}) are asserted, not only annotated.
 */
public final class CdEventSchemas {

  /** Where the specification's files are. */
  public static final Path SPEC = Path.of(System.getProperty("gantry.cdevents.spec",
      "/work/shared/cdevents-spec-v0.5.1"));
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final SchemaRegistry registry;
  /** A CDEvents type to the {@code $id} of its schema. */
  private final Map<String, String> byType = new HashMap<>();

  public CdEventSchemas() {
    Map<String, String> byId = new HashMap<>();
    List<Path> files = new ArrayList<>();
    try (Stream<Path> top = Files.list(SPEC.resolve("schemas")); Stream<Path> links =
        Files.list(SPEC.resolve("schemas/links"))) {
      top.filter(p -> p.toString().endsWith(".json")).forEach(files::add);
      links.filter(p -> p.toString().endsWith(".json")).forEach(files::add);
      files.add(SPEC.resolve("custom/schema.json"));
      for (Path f : files) {
        String text = Files.readString(f, StandardCharsets.UTF_8);
        JsonNode schema = JSON.readTree(text);
        String id = schema.path("$id").asString();
        byId.put(id, text);
        JsonNode types = schema.path("properties").path("context").path("properties").path("type").path("enum");
        types.forEach(t -> byType.put(t.asString(), id));
      }
      for (String name : List.of("gantry-deployment-waiting-0.1.0.json", "gantry-change-0.1.0.json",
          "gantry-modelversion-effective-0.1.0.json")) {
        String text = new String(CdEventSchemas.class.getResourceAsStream("/cdevents/" + name).readAllBytes(),
            StandardCharsets.UTF_8);
        byId.put(JSON.readTree(text).path("$id").asString(), text);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12, b -> b
        .schemaRegistryConfig(SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build())
        .schemaLoader(loader -> loader.fetchRemoteResources(false))
        .schemas(byId));
  }

  /** The {@code $id} of the schema an event of {@code type} must follow; for Gantry's types, Gantry's own. */
  public String schemaOf(String type) {
    if (type.startsWith(CdEvents.CHANGE_PREFIX)) {
      return "urn:gantry:cdeventsx:schema:gantry-change.0.1.0";
    }
    if (type.equals(CdEvents.MODEL_IN_FORCE)) {
      return "urn:gantry:cdeventsx:schema:gantry-modelversion.effective.0.1.0";
    }
    if (type.equals(CdEvents.DEPLOYMENT_WAITING)) {
      return "urn:gantry:cdeventsx:schema:gantry-deployment.waiting.0.1.0";
    }
    String id = byType.get(type);
    if (id == null) {
      throw new AssertionError("no CDEvents 0.5.1 schema is for type " + type);
    }
    return id;
  }

  /** What is wrong with the CDEvent (the outbox's {@code data}) against its type's schema; empty when nothing. */
  public List<String> problems(String type, String cdevent) {
    Schema schema = registry.getSchema(SchemaLocation.of(schemaOf(type)));
    List<Error> errors = schema.validate(JSON.readTree(cdevent));
    List<String> problems = new ArrayList<>(errors.stream().map(Error::toString).toList());
    if (type.startsWith("dev.cdeventsx.")) {
      // every custom event also follows the specification's schema of custom events
      Schema custom = registry.getSchema(SchemaLocation.of("https://cdevents.dev/0.5.1/schema/custom"));
      custom.validate(JSON.readTree(cdevent)).forEach(e -> problems.add("custom: " + e));
    }
    return problems;
  }

  /** Every type a schema of the specification is for. */
  public java.util.Set<String> specTypes() {
    return java.util.Set.copyOf(byType.keySet());
  }
}
