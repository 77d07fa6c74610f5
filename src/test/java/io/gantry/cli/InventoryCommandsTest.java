package io.gantry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code undeploy}, {@code where} and {@code signoff --evidence} against a server that answers like Gantry. */
class InventoryCommandsTest {

  static final String UNDEPLOYMENT = """
      {"id": 7, "kind": "undeploy", "component": "shop/web", "version": "1.4.0", "environment": "test",
       "model": "in-house-software", "stage": "test", "state": "REQUESTED"}""";

  @TempDir Path dir;
  FakeGantryServer server;
  CliRunner gantry;

  @BeforeEach
  void start() throws IOException {
    server = new FakeGantryServer();
    gantry = new CliRunner(dir).server(server.url());
    gantry.env.put("GANTRY_TOKEN", "gty_secret");
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void undeploy_asks_for_an_undeploy_of_the_component_and_follows_it_to_its_end() throws Exception {
    server.on("POST", "/deployments", 201, UNDEPLOYMENT);
    server.on("GET", "/deployments/7/events", 200, """
        [{"id": 1, "at": "2026-11-27T10:00:00Z", "kind": "TRANSITION", "to": "SUCCEEDED", "actor": "gantry",
          "message": "shop/web removed from every target of test"}]""");
    server.on("GET", "/deployments/7", 200, UNDEPLOYMENT.replace("REQUESTED", "SUCCEEDED"));

    CliRunner.Result result = gantry.run("undeploy", "shop/web", "--from", "test", "--reason", "retired");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out()).contains("deployment #7: undeploy shop/web@1.4.0 from test")
        .contains("removed from every target of test");
    var body = ApiClient.JSON.readTree(server.requests.getFirst().text());
    assertThat(body.path("kind").asString()).isEqualTo("undeploy");
    assertThat(body.path("component").asString()).isEqualTo("shop/web");
    assertThat(body.has("version")).isFalse();
    assertThat(body.path("reason").asString()).isEqualTo("retired");
  }

  @Test
  void undeploy_without_an_environment_is_a_usage_error_and_asks_nothing() {
    CliRunner.Result result = gantry.run("undeploy", "shop/web");

    assertThat(result.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(result.err()).contains("--from");
    assertThat(server.requests).isEmpty();
  }

  @Test
  void where_prints_one_row_per_component_and_one_column_per_environment() {
    server.on("GET", "/inventory", 200, """
        [{"environment": "dev", "component": "shop/web", "target": "dev-1", "version": "1.5.0", "deployment": 9},
         {"environment": "production", "component": "shop/web", "target": "prod-1", "version": "1.4.0", "deployment": 4},
         {"environment": "production", "component": "shop/web", "target": "prod-2", "version": "1.4.0", "deployment": 4},
         {"environment": "production", "component": "shop/api", "target": "prod-1", "version": "2.0.0", "deployment": 5}]""");

    CliRunner.Result result = gantry.run("where");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out().lines().toList()).satisfiesExactly(
        heading -> assertThat(heading).contains("COMPONENT").contains("DEV").contains("PRODUCTION"),
        api -> assertThat(api).startsWith("shop/api").contains("-").contains("2.0.0 (1)"),
        web -> assertThat(web).startsWith("shop/web").contains("1.5.0 (1)").contains("1.4.0 (2)"));
  }

  @Test
  void where_with_a_target_lists_the_deployments_that_worked_on_it() {
    server.on("GET", "/inventory/targets/prod-1/history", 200, """
        [{"id": 4, "kind": "deploy", "component": "shop/web", "version": "1.4.0", "state": "SUCCEEDED",
          "finishedAt": "2026-11-27T10:00:00Z", "targets": [{"target": "prod-1", "state": "SUCCEEDED"}]}]""");

    CliRunner.Result result = gantry.run("where", "--target", "prod-1");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out()).contains("#4").contains("deploy").contains("shop/web@1.4.0").contains("SUCCEEDED");
  }

  @Test
  void signoff_with_evidence_uploads_each_file_before_signing_off() throws IOException {
    Path photo = Files.writeString(gantry.cwd.resolve("rack.jpg"), "photo");
    server.on("POST", "/deployments/3/evidence", 201, """
        {"id": 1, "target": "rack-b4", "step": "verify-site", "fileName": "rack.jpg", "digest": "sha256:ab",
         "size": 5}""");
    server.on("POST", "/deployments/3/decisions", 201, """
        {"id": 2, "target": "rack-b4", "step": "verify-site", "decision": "signoff", "actor": "bob", "note": "done"}""");

    CliRunner.Result result = gantry.run("signoff", "3", "--target", "rack-b4", "--step", "verify-site", "--note",
        "done", "--evidence", "rack.jpg");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out()).contains("attached rack.jpg (5 bytes, sha256:ab)");
    assertThat(server.requests).extracting(FakeGantryServer.Request::path)
        .containsExactly("/api/v1/deployments/3/evidence", "/api/v1/deployments/3/decisions");
    assertThat(server.requests.getFirst().header("Content-Type")).startsWith("multipart/form-data");
    assertThat(server.requests.getFirst().text()).contains("name=\"file\"; filename=\"rack.jpg\"").contains("photo");
  }

  @Test
  void signoff_with_a_missing_evidence_file_fails_before_asking_the_server() {
    CliRunner.Result result = gantry.run("signoff", "3", "--target", "rack-b4", "--step", "verify-site", "--note",
        "done", "--evidence", "nowhere.jpg");

    assertThat(result.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(result.err()).contains("nowhere.jpg");
    assertThat(server.requests).isEmpty();
  }
}
