package io.gantry.cli;

import static io.gantry.cli.FakeGantryServer.json;
import static io.gantry.cli.FakeGantryServer.problem;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

class CliAgainstServerTest {

  static final String PLAN = """
      {"changes": [{"action": "create", "kind": "Environment", "name": "dev", "details": []},
                   {"action": "update", "kind": "Component", "name": "shop/web",
                    "details": ["spec.model: (none) -> in-house-software"]}],
       "summary": {"create": 1, "update": 1, "delete": 0, "unchanged": 12}, "applied": false}""";

  static final String VERSION = """
      {"service": "shop", "component": "web", "version": "1.4.0", "status": "registered",
       "contentDigest": "sha256:abc", "attributes": {}, "artifacts": [{"path": "app.jar", "digest": "sha256:1",
       "size": 5, "url": null}], "rowVersion": 3}""";

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
  void planSendsEveryYamlFileNamedAsTheUserWroteItAndPrintsThePlan() throws IOException {
    Path config = Files.createDirectories(gantry.cwd.resolve("examples/config/models"));
    Files.writeString(config.getParent().resolve("envs.yaml"), "kind: Environment\n");
    Files.writeString(config.resolve("software.yml"), "kind: DeploymentModel\n");
    Files.writeString(config.resolve("notes.txt"), "not configuration");
    server.on("POST", "/config/plan", 200, PLAN);

    CliRunner.Result result = gantry.run("plan", "-f", "examples/config");

    assertThat(result.exitCode()).isZero();
    FakeGantryServer.Request request = server.only();
    assertThat(request.header("Authorization")).isEqualTo("Bearer gty_secret");
    assertThat(request.header("Content-Type")).startsWith("application/json");
    JsonNode body = ApiClient.JSON.readTree(request.text());
    assertThat(body.path("files").valueStream().map(f -> f.path("name").asString()).toList())
        .containsExactly("examples/config/envs.yaml", "examples/config/models/software.yml");
    assertThat(body.path("files").get(0).path("content").asString()).isEqualTo("kind: Environment\n");
    assertThat(body.has("reason")).isFalse();
    assertThat(result.out()).isEqualTo("""
        + create Environment dev
        ~ update Component shop/web
            spec.model: (none) -> in-house-software

        Plan: 1 to create, 1 to change, 0 to delete, 12 unchanged.
        """);
  }

  @Test
  void applySendsTheReasonAndNamesTheDirectoryWhenNoneIsGiven() throws IOException {
    Files.writeString(gantry.cwd.resolve("envs.yaml"), "kind: Environment\n");
    server.on("POST", "/config/apply", 200, PLAN.replace("\"applied\": false", "\"applied\": true"));

    CliRunner.Result defaulted = gantry.run("apply", "-f", "envs.yaml");
    CliRunner.Result given = gantry.run("apply", "-f", "envs.yaml", "--reason", "CHG-42");

    assertThat(defaulted.exitCode()).isZero();
    assertThat(defaulted.out()).contains("Applied: 1 to create, 1 to change, 0 to delete, 12 unchanged.");
    assertThat(ApiClient.JSON.readTree(server.requests.get(0).text()).path("reason").asString())
        .isEqualTo("gantry apply -f envs.yaml");
    assertThat(ApiClient.JSON.readTree(server.requests.get(1).text()).path("reason").asString()).isEqualTo("CHG-42");
    assertThat(ApiClient.JSON.readTree(server.requests.get(1).text()).path("files").get(0).path("name").asString())
        .isEqualTo("envs.yaml");
  }

