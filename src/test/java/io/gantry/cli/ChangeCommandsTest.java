package io.gantry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gantry change ...} against a server that answers like Gantry. */
class ChangeCommandsTest {

  static final String CHANGE = """
      {"key": "CHG-7", "id": 7, "title": "shop release", "type": "normal", "risk": "medium", "impact": "low",
       "plannedStart": "2026-12-01T22:00:00Z", "plannedEnd": "2026-12-01T23:00:00Z", "services": [],
       "components": ["shop/web"], "environments": ["production"], "requestedBy": "alice", "state": "STATE",
       "closureCode": null, "emergencyReason": null, "approvalRules": [], "outcome": OUTCOME, "external": null}""";

  static String detail(String state, String outcome, String progress) {
    return """
        {"change": %s, "approvalProgress": %s, "approvals": [], "deployments": [12], "review": null,
         "history": [{"id": 1, "at": "2026-11-30T10:00:00Z", "kind": "TRANSITION", "from": null, "to": "new",
                      "actor": "alice", "reason": "created: shop release"},
                     {"id": 2, "at": "2026-11-30T10:05:00Z", "kind": "DECISION", "from": null, "to": null,
                      "actor": "carol", "reason": "approved by carol: plan reviewed"}]}"""
        .formatted(CHANGE.replace("STATE", state).replace("OUTCOME", outcome == null ? "null" : "\"" + outcome + "\""),
            progress == null ? "null" : "\"" + progress + "\"");
  }

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
  void create_sends_the_change_with_its_scope_and_plans_and_submits_it_when_asked() throws Exception {
    server.on("POST", "/changes", 201, CHANGE.replace("STATE", "new").replace("OUTCOME", "null"));
    server.on("POST", "/changes/CHG-7/submit", 200, detail("assessed", null, "0 of 2 approvals"));

    CliRunner.Result result = gantry.run("change", "create", "--title", "shop release", "--type", "normal",
        "--start", "2026-12-01T22:00:00Z", "--end", "2026-12-01T23:00:00Z", "--component", "shop/web",
        "--environment", "production", "--backout-plan", "redeploy 1.4.0", "--external", "servicenow:CHG0030001",
        "--submit");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out()).contains("change CHG-7 created: shop release (normal, assessed)");
    var body = ApiClient.JSON.readTree(server.requests.getFirst().text());
    assertThat(body.path("components").get(0).asString()).isEqualTo("shop/web");
    assertThat(body.path("environments").get(0).asString()).isEqualTo("production");
    assertThat(body.path("plannedStart").asString()).isEqualTo("2026-12-01T22:00:00Z");
    assertThat(body.path("backoutPlan").asString()).isEqualTo("redeploy 1.4.0");
    assertThat(body.path("external").path("system").asString()).isEqualTo("servicenow");
    assertThat(body.path("external").path("reference").asString()).isEqualTo("CHG0030001");
    assertThat(server.requests.get(1).path()).isEqualTo("/api/v1/changes/CHG-7/submit");
  }

  @Test
  void create_with_a_start_that_is_not_an_instant_is_a_usage_error_and_asks_nothing() {
    CliRunner.Result result = gantry.run("change", "create", "--title", "x", "--type", "normal", "--start",
        "tomorrow", "--end", "2026-12-01T23:00:00Z", "--component", "shop/web", "--environment", "production");

    assertThat(result.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(result.err()).contains("--start must be an ISO-8601 instant");
    assertThat(server.requests).isEmpty();
  }

  @Test
  void list_prints_a_row_per_change_and_passes_the_filters() {
    server.on("GET", "/changes", 200, """
        {"items": [%s], "page": 0, "size": 50, "total": 1}"""
        .formatted(CHANGE.replace("STATE", "authorized").replace("OUTCOME", "null")));

    CliRunner.Result result = gantry.run("change", "list", "--state", "authorized", "--environment", "production");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out().lines().toList()).satisfiesExactly(
        heading -> assertThat(heading).contains("KEY").contains("STATE").contains("TITLE"),
        row -> assertThat(row).startsWith("CHG-7").contains("authorized").contains("shop release"));
    assertThat(server.requests.getFirst().query()).contains("state=authorized").contains("environment=production");
  }

  @Test
  void show_prints_the_change_its_approvals_deployments_and_history_and_json_prints_the_answer() throws Exception {
    server.on("GET", "/changes/CHG-7", 200, detail("assessed", null, "1 of 2 approvals from deployment-manager"));

    CliRunner.Result table = gantry.run("change", "show", "CHG-7");
    CliRunner.Result json = gantry.run("--output", "json", "change", "show", "CHG-7");

    assertThat(table.exitCode()).as(table.err()).isZero();
    assertThat(table.out()).contains("CHG-7: shop release - assessed").contains("shop/web in production")
        .contains("approvals: 1 of 2 approvals from deployment-manager").contains("deployments: #12")
        .contains("approved by carol: plan reviewed");
    assertThat(ApiClient.JSON.readTree(json.out()).path("change").path("key").asString()).isEqualTo("CHG-7");
  }

  @Test
  void approve_reject_cancel_close_and_review_post_to_the_change_with_their_reasons() throws Exception {
    server.on("POST", "/changes/CHG-7/approve", 200, detail("assessed", null, "1 of 2 approvals"));
    server.on("POST", "/changes/CHG-7/reject", 200, detail("rejected", "rejected by carol: no plan", null));
    server.on("POST", "/changes/CHG-7/cancel", 200, detail("cancelled", "cancelled by alice: moved", null));
    server.on("POST", "/changes/CHG-7/close", 200, detail("closed", "closed backed-out by bob: rolled back", null));
    server.on("POST", "/changes/CHG-7/review", 201, """
        {"change": "CHG-7", "reviewer": "carol", "summary": "ok", "followUps": null, "at": "2026-12-02T09:00:00Z"}""");

    assertThat(gantry.run("change", "approve", "CHG-7", "--reason", "fine").out())
        .contains("CHG-7 is assessed: 1 of 2 approvals");
    assertThat(gantry.run("change", "reject", "CHG-7", "--reason", "no plan").out())
        .contains("CHG-7 is rejected: rejected by carol: no plan");
    assertThat(gantry.run("change", "cancel", "CHG-7", "--reason", "moved").out()).contains("CHG-7 is cancelled");
    assertThat(gantry.run("change", "close", "CHG-7", "--code", "backed-out", "--reason", "rolled back").out())
        .contains("closed backed-out");
    assertThat(gantry.run("change", "review", "CHG-7", "--summary", "ok").out()).contains("CHG-7 reviewed by carol");

    assertThat(server.requests).extracting(FakeGantryServer.Request::path).containsExactly(
        "/api/v1/changes/CHG-7/approve", "/api/v1/changes/CHG-7/reject", "/api/v1/changes/CHG-7/cancel",
        "/api/v1/changes/CHG-7/close", "/api/v1/changes/CHG-7/review");
    assertThat(ApiClient.JSON.readTree(server.requests.get(0).text()).path("reason").asString()).isEqualTo("fine");
    assertThat(ApiClient.JSON.readTree(server.requests.get(3).text()).path("code").asString()).isEqualTo("backed-out");
  }

  @Test
  void reject_without_a_reason_is_a_usage_error_and_a_refusal_by_the_server_is_shown_with_its_reason() {
    CliRunner.Result noReason = gantry.run("change", "reject", "CHG-7");
    assertThat(noReason.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(server.requests).isEmpty();

    server.on("POST", "/changes/CHG-7/approve", request -> FakeGantryServer.problem(403, "Forbidden",
        "alice requested CHG-7 and cannot approve or reject it (separation of duties)", null));
    CliRunner.Result refused = gantry.run("change", "approve", "CHG-7");

    assertThat(refused.exitCode()).isNotZero();
    assertThat(refused.err()).contains("separation of duties");
  }
}
