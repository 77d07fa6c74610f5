package io.gantry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** incident, rate, metrics and vsm against a stand-in server answering in the API's shapes. */
class MetricsCommandsTest {

  static final String INCIDENT = """
      {"id": 3, "service": "shop", "environment": "production", "severity": "high", "severityLevel": 2,
       "title": "checkout fails", "reference": "INC-9", "detectedAt": "2026-03-02T15:00:00Z", "resolvedAt": null,
       "deployment": 41, "linkedBy": "rule", "reportedBy": "desk", "reportedAt": "2026-03-02T15:05:00Z",
       "resolvedBy": null, "remediations": []}""";

  static final String PERIOD = """
      {"from": "2026-03-01T00:00:00Z", "to": "2026-04-01T00:00:00Z", "partial": false, "elapsedDays": 31.0}""";

  static final String KPIS = """
      {"period": %s, "filter": {"service": "shop"},
       "deployments": {"ended": 9, "succeeded": 6, "failed": 1, "rolledBack": 1, "cancelled": 1,
                       "successPercent": 75.0, "failures": 2},
       "incidents": {"total": 2, "relatedToDeployments": 1, "relatedPercent": 50.0, "unresolved": 1,
                     "bySeverity": {"critical": 1, "medium": 1}},
       "scheduleAdherence": {"toleranceMinutes": 15, "planned": 2, "onTime": 1, "percent": 50.0,
                             "medianDeviationSeconds": 900.0},
       "backlog": {"requested": 10, "completed": 9, "requestedPerDay": 0.32, "completedPerDay": 0.29, "queued": 1,
                   "oldestQueuedAgeSeconds": 907200.0, "medianQueuedAgeSeconds": 907200.0},
       "leadTime": {"succeeded": 6, "requestToSuccessMedianSeconds": 2400.0, "requestToSuccessMeanSeconds": 25250.0,
                    "withCommitTime": 2, "commitToProductionMedianSeconds": 204300.0,
                    "commitToProductionMeanSeconds": 204300.0},
       "satisfaction": {"ratings": 2, "leadTimeAverage": 3.0, "qualityAverage": 4.0,
                        "comments": [{"deployment": 1, "by": "alice", "leadTime": 4, "quality": 5, "comment": "quick",
                                      "at": "2026-03-03T00:00:00Z"}]},
       "adoption": {"deployments": 9, "throughAgreedModel": 7, "percent": 77.8},
       "auditFindings": {"available": false, "sources": [], "count": 0, "byKind": {}, "findings": []}}"""
      .formatted(PERIOD);

  static final String DORA = """
      {"period": %s, "filter": {}, "productionEnvironments": ["live-eu", "production"], "deployments": 7,
       "deploymentFrequency": {"succeeded": 4, "perDay": 0.129, "perWeek": 0.903, "level": "MEDIUM"},
       "changeLeadTime": {"deployments": 4, "withCommitTime": 3, "medianSeconds": 175500.0, "level": "HIGH"},
       "changeFailRate": {"failed": 4, "percent": 57.1, "level": "LOW"},
       "failedDeploymentRecoveryTime": {"failures": 4, "recovered": 3, "unrecovered": 1, "medianSeconds": 7200.0,
                                        "level": "HIGH"},
       "deploymentReworkRate": {"rework": 1, "percent": 14.3, "level": null},
       "thresholds": "DORA 2024 (Accelerate State of DevOps 2024) performance clusters"}""".formatted(PERIOD);