  @Test
  void planPrintsEachErrorWithFileLineAndColumn() throws IOException {
    Files.writeString(gantry.cwd.resolve("envs.yaml"), "kind: Environment\n");
    server.on("POST", "/config/plan", request -> problem(422, "Invalid input", "2 problems in the configuration", """
        [{"field": "spec.purpose", "message": "must be one of development, test", "file": "envs.yaml",
          "line": 7, "column": 12},
         {"field": "", "message": "duplicate key", "file": "envs.yaml", "line": 3},
         {"field": "metadata.name", "message": "is required"}]"""));

    CliRunner.Result result = gantry.run("plan", "-f", "envs.yaml");

    assertThat(result.exitCode()).isEqualTo(3);
    assertThat(result.out()).isEmpty();
    assertThat(result.err()).isEqualTo("""
        error: Invalid input: 2 problems in the configuration (HTTP 422)
        envs.yaml:7:12: spec.purpose: must be one of development, test
        envs.yaml:3: duplicate key
        metadata.name: is required
        """);
  }

  @Test
  void planOfAMissingDirectoryFailsBeforeAskingTheServer() {
    CliRunner.Result result = gantry.run("plan", "-f", "nowhere");

    assertThat(result.exitCode()).isEqualTo(3);
    assertThat(result.err()).contains("nowhere: no such file or directory");
    assertThat(server.requests).isEmpty();
  }

  @Test
  void getFetchesEveryPageAndPrintsOneRowPerItem() {
    server.on("GET", "/services", request -> {
      boolean first = request.query().contains("page=0");
      List<String> items = new ArrayList<>();
      int from = first ? 0 : 500;
      int to = first ? 500 : 501;
      for (int i = from; i < to; i++) {
        items.add("{\"name\": \"svc-" + i + "\", \"owner\": \"team\", \"labels\": {}, \"rowVersion\": 0}");
      }
      return json(200, "{\"items\": [" + String.join(",", items) + "], \"page\": " + (first ? 0 : 1)
          + ", \"size\": 500, \"total\": 501}");
    });

    CliRunner.Result result = gantry.run("get", "services");

    assertThat(result.exitCode()).isZero();
    assertThat(server.requests).extracting(FakeGantryServer.Request::query)
        .containsExactly("page=0&size=500", "page=1&size=500");
    List<String> lines = result.out().lines().toList();
    assertThat(lines).hasSize(502);
    assertThat(lines.get(0)).startsWith("NAME").contains("OWNER");
    assertThat(lines.get(501)).startsWith("svc-500").contains("team");
  }

  @Test
  void getPassesFiltersAndJsonOutputPrintsTheItems() {
    server.on("GET", "/targets", 200, """
        {"items": [{"name": "web-1", "environment": "staging", "kind": "local", "path": "targets/web-1",
                    "tags": ["web"], "facts": {"os": "linux"}}], "page": 0, "size": 500, "total": 1}""");

    CliRunner.Result table = gantry.run("get", "targets", "--environment", "staging");
    CliRunner.Result json = gantry.run("-o", "json", "get", "targets");

    assertThat(server.requests.getFirst().query()).isEqualTo("environment=staging&page=0&size=500");
    assertThat(table.out()).contains("web-1").contains("targets/web-1").contains("os=linux");
    assertThat(ApiClient.JSON.readTree(json.out()).get(0).path("name").asString()).isEqualTo("web-1");
    assertThat(json.out()).contains("\n  ");
  }

  @Test
  void getOfSomethingThatDoesNotExistExitsWithFour() {
    server.on("GET", "/services/ghost", request -> problem(404, "Not found", "service \\\"ghost\\\" does not exist",
        null));

    CliRunner.Result result = gantry.run("get", "services", "ghost");

    assertThat(result.exitCode()).isEqualTo(4);
    assertThat(result.err()).isEqualTo("error: Not found: service \"ghost\" does not exist (HTTP 404)\n");
  }

  @Test
  void getOfOneVersionShowsItInFull() {
    server.on("GET", "/services/shop/components/web/versions/2.0.0-rc.1+b45", 200, VERSION);

    CliRunner.Result result = gantry.run("get", "versions", "shop/web@2.0.0-rc.1+b45");

    assertThat(result.exitCode()).isZero();
    assertThat(server.only().uri().getRawPath()).endsWith("/versions/2.0.0-rc.1%2Bb45");
    assertThat(result.out()).contains("status:        registered\n").contains("artifacts:\n  - path:   app.jar\n")
        .doesNotContain("rowVersion").doesNotContain("{").doesNotContain("\"");
  }

