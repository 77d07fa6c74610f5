package io.gantry.cli;

import io.gantry.shared.BlockingHttp;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.MissingNode;

/**
 * The REST API at {@code <server>/api/v1}: JSON in and out, every page of a list, and every error
 * answer turned into a {@link CliException} with the exit code of its status.
 */
final class ApiClient {

  static final JsonMapper JSON = JsonMapper.builder().build();
  static final int PAGE_SIZE = 500;

  private static final Duration CONNECT = Duration.ofSeconds(10);

  private final Settings settings;
  /** For uploads and PATCH only, made when first needed: see {@link io.gantry.shared.BlockingHttp}. */
  private HttpClient http;

  ApiClient(Settings settings) {
    this.settings = settings;
  }

  private HttpClient http() {
    if (http == null) {
      HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT);
      if (settings.server().regionMatches(true, 0, "http://", 0, 7)) {
        builder.sslContext(trustingNothing());
      }
      http = builder.build();
    }
    return http;
  }

  /** The JSON mapper that indents, made when first output asks for it. */
  static JsonMapper pretty() {
    return Pretty.MAPPER;
  }

  private static final class Pretty {
    static final JsonMapper MAPPER = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
  }

  /**
   * For a server over plain HTTP, the HTTP client's TLS context: one that trusts no certificate, made without
   * reading the JDK's store of them (which the default context parses whole, a sixth of a client command's
   * time). Nothing is sent over TLS to such a server, and were it ever asked to, it would refuse every certificate.
   */
  private static SSLContext trustingNothing() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(new KeyManager[0], new TrustManager[0], null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no TLS in this JDK", e);
    }
  }

  String server() {
    return settings.server();
  }

  JsonNode get(String path, Map<String, String> query) {
    return plain("GET", path + queryString(query), null);
  }

  JsonNode get(String path) {
    return get(path, Map.of());
  }

  /** Every item of a paginated list (or of a plain JSON array, should the server answer one). */
  List<JsonNode> getAll(String path, Map<String, String> query) {
    List<JsonNode> items = new ArrayList<>();
    for (int page = 0; ; page++) {
      Map<String, String> pageQuery = new LinkedHashMap<>(query);
      pageQuery.put("page", Integer.toString(page));
      pageQuery.put("size", Integer.toString(PAGE_SIZE));
      JsonNode answer = get(path, pageQuery);
      if (answer.isArray()) {
        answer.forEach(items::add);
        return items;
      }
      JsonNode pageItems = answer.path("items");
      pageItems.forEach(items::add);
      long total = answer.path("total").asLong(items.size());
      if (pageItems.isEmpty() || items.size() >= total) {
        return items;
      }
    }
  }

  /** A GET answered with text rather than JSON (e.g. {@code text/calendar}); errors as for every call. */
  String getText(String path, Map<String, String> query, String accept) {
    return new String(getBytes(path, query, accept), StandardCharsets.UTF_8);
  }

  /** A GET answered with bytes of the type {@code accept} (e.g. {@code application/pdf}); errors as for every call. */
  byte[] getBytes(String path, Map<String, String> query, String accept) {
    return call("GET", path + queryString(query), accept + ", application/problem+json", null);
  }

  /**
   * One server-sent event: its name ({@code message} when the server gave none), its id (null when none), its data;
   * or a comment line (a server's heartbeat), its name null and the comment as its data.
   */
  record ServerEvent(String name, String id, String data) {

    boolean comment() {
      return name == null;
    }
  }

  /**
   * Reads the server-sent events of {@code GET path} (after {@code lastEventId}, sent as {@code Last-Event-ID}
   * when not null), handing each to {@code each}, until the server ends the stream. Answers false, reading nothing,
   * when the server answers 404 (a server without such a stream); throws for any other answer but 2xx, and
   * {@link IOException} when the connection cannot be made or drops.
   */
  boolean stream(String path, Map<String, String> query, String lastEventId, Consumer<ServerEvent> each)
      throws IOException {
    Map<String, String> extra = lastEventId == null ? Map.of() : Map.of("Last-Event-ID", lastEventId);
    HttpURLConnection connection = open(URI.create(settings.server() + "/api/v1" + path + queryString(query)), "GET",
        "text/event-stream, application/problem+json", null, null, extra);
    int status = connection.getResponseCode();
    if (status == 404) {
      BlockingHttp.body(connection);
      return false;
    }
    if (status / 100 != 2) {
      throw failure(status, new String(BlockingHttp.body(connection), StandardCharsets.UTF_8));
    }
    try (var reader = new java.io.BufferedReader(new java.io.InputStreamReader(connection.getInputStream(),
        StandardCharsets.UTF_8))) {
      String name = null;
      String id = null;
      StringBuilder data = null;
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        if (line.isEmpty()) {
          if (data != null) {
            each.accept(new ServerEvent(name == null ? "message" : name, id, data.toString()));
          }
          name = null;
          data = null;
          continue;
        }
        if (line.startsWith(":")) {
          each.accept(new ServerEvent(null, null, line.substring(1)));
          continue;
        }
        int colon = line.indexOf(':');
        String field = colon < 0 ? line : line.substring(0, colon);
        String value = colon < 0 ? "" : line.substring(line.startsWith(" ", colon + 1) ? colon + 2 : colon + 1);
        switch (field) {
          case "event" -> name = value;
          case "id" -> id = value;
          case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
          default -> { }
        }
      }
      return true;
    }
  }

  JsonNode post(String path, Object body) {
    return plain("POST", path, JSON.writeValueAsBytes(body));
  }

  JsonNode put(String path, Object body) {
    return plain("PUT", path, JSON.writeValueAsBytes(body));
  }

  JsonNode delete(String path) {
    return plain("DELETE", path, null);
  }

  /** One call with a JSON body (none when null); answers the JSON of a 2xx answer, throws for any other. */
  private JsonNode plain(String method, String path, byte[] json) {
    return parse(new String(call(method, path, "application/json, application/problem+json", json),
        StandardCharsets.UTF_8));
  }

  /** One call with a JSON body (none when null); answers the body of a 2xx answer, throws for any other. */
  private byte[] call(String method, String path, String accept, byte[] json) {
    URI uri = URI.create(settings.server() + "/api/v1" + path);
    try {
      HttpURLConnection connection = open(uri, method, accept, json == null ? null : "application/json", json,
          Map.of());
      int status = connection.getResponseCode();
      byte[] body = BlockingHttp.body(connection);
      if (status / 100 == 2) {
        return body;
      }
      if (status == 401 && json != null && body.length == 0) {
        // the JDK keeps no body of a 401 to a request whose body it streamed: a read with the same token says why
        HttpURLConnection read = open(URI.create(settings.server() + "/api/v1/users/me"), "GET",
            "application/json, application/problem+json", null, null, Map.of());
        byte[] why = BlockingHttp.body(read);
        body = read.getResponseCode() == 401 ? why : body;
      }
      throw failure(status, new String(body, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw failed(method, uri, e, null);
    }
  }

  private HttpURLConnection open(URI uri, String method, String accept, String contentType, byte[] body,
      Map<String, String> extra) throws IOException {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Accept", accept);
    headers.put("User-Agent", "gantry-cli");
    if (contentType != null) {
      headers.put("Content-Type", contentType);
    }
    if (settings.token() != null) {
      headers.put("Authorization", "Bearer " + settings.token());
    }
    headers.putAll(extra);
    return BlockingHttp.open(uri, method, headers, body, CONNECT, null, null);
  }

  /** The error of a call that got no answer: the server not reached, or the exchange cut. */
  private CliException failed(String method, URI uri, IOException e, String contentType) {
    if (BlockingHttp.notReached(e) || e instanceof HttpConnectTimeoutException) {
      return unreachable();
    }
    List<String> hint = contentType != null && contentType.startsWith("multipart/")
        ? List.of("If the upload is large, the server may have refused it for its size (GANTRY_MAX_UPLOAD).")
        : List.of();
    return new CliException(ExitCode.UNEXPECTED, method + " " + uri + " failed: " + e, hint);
  }

  JsonNode send(String method, String path, String contentType, BodyPublisher body) {
    return exchange(method, path, contentType, body).body();
  }

  /**
   * Sends one request with a body of its own (an upload, or a method {@link io.gantry.shared.BlockingHttp} does not
   * know); answers the status and JSON body of a 2xx answer, throws for any other.
   */
  Answer exchange(String method, String path, String contentType, BodyPublisher body) {
    URI uri = URI.create(settings.server() + "/api/v1" + path);
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).method(method, body)
        .header("Accept", "application/json, application/problem+json")
        .header("User-Agent", "gantry-cli");
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    if (settings.token() != null) {
      request.header("Authorization", "Bearer " + settings.token());
    }
    HttpResponse<String> response;
    try {
      response = http().send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw failed(method, uri, e, contentType);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException(ExitCode.UNEXPECTED, "interrupted");
    }
    int status = response.statusCode();
    if (status / 100 == 2) {
      return new Answer(status, parse(response.body()));
    }
    throw failure(status, response.body());
  }

  record Answer(int status, JsonNode body) {}

  private CliException unreachable() {
    return new CliException(ExitCode.UNREACHABLE, "cannot reach the Gantry server at " + settings.server()
        + " (connection refused)",
        List.of("Start one with ./gantry up, or name another with --server or GANTRY_SERVER."));
  }

  private CliException failure(int status, String body) {
    JsonNode problem = parse(body);
    List<String> details = new ArrayList<>();
    String message;
    if (problem.isObject() && (problem.has("title") || problem.has("detail"))) {
      String title = problem.path("title").asString("HTTP " + status);
      String detail = problem.path("detail").asString("");
      message = title + (detail.isBlank() || detail.equals(title) ? "" : ": " + detail) + " (HTTP " + status + ")";
      problem.path("errors").forEach(error -> details.add(describeError(error)));
    } else {
      String text = body == null ? "" : body.strip();
      message = "HTTP " + status + " from " + settings.server()
          + (text.isEmpty() ? "" : ": " + (text.length() > 300 ? text.substring(0, 300) + "..." : text));
    }
    if (status == 401) {
      details.add(settings.token() == null
          ? "No token was given: pass --token, set GANTRY_TOKEN, or put token/tokenFile in the config file. "
              + "(The server removes ./data/admin.token once its administrator has a token of its own.)"
          : "The token from " + settings.tokenSource() + " was refused (unknown, expired, revoked, or its user "
              + "is disabled).");
    }
    return new CliException(ExitCode.forStatus(status), message, details);
  }

  /** One entry of a problem's {@code errors}: {@code file:line:column: field: message}, missing parts left out. */
  static String describeError(JsonNode error) {
    StringBuilder line = new StringBuilder();
    String file = error.path("file").asString("");
    if (!file.isBlank()) {
      line.append(file);
      int lineNumber = error.path("line").asInt(0);
      if (lineNumber > 0) {
        line.append(':').append(lineNumber);
        int column = error.path("column").asInt(0);
        if (column > 0) {
          line.append(':').append(column);
        }
      }
      line.append(": ");
    }
    String field = error.path("field").asString("");
    if (!field.isBlank()) {
      line.append(field).append(": ");
    }
    line.append(error.path("message").asString(""));
    return line.toString();
  }

  private static JsonNode parse(String body) {
    if (body == null || body.isBlank()) {
      return MissingNode.getInstance();
    }
    try {
      return JSON.readTree(body);
    } catch (JacksonException e) {
      return MissingNode.getInstance();
    }
  }

  /** One path segment, percent-encoded (versions may hold '+'). */
  static String segment(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String queryString(Map<String, String> query) {
    if (query.isEmpty()) {
      return "";
    }
    return query.entrySet().stream()
        .map(e -> segment(e.getKey()) + "=" + segment(e.getValue()))
        .collect(Collectors.joining("&", "?", ""));
  }
}
