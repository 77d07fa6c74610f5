package io.gantry.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.gantry.client.ApiClient;
import io.gantry.client.ApiException;
import io.gantry.client.api.ConfigurationApi;
import io.gantry.client.api.DeploymentsApi;
import io.gantry.client.api.EnvironmentsApi;
import io.gantry.client.model.ApplyRequest;
import io.gantry.client.model.EnvironmentView;
import io.gantry.client.model.FileBody;
import io.gantry.client.model.ProblemDocument;
import io.gantry.config.ConfigFiles;
import io.gantry.testing.TestDatabase;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The API's contract: the OpenAPI document a running server serves passes Redocly's recommended rules
 * without an error or a warning, is the one committed as {@code api/openapi.json} (from which the build
 * generates a Java client), and that client works against the server.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class OpenApiDocumentTest {

  static final Path COMMITTED = Path.of("api/openapi.json");
  /** Set (-Dgantry.openapi.refresh=true) to write the served document over the committed one. */
  static final String REFRESH = "gantry.openapi.refresh";
  static final String REFRESH_COMMAND = "./mvnw -q test -Dtest=OpenApiDocumentTest -D" + REFRESH + "=true";
  static final String REDOCLY_VERSION = "2.77.0";
  static final Path REDOCLY_HOME = Path.of("target/redocly-cli-" + REDOCLY_VERSION);

  static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) throws Exception {
    TestSupport.register(registry, TestDatabase.H2);
  }

  @LocalServerPort int port;
  @Value("${gantry.data-dir}") Path dataDir;

  String served() throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/openapi")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return response.body();
  }

  @Test
  void the_served_document_passes_redocly_lint_with_the_recommended_rules_without_errors_or_warnings()
      throws Exception {
    Path document = Files.createDirectories(Path.of("target/openapi")).resolve("served.json");
    Files.writeString(document, served());

    Run lint = run(List.of(redocly().toString(), "lint", document.toString(), "--extends=recommended",
        "--format=stylish", "--max-problems=1000"));

    // errors fail the run; warnings only show in the listing and the summary
    assertThat(lint.exit()).as("redocly lint found errors:%n%s", lint.output()).isZero();
    assertThat(lint.output()).as("redocly lint found warnings:%n%s", lint.output())
        .contains("Your API description is valid")
        .doesNotContainPattern("(?m)^\\s*\\d+:\\d+\\s+(error|warning)\\s")
        .doesNotContainPattern("You have \\d+ warnings?");
  }

  @Test
  void the_served_document_is_the_committed_one() throws Exception {
    JsonNode served = JSON.readTree(served());
    if (Boolean.getBoolean(REFRESH)) {
      Files.writeString(COMMITTED, JSON.writeValueAsString(served) + "\n");
    }
    assertThat(Files.exists(COMMITTED)).as("%s is missing; write it with: %s", COMMITTED, REFRESH_COMMAND).isTrue();
    JsonNode committed = JSON.readTree(Files.readString(COMMITTED));

    assertThat(served).as("the API the server serves differs from %s (first difference: %s); if the change is "
        + "meant, refresh it with%n  %s%nand commit it", COMMITTED, firstDifference("", committed, served),
        REFRESH_COMMAND).isEqualTo(committed);
  }

  @Test
  void the_document_states_the_build_version_the_licence_and_the_bearer_token() throws Exception {
    JsonNode document = JSON.readTree(served());
    Matcher version = Pattern.compile("<artifactId>gantry</artifactId>\\s*<version>([^<]+)</version>")
        .matcher(Files.readString(Path.of("pom.xml")));
    assertThat(version.find()).isTrue();

    assertThat(document.at("/info/title").asString()).isEqualTo("Gantry API");
    assertThat(document.at("/info/version").asString()).isEqualTo(version.group(1));
    assertThat(document.at("/info/license/name").asString()).isNotBlank().doesNotContain("@");
    assertThat(document.at("/components/securitySchemes/apiToken/scheme").asString()).isEqualTo("bearer");
    assertThat(document.at("/security/0/apiToken").isArray()).isTrue();
  }

  @Test
  void each_operation_declares_the_problems_its_code_can_answer_and_no_others() throws Exception {
    JsonNode paths = JSON.readTree(served()).path("paths");

    JsonNode health = paths.at("/~1api~1v1~1health/get");
    assertThat(health.path("security").isArray() && health.path("security").isEmpty()).isTrue();
    assertThat(codes(health)).doesNotContain("401", "403", "404");

    // every signed-in user reads its own identity: no role to lack, nothing to look up that may be missing
    assertThat(codes(paths.at("/~1api~1v1~1users~1me/get"))).contains("401").doesNotContain("403", "404", "409",
        "422");
    // a supplier may not list environments; one environment may not exist or be outside a scoped role
    assertThat(codes(paths.at("/~1api~1v1~1environments~1{name}/get"))).contains("401", "403", "404")
        .doesNotContain("409", "413", "415");
    assertThat(codes(paths.at("/~1api~1v1~1deployments/post")))
        .contains("400", "401", "403", "404", "409", "413", "415", "422", "500");
    assertThat(paths.at("/~1api~1v1~1deployments~1{id}/get/responses/404/$ref").asString())
        .isEqualTo("#/components/responses/NotFound");
    assertThat(paths.at("/~1api~1v1~1deployments~1{id}/get/operationId").asString()).isEqualTo("getDeployment");
  }

  @Test
  void each_operation_documents_the_success_statuses_its_code_answers_with() throws Exception {
    JsonNode paths = JSON.readTree(served()).path("paths");

    assertThat(successes(paths.at("/~1api~1v1~1deployments/post"))).containsExactly("201");
    assertThat(successes(paths.at("/~1api~1v1~1deployments~1{id}/get"))).containsExactly("200");
    assertThat(successes(paths.at("/~1api~1v1~1deployments~1{id}~1abort/post"))).containsExactly("202");
    assertThat(successes(paths.at("/~1api~1v1~1secrets~1{name}/delete"))).containsExactly("204");
    assertThat(paths.at("/~1api~1v1~1secrets~1{name}/delete/responses/204/content").isMissingNode()).isTrue();
    // a registration pushed again is the same version: 200; a new one 201, with the same body
    assertThat(successes(paths.at("/~1api~1v1~1services~1{service}~1components~1{component}~1versions/post")))
        .containsExactly("200", "201");
    assertThat(paths.at("/~1api~1v1~1services~1{service}~1components~1{component}~1versions/post/responses/201/"
        + "content")).isEqualTo(paths.at("/~1api~1v1~1services~1{service}~1components~1{component}~1versions/post/"
        + "responses/200/content"));
    // an agent's wait for work may end with none; a resumed download is partial content
    assertThat(successes(paths.at("/~1api~1v1~1agent~1work/get"))).containsExactly("200", "204");
    assertThat(successes(paths.at("/~1api~1v1~1agent~1work~1{id}~1start/post"))).containsExactly("204");
    assertThat(successes(paths.at("/~1api~1v1~1agent~1work~1{id}~1artifacts~1{index}/get")))
        .containsExactly("200", "206");
  }

  @Test
  void operations_that_reach_the_database_declare_503_and_those_that_write_507() throws Exception {
    JsonNode paths = JSON.readTree(served()).path("paths");

    // the configuration's schema is served from the jar to anyone: neither the database nor the disk
    assertThat(codes(paths.at("/~1api~1v1~1schema~1config/get"))).doesNotContain("503", "507");
    // a token is looked up in the database; reading a deployment writes nothing
    assertThat(codes(paths.at("/~1api~1v1~1deployments~1{id}/get"))).contains("503").doesNotContain("507");
    assertThat(codes(paths.at("/~1api~1v1~1deployments/post"))).contains("503", "507");
    // an agent's calls carry no API token, and still reach the database; taking work claims it
    assertThat(codes(paths.at("/~1api~1v1~1agent~1work/get"))).contains("503", "507");
    assertThat(paths.at("/~1api~1v1~1deployments/post/responses/507/$ref").asString())
        .isEqualTo("#/components/responses/InsufficientStorage");
    assertThat(JSON.readTree(served()).at("/components/responses/ServiceUnavailable/content/application~1problem+json"
        + "/examples/database-unavailable/value/type").asString()).endsWith("database-unavailable");
  }

  private static List<String> successes(JsonNode operation) {
    assertThat(operation.isMissingNode()).as("the operation is in the document").isFalse();
    List<String> codes = new java.util.ArrayList<>();
    operation.path("responses").propertyNames().forEach(code -> {
      if (code.startsWith("2")) {
        codes.add(code);
      }
    });
    return codes;
  }

  @Test
  void a_client_generated_from_the_committed_document_applies_configuration_reads_environments_and_maps_a_problem()
      throws Exception {
    ApiClient client = new ApiClient().setBasePath("http://127.0.0.1:" + port);
    client.setBearerToken(io.gantry.testing.AdminToken.of(dataDir));
    List<FileBody> files = ConfigFiles.read(Path.of("examples/config")).stream()
        .map(f -> new FileBody().name(f.name()).content(f.content())).toList();

    new ConfigurationApi(client).applyConfig(new ApplyRequest().files(files).reason("generated client"));
    List<String> environments = new EnvironmentsApi(client).environments(0, 50).getItems().stream()
        .map(EnvironmentView::getName).toList();
    ApiException missing = catchThrowableOfType(ApiException.class,
        () -> new DeploymentsApi(client).getDeployment(987654321L));

    assertThat(environments).contains("dev", "production");
    assertThat(missing.getCode()).isEqualTo(404);
    assertThat(missing.getResponseHeaders().get("Content-Type")).anyMatch(t -> t.startsWith("application/problem+json"));
    ProblemDocument problem = client.getObjectMapper().readValue(missing.getResponseBody(), ProblemDocument.class);
    assertThat(problem.getType()).hasToString("https://gantry.io/problems/not-found");
    assertThat(problem.getStatus()).isEqualTo(404);
    assertThat(problem.getTitle()).isEqualTo("Not found");
    assertThat(problem.getDetail()).contains("987654321");
    assertThat(problem.getInstance()).isEqualTo("/api/v1/deployments/987654321");

    ApiException anonymous = catchThrowableOfType(ApiException.class, () -> new EnvironmentsApi(
        new ApiClient().setBasePath("http://127.0.0.1:" + port)).environments(0, 50));
    assertThat(anonymous.getCode()).isEqualTo(401);
    assertThat(JSON.readTree(anonymous.getResponseBody()).propertyNames())
        .as("only the fields ProblemDocument describes").isSubsetOf("type", "title", "status", "detail", "instance",
            "errors", "limit");
    assertThat(client.getObjectMapper().readValue(anonymous.getResponseBody(), ProblemDocument.class).getType())
        .hasToString("https://gantry.io/problems/unauthenticated");
  }

  private static List<String> codes(JsonNode operation) {
    assertThat(operation.isMissingNode()).as("operation not in the document").isFalse();
    return new ArrayList<>(operation.path("responses").propertyNames());
  }

  /** The JSON pointer of the first place where the two documents differ, with both values. */
  private static String firstDifference(String at, JsonNode expected, JsonNode actual) {
    if (expected.equals(actual)) {
      return null;
    }
    if (expected.isObject() && actual.isObject()) {
      for (String name : expected.propertyNames()) {
        if (!actual.has(name)) {
          return at + "/" + name + " is gone";
        }
        String inner = firstDifference(at + "/" + name, expected.get(name), actual.get(name));
        if (inner != null) {
          return inner;
        }
      }
      for (String name : actual.propertyNames()) {
        if (!expected.has(name)) {
          return at + "/" + name + " is new";
        }
      }
    }
    if (expected.isArray() && actual.isArray() && expected.size() == actual.size()) {
      for (int i = 0; i < expected.size(); i++) {
        String inner = firstDifference(at + "/" + i, expected.get(i), actual.get(i));
        if (inner != null) {
          return inner;
        }
      }
    }
    return at + ": " + abbreviate(expected) + " became " + abbreviate(actual);
  }

  private static String abbreviate(JsonNode node) {
    String text = node.toString();
    return text.length() > 200 ? text.substring(0, 200) + "..." : text;
  }

  /**
   * Redocly CLI at the pinned version, installed from the npm registry into the build folder on first
   * use and kept there for later runs.
   */
  static Path redocly() throws Exception {
    Path bin = REDOCLY_HOME.resolve("node_modules/.bin/redocly");
    if (!Files.isExecutable(bin)) {
      Run install = run(List.of("npm", "install", "--prefix", REDOCLY_HOME.toString(), "--no-audit", "--no-fund",
          "--no-save", "--loglevel=error", "@redocly/cli@" + REDOCLY_VERSION));
      assertThat(install.exit()).as("npm could not install @redocly/cli@%s (node 20.19+ and npm, and the npm "
          + "registry, are needed):%n%s", REDOCLY_VERSION, install.output()).isZero();
    }
    assertThat(bin).isExecutable();
    return bin;
  }

  record Run(int exit, String output) {}

  static Run run(List<String> command) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("REDOCLY_TELEMETRY", "off");
    builder.environment().put("REDOCLY_SUPPRESS_UPDATE_NOTICE", "true");
    builder.environment().put("NO_COLOR", "1");
    Process process = builder.start();
    process.getOutputStream().close();
    byte[] output = process.getInputStream().readAllBytes();
    if (!process.waitFor(5, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError(command + " did not end within 5 minutes");
    }
    return new Run(process.exitValue(), new String(output, StandardCharsets.UTF_8));
  }
}