  @Test
  void pushSendsTheManifestAndEachFileAsAMultipartPart() throws IOException {
    Files.writeString(gantry.cwd.resolve("app.jar"), "JAR");
    Path dist = Files.createDirectories(gantry.cwd.resolve("dist/docs"));
    Files.writeString(dist.resolve("release-notes.md"), "# 1.4.0");
    server.on("POST", "/services/shop/components/web/versions", 201, VERSION);

    CliRunner.Result result = gantry.run("push", "shop/web@1.4.0", "app.jar", "dist", "--attr", "ticket=CHG-1",
        "--url", "https://downloads.example.com/big/image.iso", "--digest", "sha256:" + "A".repeat(64));

    assertThat(result.exitCode()).as(result.err()).isZero();
    FakeGantryServer.Request request = server.only();
    Matcher boundary = Pattern.compile("multipart/form-data; boundary=(.+)").matcher(request.header("Content-Type"));
    assertThat(boundary.matches()).isTrue();
    List<Part> parts = Part.parse(request.text(), boundary.group(1));
    assertThat(parts).extracting(Part::name).containsExactly("manifest", "artifact", "artifact");
    JsonNode manifest = ApiClient.JSON.readTree(parts.get(0).content());
    assertThat(manifest.path("version").asString()).isEqualTo("1.4.0");
    assertThat(manifest.path("attributes").path("ticket").asString()).isEqualTo("CHG-1");
    assertThat(manifest.path("external").get(0).path("path").asString()).isEqualTo("image.iso");
    assertThat(manifest.path("external").get(0).path("digest").asString()).isEqualTo("sha256:" + "a".repeat(64));
    assertThat(parts.get(1).filename()).isEqualTo("app.jar");
    assertThat(parts.get(1).content()).isEqualTo("JAR");
    assertThat(parts.get(2).filename()).isEqualTo("docs/release-notes.md");
    assertThat(parts.get(2).content()).isEqualTo("# 1.4.0");
    assertThat(result.out()).startsWith("Pushed shop/web@1.4.0: status registered");
  }

