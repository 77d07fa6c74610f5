package io.gantry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gantry.testing.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The command line against a real Gantry (H2, local targets beside its data directory): a small
 * configuration applied, versions pushed, and deploy, status, logs -f, history, cancel and decide run
 * the way a person runs them, reading what the server really answers.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class CliAgainstRealServerTest {

  /** A time as every table and message prints it (the tests' user is in UTC). */
  static final String TIME = "\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2} UTC";

  static final String CONFIG = """
      apiVersion: gantry.io/v1
      kind: Environment
      metadata: {name: cli-dev}
      spec: {purpose: development, controlled: false, owner: team-cli}
      ---
      apiVersion: gantry.io/v1
      kind: Target
      metadata: {name: cli-dev-1}
      spec: {environment: cli-dev, kind: local, path: cli-dev-1}
      ---
      apiVersion: gantry.io/v1
      kind: Service
      metadata: {name: cli}
      spec: {owner: team-cli}
      ---
      apiVersion: gantry.io/v1
      kind: Component
      metadata: {name: app}
      spec: {service: cli, type: software, model: cli-model}
      ---
      apiVersion: gantry.io/v1
      kind: Component
      metadata: {name: later}
      spec: {service: cli, type: software, model: cli-model}
      ---
      apiVersion: gantry.io/v1
      kind: Component
      metadata: {name: broken}
      spec: {service: cli, type: software, model: cli-model}
      ---
      apiVersion: gantry.io/v1
      kind: DeploymentModel
      metadata: {name: cli-model}
      spec:
        appliesTo: {componentTypes: [software]}
        stages:
          - name: dev
            environment: cli-dev
            authorization: automatic
            strategy: {type: all-at-once}
            steps:
              - {name: install, type: artifact.install, destination: releases, idempotent: true}
              - {name: check, type: shell, command: sh current/check.sh, timeout: 30s}
            failurePolicy: {action: ask}
      ---
      apiVersion: gantry.io/v1
      kind: Component
      metadata: {name: gated}
      spec: {service: cli, type: software, model: cli-gated}
      ---
      apiVersion: gantry.io/v1
      kind: DeploymentModel
      metadata: {name: cli-gated}
      spec:
        appliesTo: {components: [cli/gated]}
        stages:
          - name: dev
            environment: cli-dev
            steps:
              - {name: install, type: artifact.install, destination: releases, idempotent: true}
            exitCriteria:
              - {type: manual, description: smoke tested by hand, role: deployment-manager}
            failurePolicy: {action: stop}
      ---
      apiVersion: gantry.io/v1
      kind: Component
      metadata: {name: failing}
      spec: {service: cli, type: software, model: cli-stops}
      ---
      apiVersion: gantry.io/v1
      kind: DeploymentModel
      metadata: {name: cli-stops}
      spec:
        appliesTo: {components: [cli/failing]}
        stages:
          - name: dev
            environment: cli-dev
            steps:
              - {name: install, type: artifact.install, destination: releases, idempotent: true}
              - {name: check, type: shell, command: sh current/check.sh, timeout: 30s}
            failurePolicy: {action: stop}
      ---
      apiVersion: gantry.io/v1
      kind: Environment
      metadata: {name: cli-pair}
      spec: {purpose: development, controlled: false, owner: team-cli}
      ---
      apiVersion: gantry.io/v1
      kind: Target
      metadata: {name: cli-pair-1}
      spec: {environment: cli-pair, kind: local, path: cli-pair-1}
      ---
      apiVersion: gantry.io/v1
      kind: Target
      metadata: {name: cli-pair-2}
      spec: {environment: cli-pair, kind: local, path: cli-pair-2}
      ---
      apiVersion: gantry.io/v1
      kind: Component
      metadata: {name: paused}
      spec: {service: cli, type: software, model: cli-paused}
      ---
      apiVersion: gantry.io/v1
      kind: DeploymentModel
      metadata: {name: cli-paused}
      spec:
        appliesTo: {components: [cli/paused]}
        stages:
          - name: pair
            environment: cli-pair
            strategy: {type: rolling, batchSize: 1, pauseBetweenBatches: 1h}
            steps:
              - {name: install, type: artifact.install, destination: releases, idempotent: true}
              - {name: check, type: shell, command: sh current/check.sh, timeout: 10m}
            failurePolicy: {action: stop}
      """;

  @DynamicPropertySource
  static void server(DynamicPropertyRegistry registry) throws IOException {
    for (String property : TestDatabase.H2.springProperties()) {
      int eq = property.indexOf('=');
      registry.add(property.substring(0, eq), () -> property.substring(eq + 1));
    }
    Path dataDir = Files.createDirectories(Files.createTempDirectory("gantry-cli-test").resolve("data"));
    registry.add("gantry.data-dir", dataDir::toString);
  }

  @LocalServerPort int port;
  @Value("${gantry.data-dir}") Path dataDir;
  @TempDir Path dir;
  CliRunner gantry;

  @BeforeEach
  void applyTheConfigurationAndPushVersions() throws IOException {
    gantry = new CliRunner(dir).server("http://127.0.0.1:" + port);
    gantry.env.put("GANTRY_TOKEN", io.gantry.testing.AdminToken.of(dataDir));
    Files.writeString(gantry.cwd.resolve("cli.yaml"), CONFIG);
    succeeds("apply", "-f", "cli.yaml", "--reason", "the CLI's tests");
    push("cli/app@1.0.0", "exit 0");
    push("cli/later@1.0.0", "exit 0");
    push("cli/broken@1.0.0", "echo 'the check found nothing to serve' >&2; exit 3");
    push("cli/gated@1.0.0", "exit 0");
    push("cli/paused@1.0.0", "exit 0");
    push("cli/failing@1.0.0", "echo 'nothing listens on 8080' >&2; exit 4");
  }

  @Test
  void deployFollowsTheDeploymentToItsEndAndStatusLogsAndHistoryShowIt() {
    CliRunner.Result deploy = succeeds("deploy", "cli/app@1.0.0", "--to", "cli-dev", "--reason", "first");
    long id = id(deploy.out(), "deployment #(\\d+): cli/app@1.0.0 to cli-dev \\(model cli-model, stage dev\\)");

    assertThat(deploy.out()).contains("deployment #" + id + " succeeded");
    assertThat(deploy.out().lines().filter(line -> line.startsWith("20")))
        .allMatch(line -> line.matches(TIME + " .*")).isNotEmpty();

    String status = succeeds("status", String.valueOf(id)).out();
    assertThat(status).startsWith("deployment #" + id + ": cli/app@1.0.0 to cli-dev - SUCCEEDED\n")
        .containsPattern("model cli-model v1, stage dev, requested by admin at " + TIME + "\n")
        .containsPattern("TARGET +BATCH +STATE +PREVIOUS +OUTCOME\ncli-dev-1 +1 +SUCCEEDED +\\S+ +-\n");

    List<String> logs = succeeds("logs", String.valueOf(id)).out().lines().toList();
    assertThat(logs).isNotEmpty().allMatch(line -> line.matches(TIME + " .*"));
    assertThat(logs).anyMatch(line -> line.contains("[cli-dev-1]") && line.contains("check"));

    assertThat(succeeds("status").out()).containsPattern("#" + id + " +deploy +cli/app@1.0.0 +cli-dev +SUCCEEDED");
    assertThat(succeeds("where", "--target", "cli-dev-1").out())
        .containsPattern("#" + id + " +deploy +cli/app@1.0.0 +SUCCEEDED +SUCCEEDED +" + TIME);

    String history = succeeds("history", "--component", "cli/app").out();
    assertThat(history).containsPattern("^ID +KIND +VERSION +ENVIRONMENT +STATE +BY +REQUESTED +FINISHED\n")
        .containsPattern("#" + id + " +deploy +cli/app@1.0.0 +cli-dev +SUCCEEDED +admin +" + TIME + " +" + TIME);
  }

  @Test
  void deployFollowsAFailingDeploymentByItsStreamToItsEndAndExitsWith8() {
    CliRunner.Result deploy = gantry.run("deploy", "cli/failing@1.0.0", "--to", "cli-dev", "--reason", "fails");
    long id = id(deploy.out(), "deployment #(\\d+): cli/failing@1.0.0 to cli-dev");

    assertThat(deploy.exitCode()).as(deploy.err()).isEqualTo(8);
    String record = succeeds("logs", String.valueOf(id)).out();
    assertThat(deploy.out()).as("every entry of the record, once, in order, between the first and last line")
        .isEqualTo("deployment #" + id + ": cli/failing@1.0.0 to cli-dev (model cli-stops, stage dev)\n" + record
            + "deployment #" + id + " failed (./gantry status " + id + " shows each target)\n");
    assertThat(record).contains("nothing listens on 8080");
    assertThat(deploy.err()).startsWith("error: deployment #" + id + " ended FAILED: ");
  }

  @Test
  void logsFollowPrintsTheRecordUntilTheDeploymentSucceeds() {
    long id = id(succeeds("deploy", "cli/app@1.0.0", "--to", "cli-dev", "--detach").out(),
        "deployment #(\\d+) requested: cli/app@1.0.0 to cli-dev");

    CliRunner.Result logs = succeeds("logs", String.valueOf(id), "-f");

    assertThat(logs.out()).containsPattern(TIME + " \\[cli-dev-1\\] ")
        .endsWith("deployment #" + id + " succeeded (./gantry status " + id + " shows each target)\n");
  }

  @Test
  void cancelStopsADeploymentPlannedForLater() {
    Instant tomorrow = Instant.now().plus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
    CliRunner.Result deploy = succeeds("deploy", "cli/later@1.0.0", "--to", "cli-dev", "--at", tomorrow.toString());
    long id = id(deploy.out(), "deployment #(\\d+) requested: cli/later@1.0.0 to cli-dev, planned for " + TIME);

    CliRunner.Result cancel = succeeds("cancel", String.valueOf(id), "--reason", "not needed after all");

    assertThat(cancel.out()).isEqualTo("deployment #" + id + " cancelled\n");
    assertThat(succeeds("status", String.valueOf(id)).out()).contains("- CANCELLED\n");
    assertThat(succeeds("history", "--state", "cancelled").out()).containsPattern("#" + id + " +deploy +cli/later");
    CliRunner.Result again = gantry.run("cancel", String.valueOf(id), "--reason", "twice");
    assertThat(again.exitCode()).isEqualTo(5);
    assertThat(again.err()).startsWith("error: ").contains("(HTTP 409)");
  }

  @Test
  void decideAbortEndsADeploymentThatWaitsForADecisionOnItsFailedTarget() {
    long id = id(succeeds("deploy", "cli/broken@1.0.0", "--to", "cli-dev", "--detach").out(),
        "deployment #(\\d+) requested");
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() ->
        events(id).stream().anyMatch(e -> "decision".equals(e.path("waitingFor").asString(null))));

    CliRunner.Result decide = succeeds("decide", String.valueOf(id), "abort", "--target", "cli-dev-1", "--reason",
        "the check fails; investigate");
    CliRunner.Result logs = gantry.run("logs", String.valueOf(id), "-f");

    assertThat(decide.out()).isEqualTo("deployment #" + id + ": abort cli-dev-1 recorded\n");
    assertThat(logs.exitCode()).as(logs.err()).isEqualTo(8);
    assertThat(logs.out()).contains("the check found nothing to serve");
    assertThat(logs.err()).startsWith("error: deployment #" + id + " ended ");
  }

  @Test
  void abortStopsTheRunningStepAndLogsFollowShowsTheDeploymentEndWithTheReason() throws IOException {
    Path pid = dataDir.resolve("sleeping.pid");
    push("cli/app@2.1.0", "echo $$ > '" + pid + "'; exec sleep 600");
    long id = id(succeeds("deploy", "cli/app@2.1.0", "--to", "cli-dev", "--detach").out(),
        "deployment #(\\d+) requested");
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> Files.exists(pid));

    CliRunner.Result abort = succeeds("abort", String.valueOf(id), "--reason", "wrong build");
    CliRunner.Result logs = gantry.run("logs", String.valueOf(id), "-f");
    CliRunner.Result again = gantry.run("abort", String.valueOf(id), "--reason", "twice");

    assertThat(abort.out()).isEqualTo("deployment #" + id + " is being aborted; follow it with gantry logs " + id
        + " -f\n");
    assertThat(logs.exitCode()).as(logs.err()).isEqualTo(8);
    assertThat(logs.out()).contains("aborted during step check on cli-dev-1 by admin: wrong build");
    assertThat(logs.err()).startsWith("error: deployment #" + id + " ended ");
    assertThat(succeeds("status", String.valueOf(id)).out()).contains("- FAILED\n");
    long sleeping = Long.parseLong(Files.readString(pid).strip());
    await("the step's process killed").atMost(Duration.ofSeconds(10))
        .until(() -> ProcessHandle.of(sleeping).map(p -> !p.isAlive()).orElse(true));
    assertThat(again.exitCode()).isEqualTo(5);
    assertThat(again.err()).startsWith("error: ").contains("(HTTP 409)");
  }

  @Test
  void resumeEndsThePauseBetweenBatchesAndTheDeploymentGoesOnToTheNextBatch() {
    long id = id(succeeds("deploy", "cli/paused@1.0.0", "--to", "cli-pair", "--detach").out(),
        "deployment #(\\d+) requested");
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() ->
        events(id).stream().anyMatch(e -> "pause".equals(e.path("waitingFor").asString(null))));
    String paused = succeeds("status", String.valueOf(id)).out();

    CliRunner.Result resume = succeeds("resume", String.valueOf(id), "--reason", "the first target looks fine");
    CliRunner.Result logs = gantry.run("logs", String.valueOf(id), "-f");
    CliRunner.Result again = gantry.run("resume", String.valueOf(id), "--reason", "twice");

    assertThat(paused).containsPattern("cli-pair-1 +1 +SUCCEEDED").containsPattern("cli-pair-2 +2 +PENDING");
    assertThat(resume.out()).isEqualTo("deployment #" + id + " resumed: its next batch starts now\n");
    assertThat(logs.exitCode()).as(logs.err()).isZero();
    assertThat(logs.out()).containsPattern("ended early by admin")
        .endsWith("deployment #" + id + " succeeded (./gantry status " + id + " shows each target)\n");
    assertThat(again.exitCode()).isEqualTo(5);
  }

  @Test
  void confirmMeetsTheManualExitCriterionADeploymentWaitsForAndNamingAnotherIsRefused() {
    long id = id(succeeds("deploy", "cli/gated@1.0.0", "--to", "cli-dev", "--detach").out(),
        "deployment #(\\d+) requested");
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() ->
        events(id).stream().anyMatch(e -> "exit_confirmation".equals(e.path("waitingFor").asString(null))));

    String status = succeeds("status", String.valueOf(id)).out();
    CliRunner.Result other = gantry.run("confirm", String.valueOf(id), "--criterion", "exitCriteria[1]", "--note",
        "done");
    CliRunner.Result confirm = succeeds("confirm", String.valueOf(id), "--note", "smoke tested by hand");
    CliRunner.Result logs = gantry.run("logs", String.valueOf(id), "-f");

    assertThat(status).contains("- VERIFYING\n").containsPattern("  waiting for a holder of the role deployment-manager "
        + "to confirm exit criterion exitCriteria\\[0] \\(smoke tested by hand\\) .* \\(wait: exit_confirmation, "
        + "since " + TIME + "\\)\n");
    assertThat(other.exitCode()).isEqualTo(5);
    assertThat(other.err()).contains("waits for exitCriteria[0], not exitCriteria[1]");
    assertThat(confirm.out()).isEqualTo("deployment #" + id + ": exitCriteria[0] confirmed\n");
    assertThat(logs.exitCode()).as(logs.err()).isZero();
    assertThat(logs.out()).contains("criterion exitCriteria[0] confirmed by admin: smoke tested by hand")
        .endsWith("deployment #" + id + " succeeded (./gantry status " + id + " shows each target)\n");
  }

  @Test
  void getShowsWhatIsStoredWithoutJsonOrRowVersions() {
    String version = succeeds("get", "versions", "cli/app@1.0.0").out();
    String component = succeeds("get", "components", "cli/app").out();
    String environments = succeeds("get", "environments").out();

    assertThat(version).contains("version:").contains("artifacts:\n  - path:   check.sh\n")
        .containsPattern("createdAt: +" + TIME);
    assertThat(component).contains("model:").contains("cli-model");
    for (String out : List.of(version, component, environments)) {
      assertThat(out).doesNotContain("rowVersion").doesNotContain("{").doesNotContain("\"");
    }
  }

  @Test
  void versionSbomShowsTheComponentsOfThePushedSbomAsATableAndABrokenSbomIsRefusedAtPush() throws IOException {
    Path files = Files.createDirectories(gantry.cwd.resolve("build/with-sbom"));
    Files.writeString(files.resolve("check.sh"), "exit 0\n");
    try (var in = getClass().getResourceAsStream("/sbom/shop-web.spdx.json")) {
      Files.write(files.resolve("app.spdx.json"), in.readAllBytes());
    }
    succeeds("push", "cli/app@2.0.0", files.toString());

    String table = succeeds("version", "sbom", "cli/app@2.0.0").out();
    assertThat(table).isEqualTo("""
        app.spdx.json: SPDX 2.3, 3 component(s)
        NAME      VERSION  PURL                     LICENCE
        flask     3.1.0    pkg:pypi/flask@3.1.0     BSD-3-Clause
        shop-web  1.0.0    -                        Apache-2.0
        werkzeug  3.1.3    pkg:pypi/werkzeug@3.1.3  BSD-3-Clause
        """);
    assertThat(succeeds("-o", "json", "version", "sbom", "cli/app@2.0.0").out())
        .contains("\"format\" : \"spdx\"").contains("\"purl\" : \"pkg:pypi/flask@3.1.0\"");
    assertThat(succeeds("version", "sbom", "cli/app@1.0.0").out())
        .isEqualTo("cli/app@1.0.0 has no SBOM (a CycloneDX or SPDX JSON file pushed with it)\n");

    Files.writeString(files.resolve("app.spdx.json"), "{\"spdxVersion\": \"SPDX-2.3\",\n  \"name\": }\n");
    CliRunner.Result refused = gantry.run("push", "cli/app@2.0.1", files.toString());
    assertThat(refused.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
    assertThat(refused.err()).contains("SBOM app.spdx.json is not valid: line 2, column 11: not valid JSON: Unexpected character ('}' (code 125)): expected a value");
  }

  @Test
  void tokensAreCreatedListedAndRevokedByTheirNumber() {
    CliRunner.Result created = succeeds("token", "create", "--name", "ci", "--expires-in-days", "30");
    long id = id(created.err(), "Created token (\\d+) \"ci\" for admin, expires " + TIME + "\\.");

    assertThat(succeeds("token", "list").out()).containsPattern("(?m)^" + id + " +ci +admin ");
    assertThat(succeeds("token", "revoke", String.valueOf(id)).out()).isEqualTo("Revoked token " + id + "\n");
    // a call with a body, refused: the server's reason is shown, not only the status
    CliRunner.Result refused = gantry.run("--token", created.out().strip(), "token", "create", "--name", "again");
    assertThat(refused.exitCode()).isNotZero();
    assertThat(refused.err()).contains("(HTTP 401)").contains("the API token \"ci\" was revoked at ");
    CliRunner.Result bad = gantry.run("token", "revoke", "t-7");
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err()).contains("t-7");
  }

  @Test
  void aUserMadeWithTheCliCreatesItsOwnTokenAndIsRefusedOnceDisabledAndTheHistorySaysWhoDidIt() {
    String name = "pat-" + java.util.UUID.randomUUID().toString().substring(0, 8);
    String code = succeeds("user", "create", name, "--role", "auditor").out().strip();
    assertThat(code).startsWith("gte_");
    CliRunner pat = new CliRunner(dir.resolve("pat")).server("http://127.0.0.1:" + port);
    CliRunner.Result made = pat.run("--token", code, "token", "create", "--name", "laptop");
    assertThat(made.exitCode()).as(made.err()).isZero();
    pat.env.put("GANTRY_TOKEN", made.out().strip());
    assertThat(pat.run("get", "environments").exitCode()).isZero();

    assertThat(succeeds("user", "disable", name).out()).containsPattern("disabled: +true");
    CliRunner.Result refused = pat.run("get", "environments");
    assertThat(refused.exitCode()).isEqualTo(6);
    assertThat(refused.err()).contains("disabled");
    assertThat(succeeds("user", "list").out()).containsPattern("(?m)^" + name + " +- +auditor +- +true ");

    String history = succeeds("user", "history", name).out();
    assertThat(history).containsPattern("admin +\\d+ +user-created +" + name)
        .containsPattern(name + " +\\d+ +token-issued +" + name).containsPattern("admin +\\d+ +user-disabled +" + name);
  }

  @Test
  void aRoleBoundWithTheCliReachesItsServiceOnlyAndIsWithdrawnAtOnce() {
    String name = "sam-" + java.util.UUID.randomUUID().toString().substring(0, 8);
    String code = succeeds("user", "create", name).out().strip();
    CliRunner sam = new CliRunner(dir.resolve("sam")).server("http://127.0.0.1:" + port);
    sam.env.put("GANTRY_TOKEN", sam.run("--token", code, "token", "create", "--name", "laptop").out().strip());
    assertThat(sam.run("deploy", "cli/app@1.0.0", "--to", "cli-dev", "--detach").exitCode()).isEqualTo(6);

    assertThat(succeeds("user", "bind", name, "deployment-practitioner", "--service", "cli", "--environment",
        "cli-dev").out()).contains("Bound deployment-practitioner to " + name + " in service cli in environment cli-dev");
    String listed = succeeds("user", "bindings", name).out();
    assertThat(listed).containsPattern(name + " +deployment-practitioner +cli +cli-dev");
    assertThat(gantry.run("user", "bind", name, "auditor").exitCode()).isEqualTo(2);
    CliRunner.Result deploy = sam.run("deploy", "cli/app@1.0.0", "--to", "cli-dev", "--detach");
    assertThat(deploy.exitCode()).as(deploy.err()).isZero();

    long binding = Long.parseLong(listed.lines().filter(l -> l.contains(name)).findFirst().orElseThrow().strip()
        .split(" +")[0]);
    assertThat(succeeds("user", "unbind", String.valueOf(binding)).out()).contains("Withdrew deployment-practitioner");
    assertThat(sam.run("deploy", "cli/app@1.0.0", "--to", "cli-dev", "--detach").exitCode()).isEqualTo(6);
  }

  @Test
  void everyOtherCommandReadsWhatTheRealServerAnswers() {
    long deployment = id(succeeds("deploy", "cli/app@1.0.0", "--to", "cli-dev").out(), "deployment #(\\d+)");
    Instant tomorrow = Instant.now().plus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
    String dayAfter = tomorrow.plus(1, ChronoUnit.DAYS).toString();
    String today = java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString();
    String yesterday = java.time.LocalDate.now(java.time.ZoneOffset.UTC).minusDays(1).toString();
    List<String> outputs = new java.util.ArrayList<>();

    for (String[] command : List.of(
        new String[] {"plan", "-f", "cli.yaml"},
        new String[] {"get", "services"}, new String[] {"get", "services", "cli"},
        new String[] {"get", "components", "--service", "cli"}, new String[] {"get", "versions", "cli/app"},
        new String[] {"get", "environments", "cli-dev"}, new String[] {"get", "targets"},
        new String[] {"get", "targets", "cli-dev-1"}, new String[] {"get", "models"},
        new String[] {"get", "models", "cli-model"},
        new String[] {"model", "history", "cli-model"},
        new String[] {"version", "approve", "cli/app@1.0.0", "--reason", "checked"},
        new String[] {"where"}, new String[] {"where", "--environment", "cli-dev"},
        new String[] {"schedule"}, new String[] {"queue"}, new String[] {"freeze", "list"},
        new String[] {"change", "list"}, new String[] {"release", "list"}, new String[] {"incident", "list"},
        new String[] {"rate", String.valueOf(deployment), "--lead-time", "4", "--quality", "5"},
        new String[] {"metrics", "--from", yesterday, "--to", today},
        new String[] {"metrics", "--only", "dora", "--from", yesterday, "--to", today},
        new String[] {"vsm", "--from", yesterday, "--to", today},
        new String[] {"vsm", "--deployment", String.valueOf(deployment)})) {
      outputs.add(succeeds(command).out());
    }

    long freeze = id(succeeds("freeze", "add", "cli-pause", "--reason", "tests", "--environment", "cli-dev",
        "--from", tomorrow.toString(), "--to", dayAfter).out(), "freeze #(\\d+) \"cli-pause\"");
    outputs.add(succeeds("freeze", "list").out());
    outputs.add(succeeds("freeze", "remove", String.valueOf(freeze), "--reason", "not needed").out());

    String change = succeeds("change", "create", "--title", "cli change", "--type", "normal", "--risk", "low",
        "--impact", "low", "--start", tomorrow.toString(), "--end", dayAfter, "--component", "cli/app",
        "--environment", "cli-dev", "--submit").out();
    Matcher key = Pattern.compile("change (CHG-\\d+) created").matcher(change);
    assertThat(key.find()).as(change).isTrue();
    outputs.add(succeeds("change", "show", key.group(1)).out());
    outputs.add(succeeds("change", "cancel", key.group(1), "--reason", "not needed").out());

    long incident = id(succeeds("incident", "report", "--service", "cli", "--environment", "cli-dev", "--severity",
        "low", "--title", "slow page", "--detected", Instant.now().minusSeconds(60).toString()).out(),
        "incident #(\\d+) recorded");
    outputs.add(succeeds("incident", "resolve", String.valueOf(incident)).out());
    outputs.add(succeeds("incident", "list").out());

    String rel = "cli-" + deployment;
    outputs.add(succeeds("release", "create", rel, "cli/app@1.0.0").out());
    long run = id(succeeds("release", "deploy", rel, "--to", "cli-dev").out(), "release run #(\\d+)");
    outputs.add(succeeds("release", "show", rel).out());
    outputs.add(succeeds("release", "run", String.valueOf(run)).out());

    assertThat(outputs).allSatisfy(out -> assertThat(out).doesNotContain("rowVersion").doesNotContain("{\"")
        .doesNotContainPattern("\"\\w+\" ?:").doesNotContainPattern("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}"));
  }

  @Test
  void secretsAreSetFromAFileOrTheEnvironmentListedWithoutTheirValuesAndDeleted() throws IOException {
    Files.writeString(gantry.cwd.resolve("db-password.txt"), "from-a-file-value\n");
    gantry.env.put("API_KEY_VALUE", "from-the-environment");

    assertThat(succeeds("secret", "set", "db-password", "--from-file", "db-password.txt").out())
        .contains("${secret:db-password}");
    succeeds("secret", "set", "api-key", "--from-env", "API_KEY_VALUE");
    CliRunner.Result both = gantry.run("secret", "set", "x", "--from-file", "db-password.txt", "--from-env", "X");
    assertThat(both.exitCode()).isEqualTo(ExitCode.USAGE);
    String listed = succeeds("secret", "list").out();

    assertThat(listed).contains("db-password", "api-key").doesNotContain("from-a-file-value")
        .doesNotContain("from-the-environment");
    CliRunner.Result traversal = gantry.run("secret", "delete", "../secrets/db-password");
    assertThat(traversal.exitCode()).isNotIn(0, 1);
    assertThat(traversal.err()).contains("Invalid URI");
    CliRunner.Result odd = gantry.run("secret", "delete", "db-password?x=1 \u0001");
    assertThat(odd.exitCode()).isNotIn(0, 1);
    assertThat(odd.err()).contains("\"db-password?x=1").contains("does not exist");
    succeeds("secret", "delete", "api-key");
    assertThat(succeeds("secret", "list").out()).doesNotContain("api-key").contains("db-password");
    assertThat(gantry.run("secret", "delete", "api-key").exitCode()).isNotZero();
  }

  private List<JsonNode> events(long id) {
    JsonNode events = ApiClient.JSON.readTree(succeeds("-o", "json", "logs", String.valueOf(id)).out());
    return events.valueStream().toList();
  }

  private void push(String ref, String check) throws IOException {
    Path files = Files.createDirectories(gantry.cwd.resolve("build").resolve(ref.replace('/', '-')));
    Files.writeString(files.resolve("check.sh"), check + "\n");
    succeeds("push", ref, files.resolve("check.sh").toString());
  }

  private CliRunner.Result succeeds(String... args) {
    CliRunner.Result result = gantry.run(args);
    assertThat(result.exitCode()).as("gantry %s: %s", String.join(" ", args), result.err()).isZero();
    return result;
  }

  private static long id(String text, String pattern) {
    Matcher matcher = Pattern.compile(pattern).matcher(text);
    assertThat(matcher.find()).as("%s in:%n%s", pattern, text).isTrue();
    return Long.parseLong(matcher.group(1));
  }
}
