package io.gantry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code release} against a server that answers like Gantry. */
class ReleaseCommandsTest {

  static final String RELEASE = """
      {"id": 3, "name": "shop-2026.11", "description": null, "createdBy": "bob", "createdAt": "2026-11-27T10:00:00Z",
       "members": [{"position": 0, "component": "shop/web", "version": "1.5.0"},
                   {"position": 1, "component": "shop/app-config", "version": "1.2.0"}], "runs": []}""";

  static final String RUN = """
      {"id": 8, "release": "shop-2026.11", "environment": "test", "state": "STATE", "requestedBy": "bob",
       "requestedAt": "2026-11-27T10:00:00Z", "reason": "r", "cancelRequested": null, "endedAt": null,
       "outcome": "OUTCOME",
       "members": [{"position": 0, "purpose": "deploy", "deployment": 21, "rollsBack": null, "component": "shop/web",
                    "version": "1.5.0", "kind": "deploy", "state": "SUCCEEDED", "outcome": "ok", "note": null},
                   {"position": 1, "purpose": "deploy", "deployment": 22, "rollsBack": null,
                    "component": "shop/app-config", "version": "1.2.0", "kind": "deploy", "state": "FAILED",
                    "outcome": "step render failed", "note": null},
                   {"position": 2, "purpose": "rollback", "deployment": 23, "rollsBack": 21, "component": "shop/web",
                    "version": "1.4.0", "kind": "deploy", "state": "SUCCEEDED", "outcome": "ok", "note": null}],
       "history": [{"at": "2026-11-27T10:00:00Z", "actor": "bob", "state": "running", "message": "deploy it"},
                   {"at": "2026-11-27T10:03:00Z", "actor": "gantry", "state": "rolled-back",
                    "message": "rolled back: shop/web@1.4.0 (#23)"}]}""";

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
  void create_sends_the_versions_and_prints_them_in_the_order_the_server_keeps() {
    server.on("POST", "/releases", 201, RELEASE);

    CliRunner.Result result = gantry.run("release", "create", "shop-2026.11", "shop/app-config@1.2.0",
        "shop/web@1.5.0", "--description", "November");

    assertThat(result.exitCode()).as(result.err()).isZero();
    var body = ApiClient.JSON.readTree(server.only().text());
    assertThat(body.path("name").asString()).isEqualTo("shop-2026.11");
    assertThat(body.path("description").asString()).isEqualTo("November");
    assertThat(body.path("members").valueStream().map(m -> m.asString()).toList())
        .containsExactly("shop/app-config@1.2.0", "shop/web@1.5.0");
    assertThat(result.out()).isEqualTo("""
        release shop-2026.11 recorded, in dependency order:
          1. shop/web@1.5.0
          2. shop/app-config@1.2.0
        """);
  }

  @Test
  void create_without_versions_is_a_usage_error_and_asks_nothing() {
    CliRunner.Result result = gantry.run("release", "create", "shop-2026.11");

    assertThat(result.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(result.err()).contains("SERVICE/COMPONENT@VERSION");
    assertThat(server.requests).isEmpty();
  }

  @Test
  void deploy_follows_the_run_prints_each_member_and_fails_when_the_run_was_rolled_back() {
    server.on("POST", "/releases/shop-2026.11/runs", 201, RUN.replace("STATE", "running").replace("OUTCOME", ""));
    server.on("GET", "/release-runs/8", 200, RUN.replace("STATE", "rolled-back")
        .replace("OUTCOME", "rolled back: shop/web@1.4.0 (#23)"));

    CliRunner.Result result = gantry.run("release", "deploy", "shop-2026.11", "--to", "test", "--priority", "5");

    assertThat(result.exitCode()).isEqualTo(ExitCode.DEPLOYMENT_FAILED);
    var body = ApiClient.JSON.readTree(server.requests.getFirst().text());
    assertThat(body.path("environment").asString()).isEqualTo("test");
    assertThat(body.path("priority").asInt()).isEqualTo(5);
    assertThat(result.out()).contains("release run #8: shop-2026.11 to test, 3 member(s)")
        .contains("#22 shop/app-config@1.2.0: FAILED (step render failed)")
        .contains("#23 shop/web@1.4.0 (rollback): SUCCEEDED")
        .contains("2026-11-27 10:03:00 UTC rolled back: shop/web@1.4.0 (#23)")
        .contains("release run #8 rolled-back");
    assertThat(result.err()).contains("release run #8 ended rolled-back");
  }

  @Test
  void run_shows_members_and_rollbacks_and_the_history() {
    server.on("GET", "/release-runs/8", 200, RUN.replace("STATE", "rolled-back").replace("OUTCOME", "x"));

    CliRunner.Result result = gantry.run("release", "run", "8");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out()).contains("release run #8: shop-2026.11 to test, rolled-back")
        .contains("rollback").contains("#23").contains("shop/web@1.4.0").contains("step render failed")
        .contains("2026-11-27 10:00:00 UTC deploy it");
  }

  @Test
  void cancel_needs_a_reason_and_sends_it() {
    CliRunner.Result missing = gantry.run("release", "cancel", "8");
    assertThat(missing.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(server.requests).isEmpty();

    server.on("POST", "/release-runs/8/cancel", 200, RUN.replace("STATE", "cancelled")
        .replace("OUTCOME", "cancelled: not today"));
    CliRunner.Result result = gantry.run("release", "cancel", "8", "--reason", "not today");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(ApiClient.JSON.readTree(server.only().text()).path("reason").asString()).isEqualTo("not today");
    assertThat(result.out()).contains("release run #8 cancelled: cancelled: not today");
  }
}
