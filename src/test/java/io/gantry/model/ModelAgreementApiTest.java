package io.gantry.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.config.ConfigFiles;
import io.gantry.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The agreement of a model version over real HTTP with a user of each kind: the proposer, someone not named, the
 * owner and the reviewer; then the stakeholder's inbox and who may see the read receipts.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ModelAgreementApiTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final String MODEL = "in-house-software";

  @LocalServerPort int port;
  @Value("${gantry.data-dir}") Path dataDir;

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) throws Exception {
    for (String property : TestDatabase.H2.springProperties()) {
      int eq = property.indexOf('=');
      String value = property.substring(eq + 1);
      registry.add(property.substring(0, eq), () -> value);
    }
    Path dataDir = Files.createDirectories(Files.createTempDirectory("gantry-model-api-test").resolve("data"));
    registry.add("gantry.data-dir", dataDir::toString);
  }

  record Response(int status, String text) {
    JsonNode json() {
      return JSON.readTree(text);
    }
  }

  private Response send(String method, String path, String token, Object body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    return new Response(r.statusCode(), r.body());
  }

  private String user(String admin, String name, String role) throws Exception {
    String code = send("POST", "/api/v1/users", admin, Map.of("name", name, "roles", List.of(role))).json()
        .path("enrolment").path("code").asString();
    return send("POST", "/api/v1/tokens", code, Map.of("name", "t")).json().path("token").asString();
  }

  private Response apply(String admin, String timeout) throws Exception {
    List<Map<String, String>> files = ConfigFiles.read(Path.of("examples/config")).stream()
        .map(f -> Map.of("name", f.name(), "content", !f.name().endsWith(MODEL + ".yaml") ? f.content()
            : f.content().replace("spec:\n  appliesTo:", "spec:\n  owner: alice\n  reviewers: [bob]\n"
                + "  stakeholders: [user:erin]\n  appliesTo:").replace("smoke-test.sh, timeout: 1m",
                "smoke-test.sh, timeout: " + timeout))).toList();
    return send("POST", "/api/v1/config/apply", admin, Map.of("files", files, "reason", "timeout " + timeout));
  }

  private Response decide(String token, String decision, String comment) throws Exception {
    return send("POST", "/api/v1/models/" + MODEL + "/versions/2/agreement", token,
        Map.of("decision", decision, "comment", comment));
  }

  @Test
  void only_the_owner_and_reviewer_agree_a_proposal_never_its_proposer_and_the_stakeholder_reads_the_notice()
      throws Exception {
    String admin = io.gantry.testing.AdminToken.of(dataDir);
    String alice = user(admin, "alice", "deployment-manager");
    String bob = user(admin, "bob", "technical-specialist");
    String dave = user(admin, "dave", "deployment-practitioner");
    String erin = user(admin, "erin", "service-desk");
    assertThat(apply(admin, "1m").status()).isEqualTo(200);
    Response proposed = apply(admin, "5m");
    assertThat(proposed.status()).as(proposed.text()).isEqualTo(200);
    assertThat(proposed.json().path("notes").get(0).asString()).contains("version 2, proposed by admin");

    Response own = decide(admin, "agree", "mine");
    assertThat(own.status()).isEqualTo(403);
    assertThat(own.json().path("detail").asString()).contains("may not decide on their own proposal");
    Response outsider = decide(dave, "agree", "looks fine");
    assertThat(outsider.status()).isEqualTo(403);
    assertThat(outsider.json().path("detail").asString()).contains("dave is not one of them");
    assertThat(decide(alice, "maybe", "hm").status()).isEqualTo(422);
    assertThat(send("POST", "/api/v1/models/" + MODEL + "/versions/2/agreement", alice,
        Map.of("decision", "agree")).status()).isEqualTo(422);

    Response first = decide(alice, "agree", "reads well");
    assertThat(first.status()).as(first.text()).isEqualTo(200);
    assertThat(first.json().path("state").asString()).isEqualTo("proposed");
    assertThat(decide(alice, "agree", "again").status()).isEqualTo(409);
    Response last = decide(bob, "agree", "tested on staging");
    assertThat(last.status()).as(last.text()).isEqualTo(200);
    assertThat(last.json().path("state").asString()).isEqualTo("in-force");
    assertThat(last.json().path("inForceAt").isNull()).isFalse();

    JsonNode versions = send("GET", "/api/v1/models/" + MODEL + "/versions", dave, null).json();
    assertThat(versions.get(0).path("state").asString()).isEqualTo("in-force");
    assertThat(versions.get(0).path("decisions")).hasSize(2);
    assertThat(versions.get(1).path("state").asString()).isEqualTo("superseded");
    assertThat(send("GET", "/api/v1/models/" + MODEL, dave, null).json().path("currentVersion").asInt())
        .isEqualTo(2);

    JsonNode inbox = send("GET", "/api/v1/me/notices?unread=true", erin, null).json().path("items");
    assertThat(inbox).hasSize(2);
    JsonNode notice = inbox.get(0);
    assertThat(notice.path("version").asInt()).isEqualTo(2);
    assertThat(notice.path("diff").asString()).contains("timeout: 5m");
    assertThat(send("POST", "/api/v1/me/notices/" + notice.path("id").asLong() + "/read", dave, null).status())
        .isEqualTo(404);
    Response read = send("POST", "/api/v1/me/notices/" + notice.path("id").asLong() + "/read", erin, null);
    assertThat(read.json().path("readAt").isNull()).isFalse();

    assertThat(send("GET", "/api/v1/models/" + MODEL + "/versions/2/notices", dave, null).status())
        .isEqualTo(403);
    JsonNode receipts = send("GET", "/api/v1/models/" + MODEL + "/versions/2/notices", alice, null).json();
    assertThat(receipts).anySatisfy(r -> {
      assertThat(r.path("user").asString()).isEqualTo("erin");
      assertThat(r.path("readAt").isNull()).isFalse();
    });
  }
}
