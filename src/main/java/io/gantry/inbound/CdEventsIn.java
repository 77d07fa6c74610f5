package io.gantry.inbound;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.gantry.catalog.Version;
import io.gantry.shared.Finding;
import io.gantry.shared.InvalidInputException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;

/**
 * CDEvents 0.5.1 that register versions ({@code artifact.published}) or record signatures ({@code
 * artifact.signed}), checked against the specification's own JSON schemas (shipped with Gantry, under
 * the Apache License 2.0: {@code cdevents/0.5.1/NOTICE}).
 */
final class CdEventsIn {

  static final String PUBLISHED = "dev.cdevents.artifact.published.0.3.0";
  static final String SIGNED = "dev.cdevents.artifact.signed.0.3.0";

  private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
      builder -> builder.schemaLoader(loader -> loader.fetchRemoteResources(false)
          .schemaIdResolvers(ids -> ids.mapPrefix("https://cdevents.dev/0.5.1/schema/",
              "classpath:cdevents/0.5.1/schema/"))));

  private static final Map<String, Schema> SCHEMAS = Map.of(
      PUBLISHED, REGISTRY.getSchema(SchemaLocation.of("https://cdevents.dev/0.5.1/schema/artifact-published-event")),
      SIGNED, REGISTRY.getSchema(SchemaLocation.of("https://cdevents.dev/0.5.1/schema/artifact-signed-event")));

  private CdEventsIn() {}

  /** An artifact's package URL split into the artifact (without version) and the version. */
  record Purl(String artifact, String version) {}

  /** A CDEvent read and checked: its type, context id and source, subject (the artifact) and content. */
  record Event(String type, String id, String source, Purl subject, JsonNode content) {}

  /**
   * Checks {@code cdevent} against its type's schema and reads it; {@code ceType}, {@code ceId} and
   * {@code ceSource} are the CloudEvent's attributes, which must agree with the CDEvent's context.
   */
  static Event read(JsonNode cdevent, String ceType, String ceId, String ceSource) {
    if (cdevent == null || !cdevent.isObject()) {
      throw InvalidInputException.of("data", "the event's data must be a CDEvent (a JSON object)");
    }
    Schema schema = SCHEMAS.get(ceType);
    if (schema == null) {
      throw InvalidInputException.of("type", "\"" + ceType + "\" is not an event Gantry takes; it takes "
          + PUBLISHED + " and " + SIGNED + " (CDEvents 0.5.1)");
    }
    List<Error> errors = schema.validate(cdevent);
    if (!errors.isEmpty()) {
      throw new InvalidInputException("the CDEvent does not follow the " + ceType + " schema",
          errors.stream().limit(10).map(e -> Finding.of("data" + pointer(e), e.getMessage())).toList());
    }
    JsonNode context = cdevent.path("context");
    String type = context.path("type").asString();
    String id = context.path("id").asString();
    String source = context.path("source").asString();
    if (!type.equals(ceType)) {
      throw InvalidInputException.of("data.context.type", "the CDEvent is a " + type + ", the CloudEvent says "
          + ceType);
    }
    if (ceId != null && !ceId.equals(id)) {
      throw InvalidInputException.of("data.context.id", "the CDEvent's id " + id + " is not the CloudEvent's id "
          + ceId);
    }
    if (ceSource != null && !ceSource.equals(source)) {
      throw InvalidInputException.of("data.context.source", "the CDEvent's source " + source + " is not the "
          + "CloudEvent's source " + ceSource);
    }
    JsonNode subject = cdevent.path("subject");
    return new Event(type, id, source, purl(subject.path("id").asString()), subject.path("content"));
  }

  /** {@code pkg:type/namespace/name@version?qualifiers#subpath}: the part before {@code @}, and the version. */
  static Purl purl(String id) {
    String base = id;
    int cut = indexOfAny(base, '?', '#');
    if (cut >= 0) {
      base = base.substring(0, cut);
    }
    int at = base.lastIndexOf('@');
    if (!base.startsWith("pkg:") || at < 0 || at == base.length() - 1) {
      throw InvalidInputException.of("data.subject.id", "\"" + id + "\" is not a package URL with a version "
          + "(pkg:TYPE/NAME@VERSION)");
    }
    String version = URLDecoder.decode(base.substring(at + 1), StandardCharsets.UTF_8);
    String artifact = base.substring(0, at);
    if (!Version.isValid(version)) {
      throw InvalidInputException.of("data.subject.id", "the version of " + id + " is \"" + version + "\": "
          + Version.describe(version));
    }
    return new Purl(artifact, version);
  }

  private static int indexOfAny(String s, char a, char b) {
    int i = s.indexOf(a);
    int j = s.indexOf(b);
    return i < 0 ? j : j < 0 ? i : Math.min(i, j);
  }

  private static String pointer(Error e) {
    String at = e.getInstanceLocation() == null ? "" : e.getInstanceLocation().toString();
    return at.startsWith("$") ? at.substring(1) : at.isEmpty() ? "" : "." + at;
  }

  static String describe(List<Error> errors) {
    return errors.stream().map(Error::getMessage).collect(Collectors.joining("; "));
  }
}
