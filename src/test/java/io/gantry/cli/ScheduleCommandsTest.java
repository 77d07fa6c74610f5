package io.gantry.cli;

import static io.gantry.cli.FakeGantryServer.json;
import static io.gantry.cli.FakeGantryServer.problem;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;

/** {@code deploy --at}, {@code freeze}, {@code schedule} and {@code queue} against a stand-in server. */
class ScheduleCommandsTest {

  static final String DEPLOYMENT = """
      {"id": 12, "kind": "deploy", "component": "shop/web", "version": "1.4.0", "environment": "production",
       "model": "in-house-software", "modelVersion": 1, "stage": "production", "state": "REQUESTED",
       "plannedStart": "2026-12-01T21:00:00Z", "plannedEnd": null, "priority": 5, "targets": []}""";

  static final String FREEZE = """
      {"id": 3, "name": "year-end", "reason": "trading peak", "scope": "organisation", "environment": null,
       "service": null, "recurrence": "yearly", "schedule": "every year from 12-20 to 01-02 (whole days, Europe/London)",
       "declaredBy": "carol", "declaredAt": "2026-11-01T10:00:00Z", "removedBy": null, "removedAt": null,
       "removedReason": null, "rowVersion": 0}""";

  @TempDir Path dir;
  FakeGantryServer server;
  CliRunner gantry;

