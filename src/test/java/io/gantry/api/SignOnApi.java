package io.gantry.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Calls to a Gantry server over real HTTP for the single sign-on tests, with its first administrator's token. */
record SignOnApi(int port, String admin) {

  static final JsonMapper JSON = JsonMapper.builder().build();
  static final HttpClient HTTP = HttpClient.newHttpClient();

  /** A user made by the first administrator, which makes its first API token with its enrolment code. */
  /** A user holding no role of its own. */
  String newUser() throws Exception {
    return newUser("person", List.of());
  }

  String newUser(String role) throws Exception {
    return newUser(role, List.of(role));
  }

  private String newUser(String prefix, List<String> roles) throws Exception {
    String name = prefix + "-" + suffix();
    Response created = post("/api/v1/users", admin, Map.of("name", name, "roles", roles));
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    String code = created.json().path("enrolment").path("code").asString();
    Response token = post("/api/v1/tokens", code, Map.of("name", "first"));
    assertThat(token.status()).as(token.text()).isEqualTo(201);
    assertThat(get("/api/v1/users/me", token.json().path("token").asString()).status()).isEqualTo(200);
    return name;
  }

  List<String> userNames() throws Exception {
    Response users = get("/api/v1/users?size=500", admin);
    assertThat(users.status()).as(users.text()).isEqualTo(200);
    return users.json().path("items").valueStream().map(u -> u.path("name").asString()).toList();
  }

  static String suffix() {
    return UUID.randomUUID().toString().substring(0, 8);
  }

  record Response(int status, String text) {
    JsonNode json() {
      return JSON.readTree(text);
    }
  }

  Response get(String path, String token) throws Exception {
    return send(HttpRequest.newBuilder(uri(path)).GET(), token);
  }

  Response post(String path, String token, Object body) throws Exception {
    return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))), token);
  }

  Response patch(String path, String token, Object body) throws Exception {
    return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
        .method("PATCH", HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))), token);
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  static Response send(HttpRequest.Builder builder, String token) throws Exception {
    builder.header("Authorization", "Bearer " + token);
    HttpResponse<String> r = HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    return new Response(r.statusCode(), r.body());
  }

  /** A 401 problem document whose detail gives the reason. */
  static void assertRefused(Response response, String reason) {
    assertThat(response.status()).as(response.text()).isEqualTo(401);
    assertThat(response.json().path("title").asString()).isEqualTo("Unauthenticated");
    assertThat(response.json().path("detail").asString()).contains(reason);
  }
}
