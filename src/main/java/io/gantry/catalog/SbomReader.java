package io.gantry.catalog;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.cyclonedx.exception.ParseException;
import org.cyclonedx.model.Bom;
import org.cyclonedx.model.Component;
import org.cyclonedx.model.LicenseChoice;
import org.cyclonedx.parsers.JsonParser;
import org.spdx.core.InvalidSPDXAnalysisException;
import org.spdx.jacksonstore.MultiFormatStore;
import org.spdx.library.SpdxModelFactory;
import org.spdx.library.model.v2.ExternalRef;
import org.spdx.library.model.v2.SpdxConstantsCompatV2;
import org.spdx.library.model.v2.SpdxDocument;
import org.spdx.library.model.v2.SpdxPackage;
import org.spdx.library.model.v2.license.AnyLicenseInfo;
import org.spdx.storage.simple.InMemSpdxStore;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonToken;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads CycloneDX and SPDX SBOMs in JSON with each format's own library: CycloneDX's parser (after
 * validation against the JSON schema that library bundles), and the SPDX project's library with its
 * JSON store (its deserialization and its verification against the SPDX specification).
 *
 * <p>Every document is first read once as a stream of tokens: it must be well-formed JSON, an object,
 * nested at most {@link #MAX_DEPTH} levels deep; only then is it handed to a library. The caller
 * bounds its size. Nothing is fetched from the network: CycloneDX's schemas and the SPDX licence
 * list are the copies inside those libraries' jars.
 */
final class SbomReader {

  /** Real SBOMs nest components within components a few levels; far deeper is an attack on the parsers. */
  static final int MAX_DEPTH = 100;
  /** The longest name, version, purl or licence kept for a component; longer ones are cut. */
  static final int MAX_FIELD_LENGTH = 1000;
  /** How many schema or verification problems one refusal names. */
  private static final int PROBLEMS_SHOWN = 5;

  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** CycloneDX's JSON schemas by specVersion, as CycloneDX's own parser chooses them (strict for 1.2 and 1.3). */
  private static final Map<String, String> CYCLONEDX_SCHEMAS = Map.of(
      "1.2", "bom-1.2-strict.schema.json",
      "1.3", "bom-1.3-strict.schema.json",
      "1.4", "bom-1.4.schema.json",
      "1.5", "bom-1.5.schema.json",
      "1.6", "bom-1.6.schema.json");

  /**
   * The schemas refer to each other by their cyclonedx.org addresses; those are mapped to the copies in
   * CycloneDX's jar, and nothing is ever fetched from anywhere else.
   */
  private static final SchemaRegistry CYCLONEDX_REGISTRY = SchemaRegistry.withDefaultDialect(
      SpecificationVersion.DRAFT_7, builder -> builder.schemaLoader(loader -> loader
          .fetchRemoteResources(false)
          .schemaIdResolvers(ids -> ids.mapPrefix("http://cyclonedx.org/schema/", "classpath:"))));
  /** The schemas loaded so far (package-private so a test can start without them). */
  static final Map<String, Schema> CYCLONEDX_SCHEMA_CACHE = new ConcurrentHashMap<>();

  /** The SPDX library keeps global registries; one document is read at a time. */
  private static final Object SPDX_LOCK = new Object();
  private static volatile boolean spdxReady;

  private SbomReader() {}

  /** Why a document is not a valid SBOM; the message names where, when the parser says. */
  static final class Invalid extends Exception {
    Invalid(String message) {
      super(message, null, false, false);
    }
  }

  /** The fields at the top of a JSON document that tell an SBOM's format and its version. */
  record Outline(String bomFormat, String specVersion, String spdxVersion) {
    /** The format the fields say, or null. */
    SbomFormat format() {
      if (bomFormat != null) {
        return SbomFormat.CYCLONEDX;
      }
      return spdxVersion != null ? SbomFormat.SPDX : null;
    }
  }

  /**
   * The format a JSON artifact not named as an SBOM turns out to be, from its top-level fields
   * ({@code "bomFormat": "CycloneDX"}, or {@code "spdxVersion"}), or null. A document that is not JSON
   * is not an SBOM; one that says it is one and is then broken is reported as that format, so reading
   * it fails with the parser's message.
   */
  static SbomFormat sniff(InputStream in) {
    Outline seen = new Outline(null, null, null);
    try (var parser = JSON.createParser(in)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      int depth = 1;
      for (JsonToken t; (t = parser.nextToken()) != null && depth > 0; ) {
        if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
          if (++depth > MAX_DEPTH) {
            break;
          }
        } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
          depth--;
        } else if (depth == 1 && t.isScalarValue()) {
          seen = note(seen, parser.currentName(), parser.getString());
        }
      }
    } catch (JacksonException e) {
      // what was read so far decides
    }
    if (seen.bomFormat() != null && !seen.bomFormat().equals("CycloneDX")) {
      return null;
    }
    return seen.format();
  }

  private static Outline note(Outline seen, String field, String value) {
    if (field == null) {
      return seen;
    }
    return switch (field) {
      case "bomFormat" -> new Outline(value, seen.specVersion(), seen.spdxVersion());
      case "specVersion" -> new Outline(seen.bomFormat(), value, seen.spdxVersion());
      case "spdxVersion" -> new Outline(seen.bomFormat(), seen.specVersion(), value);
      default -> seen;
    };
  }

  /** Checks the document is well-formed JSON, an object, not nested too deep, and returns its top-level fields. */
  static Outline outline(byte[] bytes) throws Invalid {
    Outline seen = new Outline(null, null, null);
    try (var parser = JSON.createParser(bytes)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw new Invalid(at(parser.currentTokenLocation()) + "an SBOM is a JSON object, and this is not one");
      }
      int depth = 1;
      for (JsonToken t; (t = parser.nextToken()) != null; ) {
        if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
          if (++depth > MAX_DEPTH) {
            throw new Invalid(at(parser.currentTokenLocation()) + "nested deeper than " + MAX_DEPTH + " levels");
          }
        } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
          depth--;
        } else if (depth == 1 && t.isScalarValue()) {
          seen = note(seen, parser.currentName(), parser.getString());
        }
      }
    } catch (JacksonException e) {
      throw new Invalid(at(e.getLocation()) + "not valid JSON: " + e.getOriginalMessage());
    }
    return seen;
  }

  private static String at(TokenStreamLocation location) {
    return location == null || location.getLineNr() < 1 ? ""
        : "line " + location.getLineNr() + ", column " + location.getColumnNr() + ": ";
  }

  /** Parses and validates the SBOM with its format's library and lists its components. */
  static Sbom read(String path, SbomFormat format, byte[] bytes) throws Invalid {
    Outline outline = outline(bytes);
    return switch (format) {
      case CYCLONEDX -> cycloneDx(path, outline, bytes);
      case SPDX -> spdx(path, outline, bytes);
    };
  }

  private static Sbom cycloneDx(String path, Outline outline, byte[] bytes) throws Invalid {
    if (!"CycloneDX".equals(outline.bomFormat())) {
      throw new Invalid("it is not a CycloneDX BOM: its top-level \"bomFormat\" is "
          + (outline.bomFormat() == null ? "missing" : "\"" + outline.bomFormat() + "\"") + ", not \"CycloneDX\"");
    }
    String spec = outline.specVersion();
    String resource = spec == null ? null : CYCLONEDX_SCHEMAS.get(spec);
    if (resource == null) {
      throw new Invalid("CycloneDX specVersion " + (spec == null ? "is missing" : "\"" + spec + "\" is not read")
          + "; Gantry reads CycloneDX " + String.join(", ", CYCLONEDX_SCHEMAS.keySet().stream().sorted().toList())
          + " in JSON");
    }
    Schema schema = CYCLONEDX_SCHEMA_CACHE.computeIfAbsent(resource,
        r -> CYCLONEDX_REGISTRY.getSchema(SchemaLocation.of("classpath:" + r)));
    JsonNode tree;
    try {
      tree = JSON.readTree(bytes);
    } catch (JacksonException e) {
      throw new Invalid(at(e.getLocation()) + "not valid JSON: " + e.getOriginalMessage());
    }
    List<Error> errors = schema.validate(tree);
    if (!errors.isEmpty()) {
      throw new Invalid("it does not follow the CycloneDX " + spec + " schema: " + errors.stream()
          .limit(PROBLEMS_SHOWN).map(SbomReader::describe).collect(Collectors.joining("; "))
          + (errors.size() > PROBLEMS_SHOWN ? " (and " + (errors.size() - PROBLEMS_SHOWN) + " more)" : ""));
    }
    Bom bom;
    try {
      bom = new JsonParser().parse(bytes);
    } catch (ParseException e) {
      throw new Invalid("CycloneDX's parser refused it: " + rootMessage(e));
    }
    List<SbomComponent> components = new ArrayList<>();
    addCycloneDx(bom.getComponents(), components);
    return new Sbom(path, SbomFormat.CYCLONEDX, spec, components);
  }

  private static String describe(Error error) {
    String where = error.getInstanceLocation() == null ? "" : error.getInstanceLocation().toString();
    String message = error.getMessage();
    return message.startsWith(where) ? message : where + ": " + message;
  }

  /** Components and the components nested in them, depth first. */
  private static void addCycloneDx(List<Component> list, List<SbomComponent> into) {
    if (list == null) {
      return;
    }
    for (Component c : list) {
      String name = c.getGroup() == null || c.getGroup().isBlank() ? c.getName() : c.getGroup() + "/" + c.getName();
      into.add(component(name, c.getVersion(), c.getPurl(), licence(c.getLicenses())));
      addCycloneDx(c.getComponents(), into);
    }
  }

  private static String licence(LicenseChoice choice) {
    if (choice == null) {
      return null;
    }
    if (choice.getExpression() != null && choice.getExpression().getValue() != null) {
      return choice.getExpression().getValue();
    }
    if (choice.getLicenses() == null || choice.getLicenses().isEmpty()) {
      return null;
    }
    String all = choice.getLicenses().stream().map(l -> l.getId() != null ? l.getId() : l.getName())
        .filter(s -> s != null && !s.isBlank()).collect(Collectors.joining(", "));
    return all.isEmpty() ? null : all;
  }

  private static Sbom spdx(String path, Outline outline, byte[] bytes) throws Invalid {
    String version = outline.spdxVersion();
    if (version == null) {
      throw new Invalid("it is not an SPDX document in JSON: its top-level \"spdxVersion\" is missing"
          + " (SPDX 3 JSON-LD is not read; SPDX 2.2 and 2.3 JSON are)");
    }
    if (!version.equals("SPDX-2.3") && !version.equals("SPDX-2.2")) {
      throw new Invalid("spdxVersion \"" + version + "\" is not read; Gantry reads SPDX-2.2 and SPDX-2.3 JSON");
    }
    synchronized (SPDX_LOCK) {
      initSpdx();
      MultiFormatStore store = new MultiFormatStore(new InMemSpdxStore(), MultiFormatStore.Format.JSON);
      try (store) {
        SpdxDocument document = store.deSerialize(new ByteArrayInputStream(bytes), false);
        List<String> problems = document.verify(document.getSpecVersion()).stream()
            .filter(p -> !p.contains(" is deprecated.")).toList();
        if (!problems.isEmpty()) {
          throw new Invalid("the SPDX library's verification found " + problems.size() + " problem(s): "
              + problems.stream().limit(PROBLEMS_SHOWN).collect(Collectors.joining("; "))
              + (problems.size() > PROBLEMS_SHOWN ? " (and " + (problems.size() - PROBLEMS_SHOWN) + " more)" : ""));
        }
        List<SbomComponent> components = new ArrayList<>();
        String prefix = document.getDocumentUri() + "#";
        List<?> packages = SpdxModelFactory.getSpdxObjects(store, null, SpdxConstantsCompatV2.CLASS_SPDX_PACKAGE,
            prefix, prefix).toList();
        for (Object o : packages) {
          SpdxPackage p = (SpdxPackage) o;
          components.add(component(p.getName().orElse(null), p.getVersionInfo().orElse(null), purl(p.getExternalRefs()),
              licence(p.getLicenseDeclared(), p.getLicenseConcluded())));
        }
        // the library's store does not keep the document's order of packages: name order is stable
        components.sort(java.util.Comparator.comparing(SbomComponent::name)
            .thenComparing(c -> c.version() == null ? "" : c.version()));
        return new Sbom(path, SbomFormat.SPDX, version.substring("SPDX-".length()), components);
      } catch (Invalid e) {
        throw e;
      } catch (InvalidSPDXAnalysisException e) {
        throw new Invalid("the SPDX library refused it: " + rootMessage(e));
      } catch (IOException e) {
        throw new Invalid("the SPDX library could not read it: " + rootMessage(e));
      } catch (RuntimeException e) {
        throw new Invalid("the SPDX library refused it: " + rootMessage(e));
      } catch (Exception e) {
        throw new Invalid("the SPDX library could not read it: " + rootMessage(e));
      }
    }
  }

  /**
   * Once: the SPDX library reads the licence list inside its jar, never the one on spdx.org (it would
   * otherwise try the network the first time it meets a licence).
   */
  private static void initSpdx() {
    if (!spdxReady) {
      System.setProperty("org.spdx.useJARLicenseInfoOnly", "true");
      SpdxModelFactory.init();
      spdxReady = true;
    }
  }

  private static String purl(Collection<ExternalRef> refs) throws InvalidSPDXAnalysisException {
    for (ExternalRef ref : refs) {
      String type = ref.getReferenceType().getIndividualURI();
      if (type != null && (type.equals("purl") || type.endsWith("/purl") || type.endsWith("#purl"))) {
        return ref.getReferenceLocator();
      }
    }
    return null;
  }

  private static String licence(AnyLicenseInfo declared, AnyLicenseInfo concluded) {
    for (AnyLicenseInfo l : new AnyLicenseInfo[] {declared, concluded}) {
      String text = l == null ? null : l.toString();
      if (text != null && !text.isBlank() && !text.equals("NOASSERTION") && !text.equals("NONE")) {
        return text;
      }
    }
    return null;
  }

  private static SbomComponent component(String name, String version, String purl, String licence) {
    return new SbomComponent(cut(name == null || name.isBlank() ? "(unnamed)" : name), cut(version), cut(purl),
        cut(licence));
  }

  private static String cut(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    return value.length() <= MAX_FIELD_LENGTH ? value : value.substring(0, MAX_FIELD_LENGTH - 1) + "…";
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    String message = e.getMessage();
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
      if (t.getMessage() != null) {
        message = t.getMessage();
      }
    }
    return message == null ? e.getClass().getSimpleName() : message.replaceAll("\\s+", " ").trim();
  }

  /** Reads at most {@code limit} bytes; more is refused without reading further. */
  static Optional<byte[]> readBounded(InputStream in, long limit) throws IOException {
    byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
    return bytes.length > limit ? Optional.empty() : Optional.of(bytes);
  }
}