  @BeforeEach
  void start() throws IOException {
    server = new FakeGantryServer();
    gantry = new CliRunner(dir).server(server.url());
    gantry.env.put("GANTRY_TOKEN", "gty_secret");
    gantry.env.put("TZ", "Europe/London");
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private JsonNode body() {
    return ApiClient.JSON.readTree(server.only().text());
  }

  private Map<String, String> query() {
    Map<String, String> out = new LinkedHashMap<>();
    for (String pair : server.requests.getLast().query().split("&")) {
      int eq = pair.indexOf('=');
      out.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return out;
  }

  @ParameterizedTest(name = "--at {0}")
  @CsvSource({
      "2026-12-01T22:00:00+01:00, 2026-12-01T21:00:00Z",
      "2026-12-01T21:00:00Z,      2026-12-01T21:00:00Z",
      "2026-12-01T21:00,          2026-12-01T21:00:00Z",
      "2026-07-01T21:00,          2026-07-01T20:00:00Z",
      "2026-07-01,                2026-06-30T23:00:00Z"})
  void deploy_at_sends_the_planned_start_as_an_instant_reading_local_times_in_the_user_s_zone(String at,
      String sent) {
    server.on("POST", "/deployments", 201, DEPLOYMENT);

    CliRunner.Result result = gantry.run("deploy", "shop/web@1.4.0", "--to", "production", "--at", at,
        "--until", "2026-12-01T23:00Z", "--priority", "5");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(body().path("at").asString()).isEqualTo(sent);
    assertThat(body().path("plannedEnd").asString()).isEqualTo("2026-12-01T23:00:00Z");
    assertThat(body().path("priority").asInt()).isEqualTo(5);
    assertThat(result.out()).isEqualTo("deployment #12 requested: shop/web@1.4.0 to production, planned for "
        + "2026-12-01 21:00:00 GMT\n");
  }

  @Test
  void deploy_at_a_time_that_cannot_be_read_is_a_usage_error_and_sends_nothing() {
    CliRunner.Result result = gantry.run("deploy", "shop/web@1.4.0", "--to", "production", "--at", "tomorrow 9pm");

    assertThat(result.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(result.err()).contains("--at \"tomorrow 9pm\" is not a time").contains("Europe/London");
    assertThat(server.requests).isEmpty();
  }

  @Test
  void a_refused_planned_start_shows_the_server_s_reason() {
    server.on("POST", "/deployments", request -> problem(422, "Invalid input", "the planned start is in the past",
        "[{\"field\": \"at\", \"message\": \"the planned start 2020-01-01T00:00:00Z is in the past\"}]"));

    CliRunner.Result result = gantry.run("deploy", "shop/web@1.4.0", "--to", "production", "--at", "2020-01-01T00:00Z");

    assertThat(result.exitCode()).isEqualTo(ExitCode.forStatus(422));
    assertThat(result.err()).contains("at: the planned start 2020-01-01T00:00:00Z is in the past");
  }

  @Test
  void freeze_add_once_sends_instants_and_prints_the_freeze() {
    server.on("POST", "/freezes", 201, FREEZE.replace("yearly", "once"));

    CliRunner.Result result = gantry.run("freeze", "add", "release-train", "--reason", "train", "--environment",
        "production", "--from", "2026-12-20T18:00", "--to", "2026-12-21T06:00");

    assertThat(result.exitCode()).as(result.err()).isZero();
    JsonNode sent = body();
    assertThat(sent.path("recurrence").asString()).isEqualTo("once");
    assertThat(sent.path("from").asString()).isEqualTo("2026-12-20T18:00:00Z");
    assertThat(sent.path("to").asString()).isEqualTo("2026-12-21T06:00:00Z");
    assertThat(sent.path("environment").asString()).isEqualTo("production");
    assertThat(result.out()).startsWith("freeze #3 \"year-end\" (organisation): ");
  }

  @Test
  void freeze_add_every_year_or_week_sends_the_written_days_times_and_zone() {
    server.on("POST", "/freezes", 201, FREEZE);

    assertThat(gantry.run("freeze", "add", "year-end", "--reason", "trading peak", "--every", "year", "--from",
        "12-20", "--to", "01-02").exitCode()).isZero();
    JsonNode yearly = ApiClient.JSON.readTree(server.requests.getLast().text());
    assertThat(yearly.path("recurrence").asString()).isEqualTo("yearly");
    assertThat(yearly.path("from").asString()).isEqualTo("12-20");
    assertThat(yearly.path("timeZone").asString()).isEqualTo("Europe/London");

    assertThat(gantry.run("freeze", "add", "fridays", "--reason", "weekend", "--every", "week", "--days", "fri,sat",
        "--from", "16:00", "--to", "23:00", "--time-zone", "UTC", "--service", "shop").exitCode()).isZero();
    JsonNode weekly = ApiClient.JSON.readTree(server.requests.getLast().text());
    assertThat(weekly.path("recurrence").asString()).isEqualTo("weekly");
    assertThat(weekly.path("days").toString()).isEqualTo("[\"fri\",\"sat\"]");
    assertThat(weekly.path("timeZone").asString()).isEqualTo("UTC");
    assertThat(weekly.path("service").asString()).isEqualTo("shop");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "an unknown repetition  | --every,month,--from,12-20,--to,01-02           | --every takes year or week, not month",
      "days on a one-off      | --days,mon,--from,2026-12-20,--to,2026-12-21    | --days goes with --every week",
      "an unknown zone        | --time-zone,Mars/Base,--from,2026-12-20,--to,2026-12-21 | --time-zone \"Mars/Base\" is not a time zone",
      "an unreadable time     | --from,soon,--to,2026-12-21                     | --from \"soon\" is not a time"})
  void a_bad_freeze_is_a_usage_error_and_sends_nothing(String name, String options, String message) {
    String[] args = ("freeze,add,x,--reason,why," + options).split(",");

    CliRunner.Result result = gantry.run(args);

    assertThat(result.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(result.err()).contains(message);
    assertThat(server.requests).isEmpty();
  }

  @Test
  void a_freeze_refused_by_the_server_names_each_field() {
    server.on("POST", "/freezes", request -> problem(422, "Invalid input", "2 problem(s) with the freeze",
        "[{\"field\": \"environment\", \"message\": \"environment \\\"mars\\\" is not declared\"},"
            + "{\"field\": \"from\", \"message\": \"\\\"13-01\\\" is not a day of the year\"}]"));

    CliRunner.Result result = gantry.run("freeze", "add", "x", "--reason", "y", "--environment", "mars", "--every",
        "year", "--from", "13-01", "--to", "01-02");

    assertThat(result.exitCode()).isEqualTo(ExitCode.forStatus(422));
    assertThat(result.err()).contains("environment: environment \"mars\" is not declared")
        .contains("from: \"13-01\" is not a day of the year");
  }

  @Test
  void freeze_list_and_remove() {
    server.on("GET", "/freezes", 200, "[" + FREEZE + "]");
    server.on("DELETE", "/freezes/3", 200, FREEZE.replace("\"removedBy\": null", "\"removedBy\": \"carol\""));

    CliRunner.Result list = gantry.run("freeze", "list", "--all");
    CliRunner.Result removed = gantry.run("freeze", "remove", "3", "--reason", "peak cancelled");

    assertThat(list.exitCode()).isZero();
    assertThat(list.out()).contains("ID", "NAME", "SCOPE").contains("year-end").contains("organisation");
    assertThat(server.requests.getFirst().query()).isEqualTo("all=true");
    assertThat(removed.exitCode()).isZero();
    assertThat(removed.out()).isEqualTo("freeze #3 \"year-end\" removed\n");
    assertThat(URLDecoder.decode(server.requests.getLast().query(), StandardCharsets.UTF_8))
        .isEqualTo("reason=peak cancelled");
    assertThat(gantry.run("freeze", "remove", "3").exitCode()).isEqualTo(ExitCode.USAGE);
  }

  static final String SCHEDULE = """
      {"from": "2026-12-01T00:00:00Z", "to": "2026-12-08T00:00:00Z", "generatedAt": "2026-11-30T12:00:00Z",
       "deployments": [{"id": 12, "kind": "deploy", "component": "shop/web", "version": "1.4.0",
         "environment": "production", "model": "m", "stage": "production", "state": "REQUESTED", "priority": 0,
         "start": "2026-12-01T21:00:00Z", "end": "2026-12-01T22:00:00Z", "planned": true, "requestedBy": "bob",
         "requestedAt": "2026-11-30T10:00:00Z", "reason": "r"}],
       "windows": [{"environment": "production", "model": "m", "stage": "production",
         "window": "tue 20:00-23:00 Europe/London", "start": "2026-12-01T20:00:00Z", "end": "2026-12-01T23:00:00Z"}],
       "freezes": [],
       "conflicts": [{"id": 1, "deployment": 12, "kind": "DEPENDENCY", "otherDeployment": null, "freeze": null,
         "message": "deployment #12 of shop/web 1.4.0 in production requires shop/db-schema >=1.0.0",
         "foundAt": "2026-11-30T10:00:00Z", "start": "2026-12-01T21:00:00Z", "end": "2026-12-01T22:00:00Z"}]}""";

  @Test
  void schedule_asks_for_the_period_given_and_prints_each_part() {
    server.on("GET", "/schedule", 200, SCHEDULE);

    CliRunner.Result result = gantry.run("schedule", "--from", "2026-12-01", "--to", "2026-12-08");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(query()).containsEntry("from", "2026-12-01T00:00:00Z").containsEntry("to", "2026-12-08T00:00:00Z");
    assertThat(result.out()).contains("Deployments:").contains("#12").contains("shop/web@1.4.0")
        .contains("Windows:").contains("tue 20:00-23:00 Europe/London")
        .contains("Freezes:\n  none")
        .contains("Conflicts:\n  #12 DEPENDENCY: deployment #12 of shop/web 1.4.0 in production requires");
  }

  @Test
  void schedule_prints_a_deployment_it_could_not_place_as_unplaced_with_the_reason_among_the_conflicts() {
    server.on("GET", "/schedule", 200, SCHEDULE.replace("\"start\": \"2026-12-01T21:00:00Z\", \"end\": "
        + "\"2026-12-01T22:00:00Z\", \"planned\"", "\"start\": null, \"end\": null, \"planned\"")
        .replace("\"id\": 1, \"deployment\": 12, \"kind\": \"DEPENDENCY\"", "\"id\": 0, \"deployment\": 12, "
            + "\"kind\": \"UNPLACED\"").replace("requires shop/db-schema >=1.0.0", "is not placed: no window "
            + "of stage production opens free of freezes before the end of the period at 2026-12-08T00:00:00Z"));

    CliRunner.Result result = gantry.run("schedule", "--from", "2026-12-01", "--to", "2026-12-08");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out()).containsPattern("unplaced +- +#12 ")
        .contains("#12 UNPLACED: deployment #12 of shop/web 1.4.0 in production is not placed: no window of stage "
            + "production opens free of freezes before the end of the period at 2026-12-08T00:00:00Z");
  }

  @Test
  void schedule_without_a_period_asks_for_two_weeks_from_now() {
    server.on("GET", "/schedule", 200, SCHEDULE);

    assertThat(gantry.run("schedule").exitCode()).isZero();

    Map<String, String> asked = query();
    assertThat(Duration.between(Instant.parse(asked.get("from")), Instant.parse(asked.get("to"))))
        .isEqualTo(Duration.ofDays(14));
  }

  @Test
  void schedule_ics_prints_the_server_s_calendar_as_it_is() {
    String ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n";
    server.on("GET", "/schedule.ics", request -> new FakeGantryServer.Reply(200, "text/calendar; charset=utf-8", ics));

    CliRunner.Result result = gantry.run("schedule", "--ics", "--from", "2026-12-01", "--to", "2026-12-08");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out()).isEqualTo(ics);
    assertThat(server.only().header("Accept")).startsWith("text/calendar");
  }

  @Test
  void schedule_refuses_an_inverted_period_before_asking() {
    CliRunner.Result result = gantry.run("schedule", "--from", "2026-12-08", "--to", "2026-12-01");

    assertThat(result.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(result.err()).contains("must come after --from");
    assertThat(server.requests).isEmpty();
  }

  @Test
  void queue_prints_each_environment_and_component_in_order_with_what_each_waits_for() {
    server.on("GET", "/queue", 200, """
        [{"environment": "production", "component": "shop/web", "items": [
          {"position": 1, "id": 14, "version": "1.5.0", "kind": "deploy", "state": "REQUESTED", "priority": 5,
           "requestedBy": "bob", "requestedAt": "2026-12-01T20:00:00Z", "ageSeconds": 300, "age": "5m 0s",
           "plannedStart": null, "waitingFor": "window", "what": "the window tue 20:00-23:00 Europe/London",
           "waitingSince": "2026-12-01T20:00:01Z"},
          {"position": null, "id": 15, "version": "1.6.0", "kind": "deploy", "state": "REQUESTED", "priority": 0,
           "requestedBy": "bob", "requestedAt": "2026-12-01T20:01:00Z", "ageSeconds": 240, "age": "4m 0s",
           "plannedStart": "2026-12-08T21:00:00Z", "waitingFor": null, "what": null, "waitingSince": null}]}]""");

    CliRunner.Result result = gantry.run("queue", "--environment", "production", "--component", "shop/web");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(query()).containsEntry("environment", "production").containsEntry("component", "shop/web");
    assertThat(result.out()).startsWith("shop/web in production:\n").contains("POS").contains("WAITING FOR")
        .containsPattern("1 +#14 +1\\.5\\.0 +REQUESTED +5 +5m 0s +window: the window tue 20:00-23:00")
        .containsPattern("later +#15 +1\\.6\\.0");
  }

  @Test
  void queue_with_a_malformed_component_is_a_usage_error() {
    CliRunner.Result result = gantry.run("queue", "--component", "web");

    assertThat(result.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(server.requests).isEmpty();
  }
}
