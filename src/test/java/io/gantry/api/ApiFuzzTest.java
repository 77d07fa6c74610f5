package io.gantry.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.config.ConfigFiles;
import io.gantry.testing.BadInputs;
import io.gantry.testing.TestDatabase;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.MethodParameter;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.RequestMappingInfoHandlerMapping;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Bad requests generated for every endpoint the server maps under /api/v1 (JSON bodies with a field
 * of a type it cannot take, path and query values no record has, broken JSON, wrong content types,
 * multipart uploads with bad manifests and file names) sent over real HTTP as the first deployment
 * manager: none is answered with a 5xx or accepted, every 400 and 422 names the field (or the file
 * and place), and afterwards every table holds as many rows as before and the library the same files.
 * Run once, on H2: what is tested is the web layer's answer to input, not the database.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"spring.servlet.multipart.max-file-size=64KB", "spring.servlet.multipart.max-request-size=64KB",
        "gantry.api.max-body=256KB"})
class ApiFuzzTest {

  static final int REQUESTS = 700;
  static final JsonMapper JSON = JsonMapper.builder().build();
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) throws Exception {
    TestSupport.register(registry, TestDatabase.H2);
  }

  @LocalServerPort int port;
  @Autowired Map<String, RequestMappingInfoHandlerMapping> handlerMappings;
  @Autowired JdbcClient jdbc;
  @Value("${gantry.data-dir}") Path dataDir;

  record Endpoint(String method, String pattern, HandlerMethod handler) {
    boolean multipart(RequestMappingInfo info) {
      return false;
    }
  }

  record Sent(String what, int status, String body) {}

  @Test
  void bad_requests_to_every_endpoint_are_refused_naming_the_field_and_change_nothing() throws Exception {
    String admin = io.gantry.testing.AdminToken.of(dataDir);
    List<Map<String, String>> examples = ConfigFiles.read(Path.of("examples/config")).stream()
        .map(f -> Map.of("name", f.name(), "content", f.content())).toList();
    Sent applied = send(admin, "POST", "/api/v1/config/apply", "application/json",
        JSON.writeValueAsString(Map.of("files", examples, "reason", "fuzz set-up")));
    assertThat(applied.status()).as(applied.body()).isEqualTo(200);

    List<Endpoint> endpoints = endpoints();
    assertThat(endpoints).hasSizeGreaterThan(80);
    Map<String, Long> rowsBefore = rowCounts();
    List<String> filesBefore = libraryFiles();
    BadInputs bad = new BadInputs();
    List<String> problems = new ArrayList<>();

    for (int i = 0; i < REQUESTS; i++) {
      Endpoint endpoint = endpoints.get(i % endpoints.size());
      Sent sent = i % endpoints.size() == 0 && i > 0 && bad.chance(0.2)
          ? send(null, endpoint.method(), path(endpoint, bad), null, null)
          : fuzz(endpoint, admin, bad);
      String problem = problem(endpoint, sent);
      if (problem != null) {
        problems.add(problem);
      }
    }

    var softly = new org.assertj.core.api.SoftAssertions();
    softly.assertThat(problems).as("bad requests answered wrongly (%s)", bad.replay()).isEmpty();
    softly.assertThat(rowCounts()).as("row counts (%s)", bad.replay()).isEqualTo(rowsBefore);
    softly.assertThat(libraryFiles()).as("library files (%s)", bad.replay()).isEqualTo(filesBefore);
    softly.assertAll();
  }

  /** What is wrong with the answer to a bad request, or null. */
  private static String problem(Endpoint endpoint, Sent sent) {
    String where = endpoint.method() + " " + endpoint.pattern() + " as " + sent.what() + ": " + sent.status() + " "
        + abbreviate(sent.body());
    if (sent.status() >= 500) {
      return "server error: " + where;
    }
    if (sent.status() < 400 && !endpoint.method().equals("GET")) {
      return "accepted: " + where;
    }
    if (sent.status() == 400 || sent.status() == 422) {
      JsonNode errors;
      try {
        errors = JSON.readTree(sent.body()).path("errors");
      } catch (RuntimeException e) {
        return "not a problem document: " + where;
      }
      if (!errors.isArray() || errors.isEmpty()) {
        return "no errors listed: " + where;
      }
      for (JsonNode error : errors) {
        if (error.path("field").asString("").isBlank() && error.path("file").asString("").isBlank()) {
          return "an error names no field: " + where;
        }
      }
    }
    return null;
  }

  private Sent fuzz(Endpoint endpoint, String token, BadInputs bad) throws Exception {
    HandlerMethod handler = endpoint.handler();
    MethodParameter body = null;
    boolean multipart = false;
    Map<String, String> query = new TreeMap<>();
    for (MethodParameter p : handler.getMethodParameters()) {
      if (p.hasParameterAnnotation(RequestBody.class)) {
        body = p;
      } else if (p.hasParameterAnnotation(RequestPart.class)) {
        multipart = true;
      } else if (p.hasParameterAnnotation(RequestParam.class) && bad.chance(0.7)) {
        RequestParam param = p.getParameterAnnotation(RequestParam.class);
        String name = param.name().isEmpty() ? param.value().isEmpty() ? p.getParameterName() : param.value()
            : param.name();
        if (name != null) {
          query.put(name, badScalar(p.getParameterType(), bad));
        }
      }
    }
    String path = path(endpoint, bad);
    if (!query.isEmpty()) {
      path += "?" + String.join("&", query.entrySet().stream().map(e -> e.getKey() + "="
          + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).toList());
    }
    if (multipart) {
      return multipart(token, endpoint.method(), path, bad);
    }
    if (body == null) {
      return send(token, endpoint.method(), path, null, null);
    }
    return switch (bad.random().nextInt(9)) {
      case 0 -> send(token, endpoint.method(), path, "application/json", bad.oneOf("{", "[", "{\"a\":", "nul", "\"x",
          "{\"a\" 1}", "{" + "[".repeat(3000), "\u0000", "{}}", "{'single': 1}"));
      case 1 -> send(token, endpoint.method(), path, bad.oneOf("text/plain", "application/xml",
          "application/x-www-form-urlencoded", "image/png"), "x=1");
      case 2 -> send(token, endpoint.method(), path, "application/json",
          JSON.writeValueAsString(overLong(body.getParameterType(), bad)));
      default -> send(token, endpoint.method(), path, "application/json",
          JSON.writeValueAsString(badObject(body.getParameterType(), bad, 0)));
    };
  }

  /** An object of the body's fields with random values and at least one field of a type it cannot take. */
  private static Object badObject(Class<?> type, BadInputs bad, int depth) {
    Map<String, Object> fields = new LinkedHashMap<>();
    RecordComponent[] components = type.isRecord() ? type.getRecordComponents() : new RecordComponent[0];
    if (components.length == 0) {
      return List.of(Map.of("unexpected", bad.text()));
    }
    for (RecordComponent c : components) {
      if (bad.chance(0.7)) {
        fields.put(c.getName(), plausible(c.getType(), c.getGenericType(), bad, depth));
      }
    }
    RecordComponent wrong = components[bad.random().nextInt(components.length)];
    fields.put(wrong.getName(), wrongType(wrong.getType(), bad));
    return fields;
  }

  /**
   * An object whose fields all have their own types, one text longer than any the server keeps (so
   * that only a length check, not the JSON reader, can refuse it); without a text field, a bad one.
   */
  private static Object overLong(Class<?> type, BadInputs bad) {
    List<RecordComponent> texts = type.isRecord() ? java.util.Arrays.stream(type.getRecordComponents())
        .filter(c -> c.getType() == String.class).toList() : List.of();
    if (texts.isEmpty()) {
      return badObject(type, bad, 0);
    }
    Map<String, Object> fields = new LinkedHashMap<>();
    for (RecordComponent c : type.getRecordComponents()) {
      if (bad.chance(0.7)) {
        fields.put(c.getName(), plausible(c.getType(), c.getGenericType(), bad, 0));
      }
    }
    fields.put(bad.oneOf(texts).getName(), "x".repeat(20_001));
    return fields;
  }

  /** A value of the field's own type, though random: long, odd or at the edges. */
  private static Object plausible(Class<?> type, Type generic, BadInputs bad, int depth) {
    if (bad.chance(0.1)) {
      return null;
    }
    if (type == String.class) {
      return bad.text();
    }
    if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
      return bad.oneOf(-1, 0, Integer.MAX_VALUE, Integer.MIN_VALUE, Long.MAX_VALUE, 1_000_000);
    }
    if (type == Boolean.class || type == boolean.class) {
      return bad.chance(0.5);
    }
    if (type == java.time.Instant.class) {
      return bad.oneOf("1970-01-01T00:00:00Z", "+999999999-12-31T23:59:59Z", "2001-01-01T00:00:00Z",
          "9999-12-31T23:59:59Z");
    }
    if (List.class.isAssignableFrom(type)) {
      Class<?> element = elementType(generic);
      return bad.listOf(0, bad.chance(0.1) ? 300 : 4, () -> element.isRecord() && depth < 2
          ? badObject(element, bad, depth + 1) : element == String.class ? bad.text() : bad.number());
    }
    if (Map.class.isAssignableFrom(type)) {
      return Map.of(bad.text(), bad.text());
    }
    if (type.isRecord() && depth < 2) {
      return badObject(type, bad, depth + 1);
    }
    return bad.text();
  }

  /** A value the field's type cannot be read from. */
  private static Object wrongType(Class<?> type, BadInputs bad) {
    if (type == String.class || type.isRecord() || Map.class.isAssignableFrom(type)) {
      return bad.oneOf(List.of(1, 2), List.of(), (Object) List.of(Map.of()));
    }
    if (List.class.isAssignableFrom(type)) {
      return Map.of("not", "a list");
    }
    if (type == Boolean.class || type == boolean.class) {
      return bad.oneOf("maybe", Map.of(), List.of(true));
    }
    return bad.oneOf("not a " + type.getSimpleName(), Map.of("a", 1), List.of(1));
  }

  private static String badScalar(Class<?> type, BadInputs bad) {
    if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
      return bad.oneOf("-1", "0", "-2147483648", "2147483647", "9223372036854775807", "99999999999999999999", "1.5",
          "abc", "", " 1");
    }
    if (type == boolean.class || type == Boolean.class) {
      return bad.oneOf("maybe", "", "2", "yes please");
    }
    return bad.text();
  }

  /** The endpoint's path with each variable a value no record has. */
  private static String path(Endpoint endpoint, BadInputs bad) {
    String pattern = endpoint.pattern().replace("/**", "/" + bad.oneOf("a/b", "..%2F..%2Fetc%2Fpasswd", "x%00",
        "%C3%A9"));
    StringBuilder path = new StringBuilder();
    var matcher = java.util.regex.Pattern.compile("\\{[^}]*}").matcher(pattern);
    while (matcher.find()) {
      String value = bad.oneOf("0", "-1", "9223372036854775807", "99999999999999999999", "abc", "..", "%2e%2e",
          "x".repeat(bad.between(64, 3000)), "%00", "%C3%A9t%C3%A9", "a%2Fb", "%F0%9F%98%80", "1.5", "nope-" + UUID
              .randomUUID(), "%20", "null");
      matcher.appendReplacement(path, java.util.regex.Matcher.quoteReplacement(value));
    }
    matcher.appendTail(path);
    return path.toString();
  }

  private Sent multipart(String token, String method, String path, BadInputs bad) throws Exception {
    String boundary = "fuzz" + UUID.randomUUID();
    StringBuilder body = new StringBuilder();
    // half the uploads go to a component that exists, with a manifest or files that are wrong
    String target = bad.chance(0.5) && path.contains("/components/")
        ? path.replaceFirst("/services/[^/]+/components/[^/?]+", "/services/shop/components/web") : path;
    Object manifest = bad.oneOf(
        Map.of("version", bad.text()),
        Map.of("version", "1.0.0", "attributes", Map.of(bad.text(), bad.text())),
        Map.of("version", "1.0.0", "external", List.of(Map.of("path", bad.text(), "url", bad.text(),
            "digest", bad.text()))),
        Map.of("version", List.of(1)), Map.of("unknown", 1), "not json {", List.of());
    if (bad.chance(0.9)) {
      body.append("--").append(boundary).append("\r\nContent-Disposition: form-data; name=\"")
          .append(bad.oneOf("manifest", "target", "step", "file", bad.text().replace("\"", ""))).append("\"\r\n")
          .append("Content-Type: application/json\r\n\r\n")
          .append(manifest instanceof String s ? s : JSON.writeValueAsString(manifest)).append("\r\n");
    }
    for (int i = bad.between(0, 3); i > 0; i--) {
      String name = bad.oneOf("../../escape.sh", "/abs/path", "a\\b", "", ".", "dup.sh", "x".repeat(600), "bom.json",
          "ok.sh").replace("\"", "");
      String content = name.equals("bom.json") ? "{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"9\"}"
          : bad.chance(0.1) ? "x".repeat(70 * 1024) : bad.text();
      body.append("--").append(boundary).append("\r\nContent-Disposition: form-data; name=\"")
          .append(bad.oneOf("artifact", "file")).append("\"; filename=\"").append(name).append("\"\r\n")
          .append("Content-Type: application/octet-stream\r\n\r\n").append(content).append("\r\n");
    }
    body.append(bad.chance(0.9) ? "--" + boundary + "--\r\n" : "--" + boundary);
    return send(token, method, target, bad.chance(0.9) ? "multipart/form-data; boundary=" + boundary
        : "multipart/form-data", body.toString());
  }

  private Sent send(String token, String method, String path, String contentType, String body) throws Exception {
    URI uri;
    try {
      uri = URI.create("http://127.0.0.1:" + port + path);
    } catch (IllegalArgumentException e) {
      uri = URI.create("http://127.0.0.1:" + port + path.replaceAll("[^A-Za-z0-9/?&=%._-]", "_"));
    }
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    HttpResponse<String> answer = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    String what = method + " " + abbreviate(path) + (body == null ? "" : " " + abbreviate(body));
    return new Sent(what, answer.statusCode(), answer.body());
  }

  /** Whether the handler reads anything of the request: its path, parameters, headers, body or parts. */
  private static boolean takesInput(HandlerMethod handler) {
    for (var parameter : handler.getMethodParameters()) {
      if (parameter.hasParameterAnnotations()
          || jakarta.servlet.http.HttpServletRequest.class.isAssignableFrom(parameter.getParameterType())) {
        return true;
      }
    }
    return false;
  }

  private List<Endpoint> endpoints() {
    List<Endpoint> endpoints = new ArrayList<>();
    handlerMappings.values().forEach(mapping -> mapping.getHandlerMethods().forEach((info, handler) -> {
      for (String pattern : info.getPatternValues()) {
        if (!pattern.startsWith("/api/v1")) {
          continue;
        }
        if (!takesInput(handler)) {
          continue; // nothing in the request it reads can be wrong (e.g. POST /secrets/rotate)
        }
        var methods = info.getMethodsCondition().getMethods();
        for (RequestMethod method : methods.isEmpty() ? List.of(RequestMethod.GET) : methods) {
          endpoints.add(new Endpoint(method.name(), pattern, handler));
        }
      }
    }));
    endpoints.sort(java.util.Comparator.comparing(e -> e.method() + " " + e.pattern()));
    return endpoints;
  }

  /**
   * Rows per table; the trigger sweep's own watermark and the audit chain's tables are left out: they
   * move on their schedule, not on requests (a history row a request wrote still shows in its own table).
   */
  private Map<String, Long> rowCounts() {
    Map<String, Long> counts = new TreeMap<>();
    for (String table : jdbc.sql("select table_name from information_schema.tables where table_schema = "
        + "current_schema() and table_type in ('BASE TABLE', 'TABLE')").query(String.class).list()) {
      if (table.equalsIgnoreCase("trigger_watermarks") || table.toLowerCase(java.util.Locale.ROOT).startsWith("audit_")) {
        continue;
      }
      counts.put(table, jdbc.sql("select count(*) from \"" + table + "\"").query(Long.class).single());
    }
    return counts;
  }

  private List<String> libraryFiles() throws Exception {
    Path dml = dataDir.resolve("dml");
    if (!Files.isDirectory(dml)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(dml)) {
      return files.filter(Files::isRegularFile).map(f -> dml.relativize(f).toString()).sorted().toList();
    }
  }

  private static Class<?> elementType(Type generic) {
    if (generic instanceof ParameterizedType p && p.getActualTypeArguments()[0] instanceof Class<?> c) {
      return c;
    }
    if (generic instanceof ParameterizedType p && p.getActualTypeArguments()[0] instanceof ParameterizedType inner) {
      return (Class<?>) inner.getRawType();
    }
    return String.class;
  }

  private static String abbreviate(String s) {
    String printable = s == null ? "" : s.replaceAll("\\p{Cntrl}", "?");
    return printable.length() > 200 ? printable.substring(0, 200) + "...(" + s.length() + ")" : printable;
  }
}
