package io.gantry.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.api.TestSupport;
import io.gantry.testing.AdminToken;
import io.gantry.testing.ConsoleBrowser;
import io.gantry.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The base of the console's browser tests: one Gantry server on H2 shared by every browser test class of a
 * test JVM (same context, cached), set up through its real API with the first administrator's token, and
 * Debian's chromium to look at it. Browser tests run once, on H2: the pages read through the same services
 * whose storage the contract tests run on both databases. Each test makes names of its own
 * ({@link #unique}) since the server is shared.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
abstract class ConsoleBrowserTest {

  static final JsonMapper JSON = JsonMapper.builder().build();
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @LocalServerPort int port;
  @Value("${gantry.data-dir}") Path dataDir;

  @DynamicPropertySource
  static void oneServerOnH2(DynamicPropertyRegistry registry) throws Exception {
    TestSupport.register(registry, TestDatabase.H2);
  }

  String base() {
    return "http://127.0.0.1:" + port;
  }

  String admin() {
    return AdminToken.of(dataDir);
  }

  /** A new browser signed in with {@code token}; close it (try-with-resources). */
  ConsoleBrowser signedIn(String token) {
    ConsoleBrowser browser = ConsoleBrowser.open(base());
    try {
      return browser.signIn(token);
    } catch (RuntimeException e) {
      browser.close();
      throw e;
    }
  }

  static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** A person with its own API token. */
  record Person(String name, String token) {}

  /** A new user holding {@code roles} everywhere (none: bind it in scopes with {@link #bind}). */
  Person person(String... roles) throws Exception {
    String name = unique(roles.length == 0 ? "person" : roles[0]);
    Response created = call("POST", "/api/v1/users", admin(), Map.of("name", name, "roles", Arrays.asList(roles)));
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    String code = created.json().path("enrolment").path("code").asString();
    Response token = call("POST", "/api/v1/tokens", code, Map.of("name", "console"));
    assertThat(token.status()).as(token.text()).isEqualTo(201);
    return new Person(name, token.json().path("token").asString());
  }

  /** Binds {@code role} to the user in a scope: {@code where} is e.g. {@code Map.of("service", "shop")}. */
  void bind(String user, String role, Map<String, String> where) throws Exception {
    var body = new java.util.HashMap<String, Object>(where);
    body.put("user", user);
    body.put("role", role);
    Response bound = call("POST", "/api/v1/role-bindings", admin(), body);
    assertThat(bound.status()).as(bound.text()).isEqualTo(201);
  }

  /**
   * Every document applied so far on the shared server: an apply is the whole desired state, so each one
   * declares again what the tests before it declared (which it could not delete once versions exist).
   */
  private static final List<String> APPLIED = new java.util.ArrayList<>();

  /** Applies configuration documents (YAML, each one file) as the administrator, with those applied before. */
  void apply(String... documents) throws Exception {
    List<Map<String, String>> files = new java.util.ArrayList<>();
    synchronized (APPLIED) {
      APPLIED.addAll(Arrays.asList(documents));
      for (int i = 0; i < APPLIED.size(); i++) {
        files.add(Map.of("name", "doc" + i + ".yaml", "content", APPLIED.get(i)));
      }
    }
    Response applied = call("POST", "/api/v1/config/apply", admin(), Map.of("reason", "browser test", "files", files));
    assertThat(applied.status()).as(applied.text()).isEqualTo(200);
  }

  record Response(int status, String text) {
    JsonNode json() {
      return JSON.readTree(text);
    }
  }

  /** One call of the API over real HTTP; {@code body} is sent as JSON when not null. */
  Response call(String method, String path, String token, Object body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base() + path))
        .header("Authorization", "Bearer " + token)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    return new Response(response.statusCode(), response.body());
  }
}
