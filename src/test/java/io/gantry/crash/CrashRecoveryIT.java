package io.gantry.crash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gantry.testing.TestDatabase;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Kills the real server process (SIGKILL) at ten points of a 20-target rolling deployment and starts
 * it again each time; the deployment must still reach its correct end, with nothing lost from its
 * record and each interruption in it. Kills it too while its triggers fire for pushed versions: each
 * version is still requested exactly once; while a deployment waits for a person to confirm its manual
 * exit criterion: it still waits after the restart, and succeeds once, when confirmed; and a canary killed
 * in its pause and again mid-analysis keeps its pause and runs every round of its analysis once; and a
 * blue-green target killed mid-switch keeps a live slot and switches once more on restart. Runs the
 * packaged jar, on H2 and on PostgreSQL; the manual-criterion, canary and blue-green cases on
 * PostgreSQL only.
 */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
class CrashRecoveryIT {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final int TARGETS = 20;
  /** Kill the server when the deployment's record has reached these many entries. */
  private static final int[] KILL_AT = {3, 8, 20, 35, 55, 75, 100, 125, 150, 175};

  private final TestDatabase database;
  private final List<String> databaseArgs = new ArrayList<>();
  @TempDir Path dir;
  private Process server;
  private int port;

  CrashRecoveryIT(TestDatabase database) {
    this.database = database;
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.destroyForcibly();
    }
  }

  @Test
  void a_deployment_killed_at_ten_points_reaches_its_correct_end_and_its_record_shows_each_interruption()
      throws Exception {
    useDatabase();
    Path config = writeConfig(TARGETS, "");
    start(config);
    String token = Files.readString(dir.resolve("data/admin.token")).trim();
    push(token, "1.0.0");
    long id = post(token, "/api/v1/deployments", Map.of("component", "crash/app", "version", "1.0.0",
        "environment", "crash", "reason", "crash test")).path("id").asLong();

    int kills = 0;
    for (int killAt : KILL_AT) {
      Instant deadline = Instant.now().plusSeconds(120);
      while (events(token, id).size() < killAt && !finished(token, id)) {
        assertThat(Instant.now()).as("the deployment advances to %d record entries", killAt).isBefore(deadline);
        Thread.sleep(20);
      }
      if (finished(token, id)) {
        break;
      }
      server.destroyForcibly().waitFor();
      kills++;
      start(config);
    }

    Instant deadline = Instant.now().plusSeconds(180);
    while (!finished(token, id)) {
      assertThat(Instant.now()).as("the deployment ends after the last restart").isBefore(deadline);
      Thread.sleep(100);
    }

    JsonNode deployment = get(token, "/api/v1/deployments/" + id);
    assertThat(kills).as("kills before the deployment ended").isGreaterThanOrEqualTo(10);
    assertThat(deployment.path("state").asString()).as(deployment.path("outcome").asString()).isEqualTo("SUCCEEDED");
    for (JsonNode target : deployment.path("targets")) {
      assertThat(target.path("state").asString()).isEqualTo("SUCCEEDED");
      Path root = dir.resolve("targets").resolve(target.path("target").asString()).resolve("crash.app");
      assertThat(Files.readString(root.resolve("deployed.txt")).trim()).isEqualTo("1.0.0");
      assertThat(Files.readSymbolicLink(root.resolve("current")).toString()).endsWith("1.0.0");
    }
    JsonNode events = events(token, id);
    List<String> transitions = new ArrayList<>();
    long lastId = 0;
    int interruptions = 0;
    for (JsonNode e : events) {
      assertThat(e.path("id").asLong()).isGreaterThan(lastId);
      lastId = e.path("id").asLong();
      if (e.path("kind").asString().equals("TRANSITION")) {
        transitions.add(e.path("to").asString());
      }
      if (e.path("kind").asString().equals("INTERRUPTION")) {
        interruptions++;
      }
    }
    assertThat(transitions).containsExactly("REQUESTED", "PLANNED", "COMPONENTS_VERIFIED", "ENVIRONMENT_VERIFIED",
        "EXECUTING", "VERIFYING", "SUCCEEDED");
    assertThat(interruptions).as("interruptions recorded").isGreaterThanOrEqualTo(kills - 1);
  }

  @Test
  void a_server_killed_again_and_again_while_its_triggers_fire_requests_each_pushed_version_exactly_once()
      throws Exception {
    // a cause is claimed once by a database constraint on either database; run once to keep the suite's time
    onceOnPostgresql();
    useDatabase();
    Path config = writeConfig(2, "  triggers:\n    - {type: version-registered, stage: crash}\n");
    start(config);
    String token = Files.readString(dir.resolve("data/admin.token")).trim();
    List<String> versions = List.of("1.0.1", "1.0.2", "1.0.3", "1.0.4", "1.0.5", "1.0.6");
    for (int i = 0; i < versions.size(); i++) {
      push(token, versions.get(i));
      if (i % 2 == 1) {
        // the sweep looks every 100 ms: kill it at different points of firing for what was just pushed
        Thread.sleep(40L * i);
        server.destroyForcibly().waitFor();
        start(config);
      }
    }

    Instant deadline = Instant.now().plusSeconds(180);
    JsonNode items;
    while (true) {
      items = get(token, "/api/v1/deployments?environment=crash&size=100").path("items");
      boolean allEnded = items.size() >= versions.size();
      for (JsonNode d : items) {
        allEnded &= List.of("SUCCEEDED", "FAILED", "ROLLED_BACK", "CANCELLED").contains(d.path("state").asString());
      }
      if (allEnded) {
        break;
      }
      assertThat(Instant.now()).as("every pushed version is deployed after the last restart").isBefore(deadline);
      Thread.sleep(200);
    }
    List<String> deployed = new ArrayList<>();
    for (JsonNode d : items) {
      deployed.add(d.path("version").asString());
      assertThat(d.path("requestedBy").asString()).startsWith("trigger:version-registered(crash)");
      assertThat(d.path("state").asString()).as(d.path("outcome").asString()).isEqualTo("SUCCEEDED");
    }
    assertThat(deployed).as("one deployment per pushed version, none twice").containsExactlyInAnyOrderElementsOf(versions);
  }

  @Test
  void a_server_killed_while_a_manual_exit_criterion_waits_still_waits_after_restart_and_succeeds_once_confirmed()
      throws Exception {
    onceOnPostgresql();
    useDatabase();
    Path config = writeConfig(2, "", ROLLING, "      exitCriteria:\n"
        + "        - {type: manual, description: smoke tested by hand, role: deployment-manager}\n");
    start(config);
    String token = Files.readString(dir.resolve("data/admin.token")).trim();
    push(token, "1.0.0");
    long id = post(token, "/api/v1/deployments", Map.of("component", "crash/app", "version", "1.0.0",
        "environment", "crash", "reason", "crash test")).path("id").asLong();
    awaitExitConfirmationWait(token, id);

    server.destroyForcibly().waitFor();
    start(config);
    // the restarted engine looks at the deployment again every second (its wait-recheck) and keeps waiting
    Instant looked = Instant.now().plusSeconds(3);
    while (Instant.now().isBefore(looked)) {
      assertThat(get(token, "/api/v1/deployments/" + id).path("state").asString()).as("before it is confirmed")
          .isEqualTo("VERIFYING");
      Thread.sleep(100);
    }
    awaitExitConfirmationWait(token, id);
    JsonNode confirmed = post(token, "/api/v1/deployments/" + id + "/confirmations",
        Map.of("decision", "confirm", "note", "smoke tested after the restart"));

    Instant deadline = Instant.now().plusSeconds(60);
    while (!finished(token, id)) {
      assertThat(Instant.now()).as("the deployment ends once confirmed").isBefore(deadline);
      Thread.sleep(100);
    }
    JsonNode deployment = get(token, "/api/v1/deployments/" + id);
    assertThat(confirmed.path("step").asString()).isEqualTo("exitCriteria[0]");
    assertThat(deployment.path("state").asString()).as(deployment.path("outcome").asString()).isEqualTo("SUCCEEDED");
    assertThat(deployment.path("outcome").asString()).contains("every exit criterion is met");
    List<String> transitions = new ArrayList<>();
    int confirmations = 0;
    for (JsonNode e : events(token, id)) {
      if (e.path("kind").asString().equals("TRANSITION")) {
        transitions.add(e.path("to").asString());
      }
      if (e.path("message").asString().startsWith("criterion exitCriteria[0] confirmed by admin")) {
        confirmations++;
      }
    }
    assertThat(transitions).containsExactly("REQUESTED", "PLANNED", "COMPONENTS_VERIFIED", "ENVIRONMENT_VERIFIED",
        "EXECUTING", "VERIFYING", "SUCCEEDED");
    assertThat(confirmations).isEqualTo(1);
    for (JsonNode target : deployment.path("targets")) {
      assertThat(target.path("state").asString()).isEqualTo("SUCCEEDED");
      long acceptance = 0;
      for (JsonNode step : target.path("steps")) {
        acceptance += step.path("phase").asString().equals("verify") ? 1 : 0;
      }
      assertThat(acceptance).as("acceptance checks run on %s", target.path("target").asString()).isEqualTo(1);
    }
    assertThat(get(token, "/api/v1/deployments?environment=crash&size=100").path("items")).hasSize(1);
  }

  private void awaitExitConfirmationWait(String token, long id) throws Exception {
    Instant deadline = Instant.now().plusSeconds(120);
    while (true) {
      JsonNode last = null;
      for (JsonNode e : events(token, id)) {
        if (e.path("kind").asString().equals("WAIT")) {
          last = e;
        }
      }
      if (last != null && last.path("waitingFor").asString().equals("exit_confirmation")) {
        return;
      }
      assertThat(finished(token, id)).as("the deployment ended without waiting for its exit criterion").isFalse();
      assertThat(Instant.now()).as("the deployment waits for its exit criterion").isBefore(deadline);
      Thread.sleep(100);
    }
  }

  @Test
  void a_canary_killed_in_its_pause_and_mid_analysis_keeps_the_pause_and_runs_every_round_once() throws Exception {
    onceOnPostgresql();
    useDatabase();
    Path config = writeConfig(3, "", """
        {type: canary, canary: {share: 1, pause: 3s, analysis: {checks: [{name: watch, type: shell, \
        command: "test -s deployed.txt", idempotent: true}], interval: 1s, duration: 6s}}}""", "");
    start(config);
    String token = Files.readString(dir.resolve("data/admin.token")).trim();
    push(token, "1.0.0");
    long id = post(token, "/api/v1/deployments", Map.of("component", "crash/app", "version", "1.0.0",
        "environment", "crash", "reason", "crash test")).path("id").asLong();

    Instant deadline = Instant.now().plusSeconds(120);
    while (!lastWaitIs(token, id, "canary_pause")) {
      assertThat(Instant.now()).as("the canary reaches its pause").isBefore(deadline);
      Thread.sleep(20);
    }
    server.destroyForcibly().waitFor();
    start(config);
    while (rounds(token, id) < 2) {
      assertThat(finished(token, id)).as("the deployment is still in its analysis").isFalse();
      assertThat(Instant.now()).as("the analysis reaches its second round").isBefore(deadline);
      Thread.sleep(20);
    }
    server.destroyForcibly().waitFor();
    start(config);
    deadline = Instant.now().plusSeconds(120);
    while (!finished(token, id)) {
      assertThat(Instant.now()).as("the deployment ends after the last restart").isBefore(deadline);
      Thread.sleep(100);
    }

    JsonNode deployment = get(token, "/api/v1/deployments/" + id);
    assertThat(deployment.path("state").asString()).as(deployment.path("outcome").asString()).isEqualTo("SUCCEEDED");
    JsonNode canary = deployment.path("canary");
    List<Integer> rounds = new ArrayList<>();
    canary.path("rounds").forEach(r -> rounds.add(r.path("round").asInt()));
    assertThat(rounds).as("every round once, none lost").containsExactly(1, 2, 3, 4, 5, 6);
    assertThat(canary.path("passed").asBoolean()).isTrue();
    JsonNode canaryTarget = deployment.path("targets").get(0);
    Instant pauseEnds = Instant.parse(canaryTarget.path("finishedAt").asString()).plusSeconds(3);
    assertThat(Instant.parse(canary.path("startedAt").asString())).as("the pause was kept across the restart")
        .isAfterOrEqualTo(pauseEnds);
    for (int round = 1; round <= 6; round++) {
      String phase = "analysis-" + round;
      long succeeded = 0;
      for (JsonNode step : canaryTarget.path("steps")) {
        if (step.path("phase").asString().equals(phase) && step.path("state").asString().equals("SUCCEEDED")) {
          succeeded++;
        }
      }
      assertThat(succeeded).as("the check of %s succeeded once", phase).isEqualTo(1);
    }
    for (JsonNode target : deployment.path("targets")) {
      assertThat(target.path("state").asString()).isEqualTo("SUCCEEDED");
    }
  }

  @Test
  void a_server_killed_mid_switch_leaves_a_live_slot_and_on_restart_switches_to_the_new_slot_once_more() throws Exception {
    onceOnPostgresql();
    useDatabase();
    Path config = writeConfig(1, "", """
        {type: blue-green, blueGreen: {slots: {blue: {port: 18081}, green: {port: 18082}}, \
        switch: {name: proxy, type: shell, command: "touch switch-started; sleep 3; echo $GANTRY_SLOT > proxy.txt"}}}\
        """, "");
    start(config);
    String token = Files.readString(dir.resolve("data/admin.token")).trim();
    Path component = dir.resolve("targets/t1/crash.app");
    push(token, "1.0.0");
    push(token, "2.0.0");
    long first = post(token, "/api/v1/deployments", Map.of("component", "crash/app", "version", "1.0.0",
        "environment", "crash", "reason", "crash test")).path("id").asLong();
    awaitEnd(token, first, "SUCCEEDED");
    Files.delete(component.resolve("switch-started"));

    long second = post(token, "/api/v1/deployments", Map.of("component", "crash/app", "version", "2.0.0",
        "environment", "crash", "reason", "crash test")).path("id").asLong();
    Instant deadline = Instant.now().plusSeconds(120);
    while (!Files.exists(component.resolve("switch-started"))) {
      assertThat(Instant.now()).as("the second deployment reaches its switch").isBefore(deadline);
      Thread.sleep(20);
    }
    server.destroyForcibly().waitFor();
    assertThat(Files.readSymbolicLink(component.resolve("live")).toString())
        .as("a live slot, never none, when killed mid-switch").isIn("blue", "green");
    start(config);
    awaitEnd(token, second, "SUCCEEDED");

    assertThat(Files.readSymbolicLink(component.resolve("live")).toString()).isEqualTo("green");
    assertThat(Files.readString(component.resolve("proxy.txt")).trim()).isEqualTo("green");
    assertThat(Files.readSymbolicLink(component.resolve("green/current")).toString()).endsWith("2.0.0");
    assertThat(Files.readSymbolicLink(component.resolve("blue/current")).toString())
        .as("the slot that served before is kept as it was").endsWith("1.0.0");
    JsonNode target = get(token, "/api/v1/deployments/" + second).path("targets").get(0);
    assertThat(target.path("slot").asString()).isEqualTo("green");
    assertThat(target.path("liveSlot").asString()).isEqualTo("green");
    List<String> switches = new ArrayList<>();
    for (JsonNode step : target.path("steps")) {
      if (step.path("phase").asString().equals("switch")) {
        switches.add(step.path("state").asString());
      }
    }
    assertThat(switches).as("the interrupted switch, then the one run again after the restart").hasSize(2)
        .last().isEqualTo("SUCCEEDED");
    List<String> kinds = new ArrayList<>();
    for (JsonNode e : events(token, second)) {
      kinds.add(e.path("kind").asString());
      if (e.path("kind").asString().equals("SWITCH")) {
        assertThat(e.path("message").asString()).contains("to slot green");
      }
    }
    assertThat(kinds).contains("INTERRUPTION");
    assertThat(kinds.stream().filter("SWITCH"::equals).count()).as("one switch recorded").isEqualTo(1);
  }

  private void awaitEnd(String token, long id, String state) throws Exception {
    Instant deadline = Instant.now().plusSeconds(120);
    while (!finished(token, id)) {
      assertThat(Instant.now()).as("deployment %d ends", id).isBefore(deadline);
      Thread.sleep(100);
    }
    JsonNode deployment = get(token, "/api/v1/deployments/" + id);
    assertThat(deployment.path("state").asString()).as(deployment.path("outcome").asString()).isEqualTo(state);
  }

  private boolean lastWaitIs(String token, long id, String kind) throws Exception {
    JsonNode events = events(token, id);
    return !events.isEmpty() && kind.equals(events.get(events.size() - 1).path("waitingFor").asString(""));
  }

  private int rounds(String token, long id) throws Exception {
    return get(token, "/api/v1/deployments/" + id).path("canary").path("rounds").size();
  }

  /**
   * Cases where the restart, not the database, is under test run once, on the production database, to
   * keep the suite's time.
   */
  private void onceOnPostgresql() {
    assumeTrue(database == TestDatabase.POSTGRESQL, "runs once, on PostgreSQL");
  }

  private void useDatabase() {
    if (database == TestDatabase.POSTGRESQL) {
      for (String p : database.springProperties()) {
        databaseArgs.add("--" + p);
      }
    } else {
      databaseArgs.add("--spring.datasource.url=jdbc:h2:file:" + dir.resolve("data/gantry")
          + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;WRITE_DELAY=0");
    }
  }

  private static final String ROLLING = "{type: rolling, batchSize: 2, maxParallel: 2}";

  private Path writeConfig(int targets, String triggers) throws IOException {
    return writeConfig(targets, triggers, ROLLING, "");
  }

  private Path writeConfig(int targets, String triggers, String strategy, String stageExtra) throws IOException {
    StringBuilder yaml = new StringBuilder("""
        apiVersion: gantry.io/v1
        kind: Environment
        metadata: {name: crash}
        spec: {purpose: test, owner: qa}
        ---
        apiVersion: gantry.io/v1
        kind: Service
        metadata: {name: crash}
        spec: {owner: qa}
        ---
        apiVersion: gantry.io/v1
        kind: Component
        metadata: {name: app}
        spec: {service: crash, type: software}
        ---
        apiVersion: gantry.io/v1
        kind: DeploymentModel
        metadata: {name: crash}
        spec:
          appliesTo: {services: [crash]}
          stages:
            - name: crash
              environment: crash
              strategy: %s
              steps:
                - {name: install, type: artifact.install, destination: releases, idempotent: true}
                - {name: work, type: shell, command: "sleep 0.3; cat current/version.txt > deployed.txt", idempotent: true}
              acceptance:
                - {name: check, type: shell, command: "test -s deployed.txt", idempotent: true}
        """.formatted(strategy)).append(stageExtra).append("""
              failurePolicy: {action: stop}
        """).append(triggers);
    for (int i = 1; i <= targets; i++) {
      yaml.append("---\napiVersion: gantry.io/v1\nkind: Target\nmetadata: {name: t").append(i)
          .append("}\nspec: {environment: crash, kind: local, path: t").append(i).append("}\n");
    }
    Path config = Files.createDirectories(dir.resolve("config"));
    Files.writeString(config.resolve("crash.yaml"), yaml);
    return config;
  }

  private void start(Path config) throws Exception {
    port = freePort();
    List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
        "-jar", Path.of("target/gantry.jar").toAbsolutePath().toString(), "server", "--port", String.valueOf(port),
        "--data-dir", dir.resolve("data").toString(), "--apply", config.toString(), "--",
        "--gantry.engine.lease=2s", "--gantry.engine.poll=100ms", "--gantry.engine.wait-recheck=1s",
        "--gantry.triggers.poll=100ms"));
    command.addAll(databaseArgs);
    server = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("server.log").toFile())).start();
    Instant deadline = Instant.now().plusSeconds(120);
    while (true) {
      if (!server.isAlive()) {
        List<String> log = Files.readAllLines(dir.resolve("server.log"));
        throw new AssertionError("the server exited with " + server.exitValue() + "; the end of its log:\n"
            + String.join("\n", log.stream().filter(l -> !l.startsWith("\tat ")).toList()));
      }
      assertThat(Instant.now()).as("server ready").isBefore(deadline);
      try {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri("/api/v1/health")).build(),
            HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200 && Files.exists(dir.resolve("data/admin.token"))) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(100);
    }
  }

  private void push(String token, String version) throws Exception {
    String boundary = "b" + UUID.randomUUID();
    String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"manifest\"\r\n"
        + "Content-Type: application/json\r\n\r\n{\"version\":\"" + version + "\"}\r\n"
        + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"artifact\"; filename=\"version.txt\"\r\n"
        + "Content-Type: application/octet-stream\r\n\r\n" + version + "\n\r\n--" + boundary + "--\r\n";
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri("/api/v1/services/crash/components/app/versions"))
        .header("Authorization", "Bearer " + token).header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
  }

  private boolean finished(String token, long id) throws Exception {
    return List.of("SUCCEEDED", "FAILED", "ROLLED_BACK", "CANCELLED")
        .contains(get(token, "/api/v1/deployments/" + id).path("state").asString());
  }

  private JsonNode events(String token, long id) throws Exception {
    return get(token, "/api/v1/deployments/" + id + "/events");
  }

  private JsonNode get(String token, String path) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + token)
        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  private JsonNode post(String token, String path, Object body) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + token)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return JSON.readTree(r.body());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
