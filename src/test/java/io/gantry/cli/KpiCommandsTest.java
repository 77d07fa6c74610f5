package io.gantry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** kpi, survey and audit findings against a stand-in server answering in the API's shapes. */
class KpiCommandsTest {

  static final String TARGET = """
      {"id": 1, "kpi": "deployment-success-percent", "service": null, "environment": "production",
       "comparison": "at-least", "value": 95.0, "setBy": "alice", "setAt": "2026-11-01T00:00:00Z"}""";

  static final String EVALUATION = """
      {"id": 7, "from": "2026-11-01T00:00:00Z", "to": "2026-12-01T00:00:00Z", "author": "alice",
       "evaluatedAt": "2026-12-02T09:00:00Z", "periodic": false,
       "results": [
         {"kpi": "deployment-success-percent", "service": null, "environment": "production",
          "comparison": "at-least", "target": 95.0, "figure": 91.7, "verdict": "missed"},
         {"kpi": "failures", "service": null, "environment": null, "comparison": "at-most", "target": 2.0,
          "figure": 2.0, "verdict": "met"}],
       "reports": []}""";

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
  void targets_set_sends_the_comparison_and_scope_and_needs_exactly_one_comparison() {
    server.on("PUT", "/kpi-targets", 200, TARGET);

    CliRunner.Result result = gantry.run("kpi", "targets", "set", "deployment-success-percent", "--at-least", "95",
        "--environment", "production");

    assertThat(result.exitCode()).as(result.err()).isZero();
    JsonNode body = ApiClient.JSON.readTree(server.only().text());
    assertThat(body.path("comparison").asString()).isEqualTo("at-least");
    assertThat(body.path("value").asDouble()).isEqualTo(95.0);
    assertThat(body.path("environment").asString()).isEqualTo("production");
    assertThat(body.has("service")).isFalse();
    assertThat(result.out()).isEqualTo("target set: deployment-success-percent >= 95.0 for environment production\n");

    CliRunner.Result both = gantry.run("kpi", "targets", "set", "failures", "--at-least", "1", "--at-most", "2");
    assertThat(both.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(server.requests).hasSize(1);
  }

  @Test
  void evaluate_posts_the_period_and_shows_each_verdict_and_the_missed_count() {
    server.on("POST", "/kpi-evaluations", 201, EVALUATION);

    CliRunner.Result result = gantry.run("kpi", "evaluate", "--from", "2026-11-01", "--to", "2026-11-30");

    assertThat(result.exitCode()).as(result.err()).isZero();
    JsonNode body = ApiClient.JSON.readTree(server.only().text());
    assertThat(body.path("from").asString()).isEqualTo("2026-11-01");
    assertThat(body.path("to").asString()).isEqualTo("2026-11-30");
    assertThat(result.out()).contains("evaluation #7", "1 of 2 targets missed", "environment production", ">= 95.0",
        "91.7", "missed", "all", "met");
  }

  @Test
  void evaluations_list_names_the_missed_targets() {
    server.on("GET", "/kpi-evaluations", 200, "[" + EVALUATION + "]");

    CliRunner.Result result = gantry.run("kpi", "evaluations", "list", "--from", "2026-11-01", "--to", "2026-12-31");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(server.only().query()).contains("from=2026-11-01").contains("to=2026-12-31");
    assertThat(result.out()).contains("#7", "deployment-success-percent (environment production)");
  }

  @Test
  void survey_answer_puts_the_scores_under_the_month() {
    server.on("PUT", "/alignment-survey/2026-11/answer", 200, """
        {"period": "2026-11", "answeredBy": "carol", "informed": 4, "needsMet": 3, "paceFits": 5, "comment": null,
         "answeredAt": "2026-11-20T00:00:00Z"}""");

    CliRunner.Result result = gantry.run("survey", "answer", "--period", "2026-11", "--informed", "4",
        "--needs-met", "3", "--pace-fits", "5");

    assertThat(result.exitCode()).as(result.err()).isZero();
    JsonNode body = ApiClient.JSON.readTree(server.only().text());
    assertThat(body.path("needsMet").asInt()).isEqualTo(3);
    assertThat(result.out()).isEqualTo("answer for 2026-11 recorded: informed 4/5, needs met 3/5, pace fits 5/5\n");
  }

  @Test
  void audit_findings_add_records_an_external_finding_and_list_counts_by_origin() {
    server.on("POST", "/audit-findings/external", 201, """
        {"id": 3, "source": "external audit 2026 Q4", "severity": "high", "description": "no rollback test",
         "foundOn": "2026-11-20", "state": "open", "service": null, "environment": null, "recordedBy": "eve",
         "recordedAt": "2026-11-21T00:00:00Z", "updatedAt": "2026-11-21T00:00:00Z"}""");
    server.on("GET", "/audit-findings", 200, """
        {"available": true, "sources": ["external audits"], "count": 1, "byKind": {"external-audit": 1},
         "findings": [{"kind": "external-audit", "subject": "external audit 2026 Q4 finding #3",
                       "detail": "high (open): no rollback test", "at": "2026-11-20T00:00:00Z", "deployment": null,
                       "service": null, "environment": null}],
         "byOrigin": {"internal": 0, "external": 1}}""");

    CliRunner.Result added = gantry.run("audit", "findings", "add", "--source", "external audit 2026 Q4",
        "--severity", "high", "--description", "no rollback test", "--found-on", "2026-11-20");
    CliRunner.Result listed = gantry.run("audit", "findings", "list", "--from", "2026-10-01", "--to", "2026-12-31");

    assertThat(added.exitCode()).as(added.err()).isZero();
    assertThat(ApiClient.JSON.readTree(server.requests.get(0).text()).path("foundOn").asString())
        .isEqualTo("2026-11-20");
    assertThat(added.out()).isEqualTo("external finding #3 recorded (high, open)\n");
    assertThat(listed.out()).contains("external", "no rollback test", "0 internal, 1 external");
  }
}