  @Test
  void aLargePushIsStreamedWhole() throws IOException {
    byte[] big = new byte[6 * 1024 * 1024 + 7];
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) ('a' + i % 26);
    }
    Files.write(gantry.cwd.resolve("image.bin"), big);
    server.on("POST", "/services/shop/components/web/versions", 201, VERSION);

    CliRunner.Result result = gantry.run("push", "shop/web@1.4.0", "image.bin");

    assertThat(result.exitCode()).isZero();
    FakeGantryServer.Request request = server.only();
    assertThat(request.header("Content-Length")).isEqualTo(Integer.toString(request.body().length));
    String boundary = request.header("Content-Type").substring("multipart/form-data; boundary=".length());
    Part file = Part.parse(request.text(), boundary).get(1);
    assertThat(file.filename()).isEqualTo("image.bin");
    assertThat(file.content()).isEqualTo(new String(big, java.nio.charset.StandardCharsets.US_ASCII));
    assertThat(result.err()).contains("uploaded shop/web@1.4.0:");
  }

  @Test
  void pushOfAnIdenticalVersionSaysNothingChanged() throws IOException {
    Files.writeString(gantry.cwd.resolve("app.jar"), "JAR");
    server.on("POST", "/services/shop/components/web/versions", 200, VERSION);

    CliRunner.Result result = gantry.run("push", "shop/web@1.4.0", "app.jar");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).startsWith("Already registered with identical content, nothing changed");
  }

  @Test
  void pushOfAVersionThatExistsWithOtherContentExitsWithFive() throws IOException {
    Files.writeString(gantry.cwd.resolve("app.jar"), "JAR");
    server.on("POST", "/services/shop/components/web/versions", request -> problem(409, "Conflict",
        "version 1.4.0 of shop/web exists with other content", null));

    CliRunner.Result result = gantry.run("push", "shop/web@1.4.0", "app.jar");

    assertThat(result.exitCode()).isEqualTo(5);
    assertThat(result.err()).contains("version 1.4.0 of shop/web exists with other content");
  }

  @Test
  void approveSendsTheRowVersionItHasJustRead() {
    server.on("GET", "/services/shop/components/web/versions/1.4.0", 200, VERSION);
    server.on("PUT", "/services/shop/components/web/versions/1.4.0/status", 200,
        VERSION.replace("registered", "approved"));

    CliRunner.Result result = gantry.run("version", "approve", "shop/web@1.4.0", "--reason", "tested in staging");

    assertThat(result.exitCode()).isZero();
    JsonNode sent = ApiClient.JSON.readTree(server.requests.get(1).text());
    assertThat(sent.path("status").asString()).isEqualTo("approved");
    assertThat(sent.path("reason").asString()).isEqualTo("tested in staging");
    assertThat(sent.path("rowVersion").asLong()).isEqualTo(3);
    assertThat(result.out()).isEqualTo("shop/web@1.4.0 is now approved\n");
  }

  @Test
  void aStaleWithdrawalExitsWithFive() {
    server.on("GET", "/services/shop/components/web/versions/1.4.0", 200, VERSION);
    server.on("PUT", "/services/shop/components/web/versions/1.4.0/status", request -> problem(409,
        "Stale update", "version was changed by someone else", null));

    CliRunner.Result result = gantry.run("version", "withdraw", "shop/web@1.4.0", "--reason", "CVE");

    assertThat(result.exitCode()).isEqualTo(5);
    assertThat(result.err()).startsWith("error: Stale update: version was changed by someone else (HTTP 409)");
  }

  @Test
  void aRefusedTokenExitsWithSixAndSaysWhereTheTokenCameFrom() {
    server.on("GET", "/services", request -> problem(401, "Unauthenticated", "unknown token", null));

    CliRunner.Result result = gantry.run("get", "services");

    assertThat(result.exitCode()).isEqualTo(6);
    assertThat(result.err()).contains("Unauthenticated").contains("GANTRY_TOKEN");
  }

  @Test
  void aForbiddenRequestExitsWithSix() {
    server.on("POST", "/tokens", request -> problem(403, "Forbidden", "needs deployment-manager", null));

    assertThat(gantry.run("token", "create").exitCode()).isEqualTo(6);
  }

  @Test
  void globalOptionsWorkBeforeAndAfterTheCommand() {
    gantry.env.clear();
    server.on("GET", "/models", 200, "{\"items\": [], \"page\": 0, \"size\": 500, \"total\": 0}");

    CliRunner.Result before = gantry.run("--server", server.url(), "--token", "gty_a", "get", "models");
    CliRunner.Result after = gantry.run("get", "models", "--server", server.url(), "--token", "gty_b");

    assertThat(before.exitCode()).isZero();
    assertThat(after.exitCode()).isZero();
    assertThat(server.requests).extracting(r -> r.header("Authorization"))
        .containsExactly("Bearer gty_a", "Bearer gty_b");
  }

  @Test
  void anUnreachableServerExitsWithSevenNamingTheUrlAndSuggestingGantryUp() throws IOException {
    int freePort;
    try (ServerSocket socket = new ServerSocket(0)) {
      freePort = socket.getLocalPort();
    }
    gantry.server("http://127.0.0.1:" + freePort);

    CliRunner.Result result = gantry.run("get", "services");

    assertThat(result.exitCode()).isEqualTo(7);
    assertThat(result.err()).contains("http://127.0.0.1:" + freePort).contains("./gantry up");
    assertThat(result.err()).doesNotContain("Exception");
  }

  @Test
  void tokenCreatePrintsTheTokenOnceWithAWarning() {
    server.on("POST", "/tokens", 201, """
        {"id": 7, "name": "ci", "user": "alice", "prefix": "gty_abcd", "expiresAt": "2026-06-01T00:00:00Z",
         "token": "gty_abcdefgh"}""");

    CliRunner.Result result = gantry.run("token", "create", "--name", "ci", "--expires-in-days", "30");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).isEqualTo("gty_abcdefgh\n");
    assertThat(result.err()).contains("shown only this once");
    JsonNode sent = ApiClient.JSON.readTree(server.only().text());
    assertThat(sent.path("name").asString()).isEqualTo("ci");
    assertThat(sent.path("expiresInDays").asInt()).isEqualTo(30);
    assertThat(sent.has("user")).isFalse();
  }

  @Test
  void statusWithoutAnIdListsTheTwentyMostRecentDeploymentsWithTheirKind() {
    server.on("GET", "/deployments", 200, """
        {"items": [{"id": 31, "kind": "undeploy", "component": "shop/web", "version": "1.4.0", "environment": "test",
                    "state": "SUCCEEDED", "requestedBy": "alice", "requestedAt": "2026-12-03T18:41:19Z",
                    "finishedAt": "2026-12-03T18:41:25.5Z", "targets": null}],
         "page": 0, "size": 20, "total": 31}""");

    CliRunner.Result result = gantry.run("status");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(server.only().query()).isEqualTo("size=20");
    assertThat(result.out()).isEqualTo("""
        ID   KIND      VERSION         ENVIRONMENT  STATE      BY     REQUESTED                FINISHED
        #31  undeploy  shop/web@1.4.0  test         SUCCEEDED  alice  2026-12-03 18:41:19 UTC  2026-12-03 18:41:25 UTC
        """);
  }

  @Test
  void statusOfACanaryShowsItsAnalysisRoundByRoundWithTheShareThatPassedSoFar() {
    server.on("GET", "/deployments/12", 200, """
        {"id": 12, "kind": "deploy", "component": "shop/web", "version": "2.0.0", "environment": "live",
         "model": "software", "modelVersion": 3, "stage": "live", "state": "EXECUTING", "requestedBy": "bob",
         "requestedAt": "2026-12-03T18:00:00Z", "outcome": null,
         "targets": [{"target": "web1", "batch": 0, "state": "SUCCEEDED", "previousVersion": "1.0.0", "outcome": null},
                     {"target": "web2", "batch": 1, "state": "PENDING", "previousVersion": "1.0.0", "outcome": null}],
         "canary": {"targets": ["web1"], "startedAt": "2026-12-03T18:10:00Z", "endedAt": null, "passed": null,
                    "outcome": null,
                    "rounds": [{"round": 1, "startedAt": "2026-12-03T18:10:30Z", "passed": 1, "total": 1,
                                "results": "healthy on web1 passed", "passedSoFar": 1, "totalSoFar": 1, "ratio": 1.0},
                               {"round": 2, "startedAt": "2026-12-03T18:11:00Z", "passed": 0, "total": 1,
                                "results": "healthy on web1 failed: HTTP 503", "passedSoFar": 1, "totalSoFar": 2,
                                "ratio": 0.5}]}}""");
    server.on("GET", "/deployments/12/events", 200, "[]"); // an unfinished deployment's status asks what it waits for

    CliRunner.Result result = gantry.run("status", "12");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out()).contains("""
        canary analysis on web1, started 2026-12-03 18:10:00 UTC (running)
        ROUND  AT                       PASSED  SO FAR      RESULTS
        1      2026-12-03 18:10:30 UTC  1/1     1/1 = 1.00  healthy on web1 passed
        2      2026-12-03 18:11:00 UTC  0/1     1/2 = 0.50  healthy on web1 failed: HTTP 503
        """);
  }

  @Test
  void statusShowsAnIdleSlotsAnalysisBeforeItsSwitchAndAVerificationAnalysisWithTheirMeasurements() {
    server.on("GET", "/deployments/14", 200, """
        {"id": 14, "kind": "deploy", "component": "shop/web", "version": "2.0.0", "environment": "live",
         "model": "software", "modelVersion": 3, "stage": "live", "state": "VERIFYING", "requestedBy": "bob",
         "requestedAt": "2026-12-03T18:00:00Z", "outcome": null,
         "targets": [{"target": "web1", "batch": 0, "state": "SUCCEEDED", "previousVersion": "1.0.0", "outcome": null}],
         "canary": null,
         "analyses": [{"kind": "switch", "target": "web1", "startedAt": "2026-12-03T18:10:00Z",
                       "endedAt": "2026-12-03T18:10:31Z", "passed": true,
                       "outcome": "analysis of the idle slot green on web1 passed: 1 of 1",
                       "rounds": [{"round": 1, "startedAt": "2026-12-03T18:10:30Z", "passed": 1, "total": 1,
                                   "results": "metric error-rate passed: 0, 0 is within max 0.05",
                                   "passedSoFar": 1, "totalSoFar": 1, "ratio": 1.0,
                                   "measurements": [{"metric": "error-rate",
                                     "query": "max(errors{target=~\\"web1\\", slot=\\"green\\"})", "answer": "0",
                                     "sampledAt": "2026-12-03T18:10:30Z", "measuredAt": "2026-12-03T18:10:30Z",
                                     "verdict": "PASSED", "countedPassed": true,
                                     "reason": "0 is within max 0.05"}]}]},
                      {"kind": "verification", "target": null, "startedAt": "2026-12-03T18:11:00Z",
                       "endedAt": null, "passed": null, "outcome": null, "rounds": []}]}""");
    server.on("GET", "/deployments/14/events", 200, "[]");

    CliRunner.Result result = gantry.run("status", "14");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out()).contains("""
        analysis of the idle slot on web1 before its switch, started 2026-12-03 18:10:00 UTC: analysis of the idle \
        slot green on web1 passed: 1 of 1
        ROUND  AT                       PASSED  SO FAR      RESULTS
        1      2026-12-03 18:10:30 UTC  1/1     1/1 = 1.00  metric error-rate passed: 0, 0 is within max 0.05
        """).contains("""
        ROUND  METRIC      VERDICT  ANSWER  QUERY AS SENT                              WHY
        1      error-rate  passed   0       max(errors{target=~"web1", slot="green"})  0 is within max 0.05
        """).contains("verification analysis, started 2026-12-03 18:11:00 UTC (running)");
  }

  @Test
  void statusOfACanaryShowsEachMetricMeasurementWithTheQueryAsSentAndItsVerdict() {
    server.on("GET", "/deployments/13", 200, """
        {"id": 13, "kind": "deploy", "component": "shop/web", "version": "2.0.0", "environment": "live",
         "model": "software", "modelVersion": 3, "stage": "live", "state": "ROLLED_BACK", "requestedBy": "bob",
         "requestedAt": "2026-12-03T18:00:00Z", "outcome": "canary analysis failed",
         "targets": [{"target": "web1", "batch": 0, "state": "ROLLED_BACK", "previousVersion": "1.0.0", "outcome": null}],
         "canary": {"targets": ["web1"], "startedAt": "2026-12-03T18:10:00Z", "endedAt": "2026-12-03T18:10:31Z",
                    "passed": false, "outcome": "canary analysis failed: 0 of 1",
                    "rounds": [{"round": 1, "startedAt": "2026-12-03T18:10:30Z", "passed": 0, "total": 1,
                                "results": "metric error-rate failed: 0.3, 0.3 is above max 0.05",
                                "passedSoFar": 0, "totalSoFar": 1, "ratio": 0.0,
                                "measurements": [{"metric": "error-rate", "query": "max(errors{target=~\\"web1\\"})",
                                  "answer": "0.3", "sampledAt": "2026-12-03T18:10:30Z",
                                  "measuredAt": "2026-12-03T18:10:30Z", "verdict": "FAILED", "countedPassed": false,
                                  "reason": "0.3 is above max 0.05"}]}]}}""");
    server.on("GET", "/deployments/13/events", 200, "[]");

    CliRunner.Result result = gantry.run("status", "13");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out()).contains("""
        ROUND  METRIC      VERDICT  ANSWER  QUERY AS SENT                WHY
        1      error-rate  failed   0.3     max(errors{target=~"web1"})  0.3 is above max 0.05
        """);
  }

  @Test
  void statusOfABlueGreenDeploymentShowsTheSlotEachTargetWentToAndTheLiveSlotThere() {
    server.on("GET", "/deployments/40", 200, """
        {"id": 40, "kind": "deploy", "component": "shop/web", "version": "2.0.0", "environment": "test",
         "model": "software", "modelVersion": 1, "stage": "test", "state": "ROLLED_BACK", "requestedBy": "alice",
         "requestedAt": "2026-12-03T18:41:19Z", "finishedAt": "2026-12-03T18:45:00Z",
         "outcome": "every target touched serves from the slot it served from",
         "targets": [{"target": "t1", "batch": 0, "state": "ROLLED_BACK", "previousVersion": "1.0.0",
                      "outcome": "runs 1.0.0 again in slot blue", "slot": "green", "previousSlot": "blue",
                      "liveSlot": "blue"}]}""");

    CliRunner.Result result = gantry.run("status", "40");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out()).containsPattern("TARGET +BATCH +STATE +PREVIOUS +SLOT +LIVE +OUTCOME")
        .containsPattern("t1 +1 +ROLLED_BACK +1\\.0\\.0 +green +blue +runs 1\\.0\\.0 again in slot blue");
  }

  @Test
  void tokenCreateHasNoOptionToNameAnotherUser() {
    CliRunner.Result result = gantry.run("token", "create", "--user", "bob");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("--user");
    assertThat(server.requests).isEmpty();
  }

  @Test
  void tokenRevokeNamesTheTokensRevokedWithIt() {
    server.on("DELETE", "/tokens/7", 200, """
        {"revoked": [{"id": 7, "name": "ci", "revokedReason": "revoked by alice"},
                     {"id": 9, "name": "nightly", "revokedReason": "revoked with token 7, which made it"}]}""");

    CliRunner.Result result = gantry.run("token", "revoke", "7");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).isEqualTo("Revoked token 7\nRevoked token 9 \"nightly\": revoked with token 7, which made it\n");
  }

  @Test
  void tokenCreateSaysWhenTheServerRemovedTheFirstAdministratorsTokenFile() {
    server.on("POST", "/tokens", 201, """
        {"id": 8, "name": "laptop", "user": "admin", "prefix": "gty_abcd", "expiresAt": "2026-06-01T00:00:00Z",
         "token": "gty_abcdefgh", "adminTokenFileRemoved": true}""");

    CliRunner.Result result = gantry.run("token", "create", "--name", "laptop");

    assertThat(result.out()).isEqualTo("gty_abcdefgh\n");
    assertThat(result.err()).contains("removed the first administrator's token file");
  }

  @Test
  void userCreatePrintsOnlyTheEnrolmentCodeOnStdoutAndSendsTheRoles() {
    server.on("POST", "/users", 201, """
        {"name": "bob", "roles": ["auditor", "supplier"], "disabled": false,
         "enrolment": {"id": 12, "user": "bob", "code": "gte_abcdefgh", "expiresAt": "2026-06-01T00:00:00Z"}}""");

    CliRunner.Result result = gantry.run("user", "create", "bob", "--role", "auditor", "--role", "supplier");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out()).isEqualTo("gte_abcdefgh\n");
    assertThat(result.err()).contains("Created user bob").contains("usable once").contains("token create");
    JsonNode sent = ApiClient.JSON.readTree(server.only().text());
    assertThat(sent.path("roles")).extracting(JsonNode::asString).containsExactly("auditor", "supplier");
  }

  @Test
  void userDisableEnableAndUpdateSendOnlyWhatTheyChange() {
    server.on("PATCH", "/users/bob", 200, """
        {"name": "bob", "roles": ["auditor"], "disabled": true}""");

    assertThat(gantry.run("user", "disable", "bob").exitCode()).isZero();
    assertThat(gantry.run("user", "enable", "bob").exitCode()).isZero();
    assertThat(gantry.run("user", "update", "bob", "--role", "auditor").exitCode()).isZero();

    assertThat(server.requests).extracting(r -> r.method() + " " + r.text()).containsExactly(
        "PATCH {\"disabled\":true}", "PATCH {\"disabled\":false}", "PATCH {\"roles\":[\"auditor\"]}");
  }

  @Test
  void tokenRevokeDeletesTheToken() {
    server.on("DELETE", "/tokens/7", request -> new FakeGantryServer.Reply(204, "", ""));

    CliRunner.Result result = gantry.run("token", "revoke", "7");

    assertThat(result.exitCode()).isZero();
    assertThat(server.only().method()).isEqualTo("DELETE");
    assertThat(result.out()).isEqualTo("Revoked token 7\n");
  }

  @Test
  void modelDiffAsksForTheChosenVersionsAndPrintsTheDiff() {
    server.on("GET", "/models/in-house-software/diff", 200, """
        {"model": "in-house-software", "from": 1, "to": 3, "diff": "--- v1\\n+++ v3\\n-a\\n+b\\n"}""");

    CliRunner.Result result = gantry.run("model", "diff", "in-house-software", "--from", "1", "--to", "3");

    assertThat(result.exitCode()).isZero();
    assertThat(server.only().query()).isEqualTo("from=1&to=3");
    assertThat(result.out()).isEqualTo("--- v1\n+++ v3\n-a\n+b\n");
  }

  @Test
  void modelHistoryListsEveryVersionNewestFirstWithItsStateAndDecisions() {
    server.on("GET", "/models/in-house-software/versions", 200, """
        [{"number": 2, "author": "bob", "reason": "add staging", "createdAt": "2026-02-01T10:00:00Z",
          "specDigest": "sha256:b", "state": "proposed", "inForceAt": null, "awaits": ["alice", "carol"],
          "decisions": [{"user": "alice", "decision": "agree", "comment": "fine"}]},
         {"number": 1, "author": "alice", "reason": "first", "createdAt": "2026-01-01T10:00:00Z",
          "specDigest": "sha256:a", "state": "in-force", "inForceAt": "2026-01-01T10:05:00Z", "decisions": []}]""");

    CliRunner.Result result = gantry.run("model", "history", "in-house-software");

    assertThat(result.out()).isEqualTo("""
        VERSION  STATE     AUTHOR  CREATED AT               IN FORCE AT              DECISIONS                            REASON
        2        proposed  bob     2026-02-01 10:00:00 UTC  -                        alice agreed: "fine"; carol awaited  add staging
        1        in-force  alice   2026-01-01 10:00:00 UTC  2026-01-01 10:05:00 UTC  -                                    first
        """);
  }

  @Test
  void anErrorThatIsNotAProblemDocumentIsStillReadable() {
    server.on("GET", "/services", request -> new FakeGantryServer.Reply(502, "text/plain", "bad gateway"));

    CliRunner.Result result = gantry.run("get", "services");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).isEqualTo("error: HTTP 502 from " + server.url() + ": bad gateway\n");
  }

  /** One part of a multipart body (text only, which is all these tests send). */
  record Part(String name, String filename, String content) {

    static List<Part> parse(String body, String boundary) {
      List<Part> parts = new ArrayList<>();
      String[] chunks = body.split(Pattern.quote("--" + boundary));
      for (int i = 1; i < chunks.length; i++) {
        String chunk = chunks[i];
        if (chunk.startsWith("--")) {
          break;
        }
        int split = chunk.indexOf("\r\n\r\n");
        String head = chunk.substring(2, split);
        String content = chunk.substring(split + 4, chunk.length() - 2);
        Matcher name = Pattern.compile("name=\"([^\"]*)\"").matcher(head);
        Matcher filename = Pattern.compile("filename=\"([^\"]*)\"").matcher(head);
        parts.add(new Part(name.find() ? name.group(1) : null, filename.find() ? filename.group(1) : null,
            content));
      }
      return parts;
    }
  }
}