  static final String TIMELINE = """
      {"deployment": 7, "state": "PLANNED", "finished": false, "until": "2026-04-10T00:00:00Z",
       "totals": {"processSeconds": 1800.0, "waitSeconds": 1800.0, "flowEfficiencyPercent": 50.0,
                  "processMedianSeconds": 1800.0, "waitMedianSeconds": 1800.0},
       "activities": [{"activity": "planning", "state": "REQUESTED", "deployments": 1, "processSeconds": 1800.0,
                       "processMedianSeconds": 1800.0, "waitSeconds": 1800.0, "waitMedianSeconds": 1800.0,
                       "flowEfficiencyPercent": 50.0, "waitSecondsByKind": {"lock": 1800.0}}],
       "waits": [{"kind": "lock", "deployments": 1, "seconds": 1800.0, "medianSeconds": 1800.0, "sharePercent": 100.0}],
       "segments": [
         {"activity": "planning", "type": "process", "waitingFor": null, "what": null,
          "from": "2026-04-09T23:00:00Z", "to": "2026-04-09T23:30:00Z", "seconds": 1800.0, "open": false},
         {"activity": "planning", "type": "wait", "waitingFor": "lock", "what": "waiting for deployment #6",
          "from": "2026-04-09T23:30:00Z", "to": "2026-04-10T00:00:00Z", "seconds": 1800.0, "open": true}]}""";

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
  void incident_report_sends_what_was_given_and_says_how_it_was_linked() {
    server.on("POST", "/incidents", 201, INCIDENT);

    CliRunner.Result result = gantry.run("incident", "report", "--service", "shop", "--environment", "production",
        "--severity", "high", "--title", "checkout fails", "--detected", "2026-03-02T15:00:00Z", "--reference", "INC-9");

    assertThat(result.exitCode()).as(result.err()).isZero();
    JsonNode body = ApiClient.JSON.readTree(server.only().text());
    assertThat(body.path("service").asString()).isEqualTo("shop");
    assertThat(body.path("severity").asString()).isEqualTo("high");
    assertThat(body.path("detectedAt").asString()).isEqualTo("2026-03-02T15:00:00Z");
    assertThat(body.has("deployment")).isFalse();
    assertThat(result.out()).isEqualTo("incident #3 recorded (high), linked by rule to deployment #41\n");
  }

  @Test
  void a_refused_incident_names_the_field_and_exits_with_the_input_error_code() {
    server.on("POST", "/incidents", request -> FakeGantryServer.problem(422, "Invalid input",
        "the incident was not recorded: resolvedAt: resolved before it was detected",
        "[{\"field\": \"resolvedAt\", \"message\": \"resolved before it was detected\"}]"));

    CliRunner.Result result = gantry.run("incident", "report", "--service", "shop", "--environment", "production",
        "--severity", "1", "--title", "x", "--detected", "2026-03-02T15:00:00Z", "--resolved", "2026-03-02T14:00:00Z");

    assertThat(result.exitCode()).isEqualTo(ExitCode.forStatus(422));
    assertThat(result.err()).contains("resolvedAt: resolved before it was detected");
  }

  @Test
  void incident_list_asks_for_open_ones_and_prints_a_table() {
    server.on("GET", "/incidents", 200, "{\"items\": [" + INCIDENT + "], \"page\": 0, \"size\": 500, \"total\": 1}");

    CliRunner.Result result = gantry.run("incident", "list", "--open", "--service", "shop");

    assertThat(result.exitCode()).isZero();
    assertThat(server.only().query()).contains("service=shop").contains("open=true");
    assertThat(result.out()).contains("ID", "SEVERITY", "#3", "high", "#41 (rule)", "checkout fails");
  }

  @Test
  void incident_resolve_and_remediation_post_to_the_incident() {
    server.on("POST", "/incidents/3/resolve", 200, INCIDENT.replace("\"resolvedAt\": null",
        "\"resolvedAt\": \"2026-03-02T16:00:00Z\""));
    server.on("POST", "/incidents/3/remediation", 201, INCIDENT);

    CliRunner.Result resolved = gantry.run("incident", "resolve", "3", "--at", "2026-03-02T16:00:00Z");
    CliRunner.Result fixed = gantry.run("incident", "remediation", "3", "--deployment", "44");

    assertThat(resolved.out()).isEqualTo("incident #3 resolved at 2026-03-02 16:00:00 UTC\n");
    assertThat(ApiClient.JSON.readTree(server.requests.get(0).text()).path("resolvedAt").asString())
        .isEqualTo("2026-03-02T16:00:00Z");
    assertThat(fixed.out()).isEqualTo("incident #3: deployment #44 marked as its remediation\n");
    assertThat(ApiClient.JSON.readTree(server.requests.get(1).text()).path("deployment").asLong()).isEqualTo(44);
  }

  @Test
  void rate_sends_both_ratings_and_the_comment() {
    server.on("POST", "/deployments/5/ratings", 201, "{\"id\": 1, \"deployment\": 5}");

    CliRunner.Result result = gantry.run("rate", "5", "--lead-time", "4", "--quality", "5", "--comment", "smooth");

    assertThat(result.exitCode()).isZero();
    JsonNode body = ApiClient.JSON.readTree(server.only().text());
    assertThat(body.path("leadTime").asInt()).isEqualTo(4);
    assertThat(body.path("quality").asInt()).isEqualTo(5);
    assertThat(body.path("comment").asString()).isEqualTo("smooth");
    assertThat(result.out()).isEqualTo("deployment #5 rated: lead time 4/5, quality 5/5\n");
  }

  @Test
  void metrics_prints_the_kpis_and_the_dora_measures_with_their_levels() {
    server.on("GET", "/metrics/kpis", 200, KPIS);
    server.on("GET", "/metrics/dora", 200, DORA);

    CliRunner.Result result = gantry.run("metrics", "--from", "2026-03-01", "--to", "2026-03-31", "--service", "shop",
        "--tolerance", "20");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(server.requests.get(0).query()).isEqualTo("from=2026-03-01&to=2026-03-31&service=shop&tolerance=20");
    assertThat(server.requests.get(1).query()).isEqualTo("from=2026-03-01&to=2026-03-31&service=shop");
    assertThat(result.out())
        .contains("successful deployments            75 %")
        .contains("1 of 2 on time (50 %)")
        .contains("1 unfinished, oldest 10d 12h")
        .contains("median 40m, mean 7h (6 deployments)")
        .contains("median 2d 8h, mean 2d 8h (2 with a commit time)")
        .contains("7 of 9 (77.8 %)")
        .contains("no source of findings is wired in")
        .contains("#1 alice: quick")
        .contains("deployment frequency             0.129 a day, 0.903 a week (4)")
        .contains("change fail rate                 57.1 % (4 of 7)")
        .contains("low")
        .contains("median 2h (3 recovered, 1 not yet)");
  }

  @Test
  void metrics_as_csv_prints_the_servers_csv_with_one_header() {
    server.on("GET", "/metrics/kpis", request -> new FakeGantryServer.Reply(200, "text/csv",
        "report,section,metric,value\r\nkpis,deployments,ended,9\r\n"));
    server.on("GET", "/metrics/dora", request -> new FakeGantryServer.Reply(200, "text/csv",
        "report,section,metric,value\r\ndora,changeFailRate,percent,57.1\r\n"));

    CliRunner.Result result = gantry.run("metrics", "--from", "2026-03-01", "--to", "2026-03-31", "--format", "csv");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(server.requests.get(0).header("Accept")).isEqualTo("text/csv, application/problem+json");
    assertThat(result.out()).isEqualTo(
        "report,section,metric,value\r\nkpis,deployments,ended,9\r\ndora,changeFailRate,percent,57.1\r\n");
  }

  @Test
  void a_refused_csv_report_says_what_the_server_said() {
    server.on("GET", "/metrics/dora", request -> FakeGantryServer.problem(422, "Invalid input",
        "\\\"test\\\" is not a production environment", "[{\"field\": \"environment\", \"message\": \"not production\"}]"));

    CliRunner.Result result = gantry.run("metrics", "--only", "dora", "--from", "2026-03-01", "--to", "2026-03-31",
        "--environment", "test", "--format", "csv");

    assertThat(result.exitCode()).isEqualTo(ExitCode.forStatus(422));
    assertThat(result.err()).contains("is not a production environment").contains("environment: not production");
  }

  @Test
  void a_report_without_a_period_is_a_usage_error_before_any_request() {
    CliRunner.Result result = gantry.run("metrics", "--from", "2026-03-01");

    assertThat(result.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(result.err()).contains("--from and --to");
    assertThat(server.requests).isEmpty();
    assertThat(gantry.run("metrics", "--only", "all", "--from", "a", "--to", "b").exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(gantry.run("vsm", "--to", "2026-03-31").exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(gantry.run("metrics", "--format", "xml").exitCode()).isEqualTo(ExitCode.USAGE);
  }

  @Test
  void vsm_of_one_deployment_prints_its_segments_and_its_flow() {
    server.on("GET", "/deployments/7/vsm", 200, TIMELINE);

    CliRunner.Result result = gantry.run("vsm", "--deployment", "7");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out())
        .contains("Value stream of deployment #7 (PLANNED, under way)")
        .contains("2026-04-09 23:30:00 UTC  2026-04-10 00:00:00 UTC+  planning  wait: lock  30m       waiting for deployment #6")
        .contains("WAITING FOR")
        .contains("lock         1            30m    30m     100 %");
  }

  @Test
  void vsm_of_a_period_as_json_is_the_servers_answer() {
    server.on("GET", "/vsm", 200, "{\"deployments\": 2, \"totals\": {\"processSeconds\": 2100.0}}");

    CliRunner.Result result = gantry.run("vsm", "--from", "2026-03-01", "--to", "2026-03-31", "--environment",
        "production", "--format", "json");

    assertThat(result.exitCode()).isZero();
    assertThat(server.only().query()).isEqualTo("from=2026-03-01&to=2026-03-31&environment=production");
    assertThat(ApiClient.JSON.readTree(result.out()).path("totals").path("processSeconds").asDouble()).isEqualTo(2100.0);
  }
}
