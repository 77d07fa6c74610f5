package io.gantry.crash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gantry.shared.HaltPoint;
import io.gantry.testing.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;

/**
 * Kills the packaged server at the moments a crash is most likely to do harm, starts it again, and checks what
 * the README promises: a step found started but unfinished after a crash runs again only if it is idempotent, else
 * the deployment stops saying whose outcome is unknown, so that a person checks; nothing of the record is lost, and
 * each interruption is in it. The steps append a line to a log on their target ({@code steps.log}, "VERSION
 * STEP") and are not idempotent, so a step run twice shows as two lines, and the test reads every target's log and
 * every target's record. The moments: a step's end before the server commits it (the step kills its own server),
 * the switch of {@code current} (between the new link made and renamed over the old), and a rollback step; and on
 * PostgreSQL, which production runs on, a trigger's firing (between the deployment requested and the firing
 * recorded), a wait for a person's confirmation, a canary's pause and analysis, and a blue-green switch. The
 * moments are named ({@link HaltPoint}, orders the steps read), never counts of record entries. On H2 the server
 * uses its own default database in its data directory, as shipped.
 */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
class CrashRecoveryIT {

  /** One target at a time, so that what runs when the server dies is known. */
  private static final String ONE_AT_A_TIME = "{type: rolling, batchSize: 1}";
  private static final String INSTALL = "{name: install, type: artifact.install, destination: releases, idempotent: true}";
  /** SIGKILL's exit status: a server killed by its own step. */
  private static final int KILLED = 128 + 9;

  /**
   * One server per database, its data directory and database kept from test to test: each test has an environment,
   * component and targets of its own, and a start is most of what a test costs. A test that needs a halt starts its
   * own; the next test finds the server running, or starts it.
   */
  private static final Map<TestDatabase, CrashServer> SERVERS = new EnumMap<>(TestDatabase.class);
  @TempDir static Path root;

  private final TestDatabase database;
  private Path dir;
  private Path orders;
  private CrashServer server;

  CrashRecoveryIT(TestDatabase database) {
    this.database = database;
  }

  @BeforeEach
  void server(TestInfo test) throws Exception {
    dir = Files.createDirectories(root.resolve(database.name()));
    orders = Files.createDirectories(dir.resolve("orders"));
    server = SERVERS.computeIfAbsent(database, d -> new CrashServer(dir, d, "--gantry.engine.lease=2s",
        "--gantry.engine.poll=100ms", "--gantry.engine.wait-recheck=1s", "--gantry.triggers.poll=100ms"));
    server.note("test " + test.getDisplayName());
  }

  @AfterEach
  void keepLog() throws IOException {
    // the server's log outlives the test's folder, for a failure to be read
    Path logs = Files.createDirectories(Path.of("target/crash-recovery"));
    if (Files.exists(server.log())) {
      Files.copy(server.log(), logs.resolve(database + ".log"), StandardCopyOption.REPLACE_EXISTING);
    }
  }

  @AfterAll
  static void stopServers() throws Exception {
    for (CrashServer s : SERVERS.values()) {
      s.close();
    }
    SERVERS.clear();
  }

  @Test
  void a_step_killed_between_its_end_and_its_commit_is_not_run_again_and_the_deployment_stops_as_unknown()
      throws Exception {
    Model m = new Model("end").targets(4);
    apply(m);
    server.push(m.component(), "1.0.0");
    order("kill-in-work-1.0.0-end-t2");
    long id = server.deploy(m.component(), "1.0.0", m.name);
    assertThat(server.awaitExit()).as("the server, killed by the step it started").isEqualTo(KILLED);
    server.start(config());
    JsonNode deployment = server.awaitEnd(id);

    assertThat(deployment.path("state").asString()).as(deployment.path("outcome").asString()).isEqualTo("FAILED");
    assertThat(deployment.path("outcome").asString()).contains("step work on end-t2 was running when the engine "
        + "stopped; its outcome is unknown and it is not declared idempotent: a person must check end-t2 before "
        + "deploying again");
    assertThat(targetStates(deployment)).containsExactly(Map.entry("end-t1", "SUCCEEDED"),
        Map.entry("end-t2", "FAILED"), Map.entry("end-t3", "PENDING"), Map.entry("end-t4", "PENDING"));
    assertThat(runs(deployment, "end-t1")).containsExactly("execute install SUCCEEDED", "execute work SUCCEEDED",
        "verify check SUCCEEDED");
    assertThat(runs(deployment, "end-t2")).containsExactly("execute install SUCCEEDED", "execute work UNKNOWN");
    assertThat(runs(deployment, "end-t3")).isEmpty();
    assertThat(runs(deployment, "end-t4")).isEmpty();
    assertThat(m.log(1)).containsExactly("1.0.0 work", "1.0.0 check");
    assertThat(m.log(2)).as("the step whose end was not committed ran once").containsExactly("1.0.0 work");
    assertThat(m.log(3)).isEmpty();
    assertThat(m.log(4)).isEmpty();
    assertThat(transitions(id)).containsExactly("REQUESTED", "PLANNED", "COMPONENTS_VERIFIED",
        "ENVIRONMENT_VERIFIED", "EXECUTING", "FAILED");
    assertThat(resumptions(id)).as("one resumption per kill").hasSize(1);
    assertThat(stepInterruptions(id)).containsExactly("end-t2 work: step work on end-t2 was running when the engine "
        + "stopped; its outcome is unknown; it is not declared idempotent, so it is not run again");
  }

  @Test
  void a_server_halted_in_the_switch_of_current_keeps_the_old_release_there_and_installs_again_only_that_target()
      throws Exception {
    Model m = new Model("switch").targets(5);
    apply(m);
    server.push(m.component(), "1.0.0");
    server.push(m.component(), "2.0.0");
    long first = server.deploy(m.component(), "1.0.0", m.name);
    assertThat(server.awaitEnd(first).path("state").asString()).isEqualTo("SUCCEEDED");
    // 2.0.0 switches current on switch-t1, then the halt comes at its switch on switch-t2, then on switch-t3
    server.kill();
    server.startHaltingAt(config(), HaltPoint.CURRENT_SWITCH, 2);
    long id = server.deploy(m.component(), "2.0.0", m.name);
    assertThat(server.awaitExit()).as("halted at the switch on switch-t2").isEqualTo(HaltPoint.STATUS);
    assertThat(m.current(1)).isEqualTo("releases/2.0.0");
    assertThat(m.current(2)).as("current, halted mid-switch, still names the old release").isEqualTo("releases/1.0.0");
    server.startHaltingAt(config(), HaltPoint.CURRENT_SWITCH, 2);
    assertThat(server.awaitExit()).as("halted at the switch on switch-t3").isEqualTo(HaltPoint.STATUS);
    assertThat(m.current(2)).isEqualTo("releases/2.0.0");
    assertThat(m.current(3)).isEqualTo("releases/1.0.0");
    server.start(config());
    JsonNode deployment = server.awaitEnd(id);

    assertThat(deployment.path("state").asString()).as(deployment.path("outcome").asString()).isEqualTo("SUCCEEDED");
    assertThat(targetStates(deployment)).as("every target, each once").hasSize(5)
        .containsOnlyKeys(m.targets()).allSatisfy((target, state) -> assertThat(state).isEqualTo("SUCCEEDED"));
    for (int t = 1; t <= 5; t++) {
      List<String> installs = t == 2 || t == 3 ? List.of("execute install UNKNOWN", "execute install SUCCEEDED")
          : List.of("execute install SUCCEEDED");
      assertThat(runs(deployment, m.target(t))).as("the runs on %s", m.target(t)).containsExactlyElementsOf(
          Stream.concat(installs.stream(), Stream.of("execute work SUCCEEDED", "verify check SUCCEEDED")).toList());
      assertThat(m.log(t)).as("the steps run on %s", m.target(t))
          .containsExactly("1.0.0 work", "1.0.0 check", "2.0.0 work", "2.0.0 check");
      assertThat(m.current(t)).isEqualTo("releases/2.0.0");
      try (Stream<Path> files = Files.list(m.folder(t))) {
        assertThat(files.map(p -> p.getFileName().toString()))
            .as("no half-made link is left beside current on %s", m.target(t)).noneMatch(n -> n.startsWith(".current"));
      }
    }
    assertThat(transitions(id)).containsExactly("REQUESTED", "PLANNED", "COMPONENTS_VERIFIED",
        "ENVIRONMENT_VERIFIED", "EXECUTING", "VERIFYING", "SUCCEEDED");
    assertThat(resumptions(id)).as("one resumption per halt").hasSize(2);
    assertThat(stepInterruptions(id)).containsExactly(
        "switch-t2 install: step install on switch-t2 was running when the engine stopped; its outcome is unknown; "
            + "it is idempotent, so it runs again",
        "switch-t3 install: step install on switch-t3 was running when the engine stopped; its outcome is unknown; "
            + "it is idempotent, so it runs again");
  }

  @Test
  void a_server_killed_while_a_rollback_step_runs_does_not_run_it_again_and_the_rollback_stops_as_unknown_there()
      throws Exception {
    Model m = new Model("back").targets(3).failurePolicy("{action: rollback}");
    apply(m);
    server.push(m.component(), "1.0.0");
    server.push(m.component(), "2.0.0");
    assertThat(server.awaitEnd(server.deploy(m.component(), "1.0.0", m.name)).path("state").asString())
        .isEqualTo("SUCCEEDED");
    // 2.0.0 fails on back-t3; rolling back-t2 back to 1.0.0, its step kills the server
    order("fail-in-work-2.0.0-back-t3");
    order("kill-in-work-1.0.0-back-t2");
    long id = server.deploy(m.component(), "2.0.0", m.name);
    assertThat(server.awaitExit()).as("the server, killed by the rollback step it started").isEqualTo(KILLED);
    server.start(config());
    JsonNode deployment = server.awaitEnd(id);

    assertThat(deployment.path("state").asString()).as(deployment.path("outcome").asString()).isEqualTo("FAILED");
    assertThat(deployment.path("outcome").asString()).startsWith("rollback incomplete: back-t2: step work on "
        + "back-t2 was running when the engine stopped; its outcome is unknown and it is not declared idempotent: a "
        + "person must check back-t2 before deploying again");
    assertThat(targetStates(deployment)).containsExactly(Map.entry("back-t1", "ROLLED_BACK"),
        Map.entry("back-t2", "FAILED"), Map.entry("back-t3", "ROLLED_BACK"));
    assertThat(runs(deployment, "back-t1")).containsExactly("execute install SUCCEEDED", "execute work SUCCEEDED",
        "verify check SUCCEEDED", "rollback install SUCCEEDED", "rollback work SUCCEEDED");
    assertThat(runs(deployment, "back-t2")).containsExactly("execute install SUCCEEDED", "execute work SUCCEEDED",
        "verify check SUCCEEDED", "rollback install SUCCEEDED", "rollback work UNKNOWN");
    assertThat(runs(deployment, "back-t3")).containsExactly("execute install SUCCEEDED", "execute work FAILED",
        "rollback install SUCCEEDED", "rollback work SUCCEEDED");
    assertThat(m.log(1)).as("the steps run on back-t1: 1.0.0, 2.0.0, then the rollback to 1.0.0")
        .containsExactly("1.0.0 work", "1.0.0 check", "2.0.0 work", "2.0.0 check", "1.0.0 work");
    assertThat(m.log(2)).as("the rollback step whose end was not committed ran once")
        .containsExactly("1.0.0 work", "1.0.0 check", "2.0.0 work", "2.0.0 check", "1.0.0 work");
    assertThat(m.log(3)).containsExactly("1.0.0 work", "1.0.0 check", "2.0.0 work", "1.0.0 work");
    for (int t = 1; t <= 3; t++) {
      assertThat(m.current(t)).isEqualTo("releases/1.0.0");
    }
    assertThat(transitions(id)).containsExactly("REQUESTED", "PLANNED", "COMPONENTS_VERIFIED",
        "ENVIRONMENT_VERIFIED", "EXECUTING", "ROLLING_BACK", "FAILED");
    assertThat(resumptions(id)).as("one resumption per kill").hasSize(1);
    assertThat(stepInterruptions(id)).containsExactly("back-t2 work: step work on back-t2 was running when the "
        + "engine stopped; its outcome is unknown; it is not declared idempotent, so it is not run again");
  }

  @Test
  void a_server_halted_while_its_trigger_fires_requests_each_pushed_version_exactly_once() throws Exception {
    // a cause is claimed once by a database constraint on either database; run once to keep the suite's time
    onceOnPostgresql();
    Model m = new Model("fire").targets(2).steps(INSTALL, shell("work", true)).acceptance()
        .spec("  triggers:\n    - {type: version-registered, stage: fire}\n");
    apply(m);
    server.kill();
    // the first firing halts the server between the deployment requested and the firing recorded
    server.startHaltingAt(config(), HaltPoint.TRIGGER_FIRING, 1);
    server.push(m.component(), "1.0.1");
    assertThat(server.awaitExit()).as("halted firing for 1.0.1").isEqualTo(HaltPoint.STATUS);
    server.start(config());
    server.push(m.component(), "1.0.2");
    server.push(m.component(), "1.0.3");
    JsonNode items = awaitDeployments(m, 3);

    List<String> deployed = new ArrayList<>();
    for (JsonNode d : items) {
      deployed.add(d.path("version").asString() + " #" + d.path("id").asLong());
      assertThat(d.path("requestedBy").asString()).startsWith("trigger:version-registered(fire)");
      assertThat(server.awaitEnd(d.path("id").asLong()).path("state").asString()).isEqualTo("SUCCEEDED");
    }
    assertThat(deployed).as("one deployment per pushed version, none twice").hasSize(3)
        .extracting(d -> d.substring(0, d.indexOf(' '))).containsExactlyInAnyOrder("1.0.1", "1.0.2", "1.0.3");
    List<String> fired = new ArrayList<>();
    for (JsonNode f : server.get("/api/v1/triggers/firings?model=fire").path("items")) {
      assertThat(f.path("status").asString()).isEqualTo("requested");
      fired.add(f.path("version").asString() + " #" + f.path("deployment").asLong());
    }
    assertThat(fired).as("one firing recorded per version, naming its deployment")
        .containsExactlyInAnyOrderElementsOf(deployed);
  }

  @Test
  void a_server_killed_while_a_manual_exit_criterion_waits_still_waits_after_restart_and_succeeds_once_confirmed()
      throws Exception {
    onceOnPostgresql();
    Model m = new Model("confirm").targets(2).stage("      exitCriteria:\n"
        + "        - {type: manual, description: smoke tested by hand, role: deployment-manager}\n");
    apply(m);
    server.push(m.component(), "1.0.0");
    long id = server.deploy(m.component(), "1.0.0", m.name);
    awaitExitConfirmationWait(id);

    server.kill();
    server.start(config());
    // the restarted engine looks at the deployment again every second (its wait-recheck) and keeps waiting
    Instant looked = Instant.now().plusSeconds(2);
    while (Instant.now().isBefore(looked)) {
      assertThat(server.deployment(id).path("state").asString()).as("before it is confirmed").isEqualTo("VERIFYING");
      Thread.sleep(100);
    }
    awaitExitConfirmationWait(id);
    JsonNode confirmed = server.send("POST", "/api/v1/deployments/" + id + "/confirmations",
        Map.of("decision", "confirm", "note", "smoke tested after the restart"), 201);
    JsonNode deployment = server.awaitEnd(id);

    assertThat(confirmed.path("step").asString()).isEqualTo("exitCriteria[0]");
    assertThat(deployment.path("state").asString()).as(deployment.path("outcome").asString()).isEqualTo("SUCCEEDED");
    assertThat(deployment.path("outcome").asString()).contains("every exit criterion is met");
    assertThat(transitions(id)).containsExactly("REQUESTED", "PLANNED", "COMPONENTS_VERIFIED",
        "ENVIRONMENT_VERIFIED", "EXECUTING", "VERIFYING", "SUCCEEDED");
    assertThat(messages(id).stream().filter(msg -> msg.startsWith("criterion exitCriteria[0] confirmed by admin")))
        .hasSize(1);
    for (int t = 1; t <= 2; t++) {
      assertThat(runs(deployment, m.target(t))).containsExactly("execute install SUCCEEDED",
          "execute work SUCCEEDED", "verify check SUCCEEDED");
      assertThat(m.log(t)).as("each step once on %s", m.target(t)).containsExactly("1.0.0 work", "1.0.0 check");
    }
    assertThat(server.get("/api/v1/deployments?environment=confirm&size=100").path("items")).hasSize(1);
  }

  @Test
  void a_canary_killed_in_its_pause_and_mid_analysis_keeps_the_pause_and_runs_every_round_once() throws Exception {
    onceOnPostgresql();
    Model m = new Model("canary").targets(3).strategy("""
        {type: canary, canary: {share: 1, pause: 3s, analysis: {checks: [{name: watch, type: shell, \
        command: "test -s current/version.txt", idempotent: true}], interval: 1s, duration: 6s}}}""");
    apply(m);
    server.push(m.component(), "1.0.0");
    long id = server.deploy(m.component(), "1.0.0", m.name);

    Instant deadline = Instant.now().plusSeconds(120);
    while (!lastWaitIs(id, "canary_pause")) {
      assertThat(Instant.now()).as("the canary reaches its pause").isBefore(deadline);
      Thread.sleep(20);
    }
    server.kill();
    server.start(config());
    while (rounds(id) < 2) {
      assertThat(server.ended(id)).as("the deployment is still in its analysis").isFalse();
      assertThat(Instant.now()).as("the analysis reaches its second round").isBefore(deadline);
      Thread.sleep(20);
    }
    server.kill();
    server.start(config());
    JsonNode deployment = server.awaitEnd(id);

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
    for (int t = 1; t <= 3; t++) {
      assertThat(targetStates(deployment).get(m.target(t))).isEqualTo("SUCCEEDED");
      assertThat(m.log(t)).as("each step once on %s", m.target(t)).containsExactly("1.0.0 work", "1.0.0 check");
    }
  }

  @Test
  void a_server_killed_mid_switch_leaves_a_live_slot_and_on_restart_switches_to_the_new_slot_once_more() throws Exception {
    onceOnPostgresql();
    Model m = new Model("slots").targets(1).strategy("""
        {type: blue-green, blueGreen: {slots: {blue: {port: 18081}, green: {port: 18082}}, \
        switch: {name: proxy, type: shell, command: "touch switch-started; sleep 2; echo $GANTRY_SLOT > proxy.txt"}}}\
        """);
    apply(m);
    Path component = m.folder(1);
    server.push(m.component(), "1.0.0");
    server.push(m.component(), "2.0.0");
    assertThat(server.awaitEnd(server.deploy(m.component(), "1.0.0", m.name)).path("state").asString())
        .isEqualTo("SUCCEEDED");
    Files.delete(component.resolve("switch-started"));

    long second = server.deploy(m.component(), "2.0.0", m.name);
    Instant deadline = Instant.now().plusSeconds(120);
    while (!Files.exists(component.resolve("switch-started"))) {
      assertThat(Instant.now()).as("the second deployment reaches its switch").isBefore(deadline);
      Thread.sleep(20);
    }
    server.kill();
    assertThat(Files.readSymbolicLink(component.resolve("live")).toString())
        .as("a live slot, never none, when killed mid-switch").isIn("blue", "green");
    server.start(config());
    JsonNode deployment = server.awaitEnd(second);

    assertThat(deployment.path("state").asString()).as(deployment.path("outcome").asString()).isEqualTo("SUCCEEDED");
    assertThat(Files.readSymbolicLink(component.resolve("live")).toString()).isEqualTo("green");
    assertThat(Files.readString(component.resolve("proxy.txt")).trim()).isEqualTo("green");
    assertThat(Files.readSymbolicLink(component.resolve("green/current")).toString()).endsWith("2.0.0");
    assertThat(Files.readSymbolicLink(component.resolve("blue/current")).toString())
        .as("the slot that served before is kept as it was").endsWith("1.0.0");
    JsonNode target = deployment.path("targets").get(0);
    assertThat(target.path("slot").asString()).isEqualTo("green");
    assertThat(target.path("liveSlot").asString()).isEqualTo("green");
    assertThat(runs(deployment, m.target(1))).as("the interrupted switch, then the one run again after the restart")
        .containsExactly("execute install SUCCEEDED", "execute work SUCCEEDED", "idle-check check SUCCEEDED",
            "switch proxy UNKNOWN", "switch proxy SUCCEEDED", "verify check SUCCEEDED");
    assertThat(resumptions(second)).as("one resumption per kill").hasSize(1);
    List<String> switches = new ArrayList<>();
    for (JsonNode e : server.events(second)) {
      if (e.path("kind").asString().equals("SWITCH")) {
        switches.add(e.path("message").asString());
      }
    }
    assertThat(switches).as("one switch recorded").singleElement().asString().contains("to slot green");
    assertThat(m.log(1)).as("each step once in its slot, the check before the switch and after")
        .containsExactly("1.0.0 work", "1.0.0 check", "1.0.0 check", "2.0.0 work", "2.0.0 check", "2.0.0 check");
  }

  // --- what the tests read

  /** Waits until the model's environment has at least {@code count} deployments; answers them. */
  private JsonNode awaitDeployments(Model m, int count) throws Exception {
    Instant deadline = Instant.now().plusSeconds(120);
    while (true) {
      JsonNode items = server.get("/api/v1/deployments?environment=" + m.name + "&size=100").path("items");
      if (items.size() >= count) {
        return items;
      }
      assertThat(Instant.now()).as("%d deployments requested", count).isBefore(deadline);
      Thread.sleep(50);
    }
  }

  private void awaitExitConfirmationWait(long id) throws Exception {
    Instant deadline = Instant.now().plusSeconds(120);
    while (!lastWaitIs(id, "exit_confirmation")) {
      assertThat(server.ended(id)).as("the deployment ended without waiting for its exit criterion").isFalse();
      assertThat(Instant.now()).as("the deployment waits for its exit criterion").isBefore(deadline);
      Thread.sleep(50);
    }
  }

  /** Each target of the deployment and its state, in the record's order; a target twice fails. */
  private static Map<String, String> targetStates(JsonNode deployment) {
    Map<String, String> states = new LinkedHashMap<>();
    for (JsonNode t : deployment.path("targets")) {
      assertThat(states.put(t.path("target").asString(), t.path("state").asString()))
          .as("%s once in the record", t.path("target").asString()).isNull();
    }
    return states;
  }

  /** A target's step runs in the deployment's record, in the order they started: "PHASE STEP STATE". */
  private static List<String> runs(JsonNode deployment, String target) {
    List<JsonNode> steps = new ArrayList<>();
    for (JsonNode t : deployment.path("targets")) {
      if (t.path("target").asString().equals(target)) {
        t.path("steps").forEach(steps::add);
      }
    }
    return steps.stream().sorted(Comparator.comparing(s -> s.path("id").asLong()))
        .map(s -> s.path("phase").asString() + " " + s.path("name").asString() + " " + s.path("state").asString())
        .toList();
  }

  private List<String> transitions(long id) throws Exception {
    List<String> to = new ArrayList<>();
    for (JsonNode e : server.events(id)) {
      if (e.path("kind").asString().equals("TRANSITION")) {
        to.add(e.path("to").asString());
      }
    }
    return to;
  }

  private List<String> messages(long id) throws Exception {
    List<String> messages = new ArrayList<>();
    server.events(id).forEach(e -> messages.add(e.path("message").asString()));
    return messages;
  }

  /** The record's entries of an engine that took the deployment on after the one holding it died. */
  private List<String> resumptions(long id) throws Exception {
    return messages(id).stream().filter(msg -> msg.startsWith("resumed in state ")
        && msg.contains(" stopped without finishing (its lease ran out)")).toList();
  }

  /** The record's interruptions of steps: "TARGET STEP: MESSAGE". */
  private List<String> stepInterruptions(long id) throws Exception {
    List<String> found = new ArrayList<>();
    for (JsonNode e : server.events(id)) {
      if (e.path("kind").asString().equals("INTERRUPTION") && !e.path("step").asString("").isEmpty()) {
        found.add(e.path("target").asString() + " " + e.path("step").asString() + ": " + e.path("message").asString());
      }
    }
    return found;
  }

  private boolean lastWaitIs(long id, String kind) throws Exception {
    JsonNode events = server.events(id);
    return !events.isEmpty() && kind.equals(events.get(events.size() - 1).path("waitingFor").asString(""));
  }

  private int rounds(long id) throws Exception {
    return server.deployment(id).path("canary").path("rounds").size();
  }

  /** Leaves an order for the steps (see {@link #shell}). */
  private void order(String name) throws IOException {
    Files.createFile(orders.resolve(name));
  }

  /**
   * Cases where the restart, not the database, is under test run once, on the production database, to
   * keep the suite's time.
   */
  private void onceOnPostgresql() {
    assumeTrue(database == TestDatabase.POSTGRESQL, "runs once, on PostgreSQL");
  }

  // --- the configuration

  /** The folder of every test's configuration: each start applies all of it. */
  private Path config() throws IOException {
    return Files.createDirectories(dir.resolve("config"));
  }

  /** Writes the test's configuration and applies it: on the running server, or by starting it. */
  private void apply(Model m) throws Exception {
    Files.writeString(config().resolve(m.name + ".yaml"), m.yaml());
    if (!server.running()) {
      server.start(config());
      return;
    }
    List<Map<String, String>> files = new ArrayList<>();
    try (Stream<Path> all = Files.list(config())) {
      for (Path f : all.sorted().toList()) {
        files.add(Map.of("name", f.getFileName().toString(), "content", Files.readString(f)));
      }
    }
    server.send("POST", "/api/v1/config/apply", Map.of("files", files, "reason", "crash test " + m.name), 200);
  }

  /**
   * A shell step that appends "VERSION NAME" to steps.log in the component's folder on its target. Then, when the
   * test left the order {@code kill-in-NAME-VERSION-TARGET} for it, it takes the order and kills the server that
   * started it ({@code kill -9 $PPID}: its shell is the server's child), its work done and its end not yet
   * recorded; and it fails while the order {@code fail-in-NAME-VERSION-TARGET} is there.
   */
  private String shell(String name, boolean idempotent) {
    String order = "\"$ORDERS/%s-in-" + name + "-$GANTRY_VERSION-$GANTRY_TARGET\"";
    return "{name: " + name + ", type: shell, idempotent: " + idempotent + ", environment: {ORDERS: '" + orders
        + "'}, command: 'echo \"$GANTRY_VERSION " + name + "\" >> steps.log; if mv " + order.formatted("kill")
        + " \"$ORDERS/taken\" 2>/dev/null; then kill -9 $PPID; fi; test ! -e " + order.formatted("fail") + "'}";
  }

  /**
   * A test's own environment, service, component ({@code NAME/app}), model with one stage and targets
   * ({@code NAME-t1}...): by default one target at a time, installing (idempotent) then the non-idempotent shell
   * step {@code work}, with the non-idempotent acceptance check {@code check}, and stopping on a failure.
   */
  private final class Model {

    private final String name;
    private int targets = 3;
    private String strategy = ONE_AT_A_TIME;
    private List<String> steps = List.of(INSTALL, shell("work", false));
    private List<String> acceptance = List.of(shell("check", false));
    private String failurePolicy = "{action: stop}";
    private String stage = "";
    private String spec = "";

    Model(String name) {
      this.name = name;
    }

    Model targets(int count) {
      targets = count;
      return this;
    }

    Model strategy(String yaml) {
      strategy = yaml;
      return this;
    }

    Model steps(String... yaml) {
      steps = List.of(yaml);
      return this;
    }

    Model acceptance(String... yaml) {
      acceptance = List.of(yaml);
      return this;
    }

    Model failurePolicy(String yaml) {
      failurePolicy = yaml;
      return this;
    }

    /** More of the stage, each line indented by six spaces. */
    Model stage(String yaml) {
      stage = yaml;
      return this;
    }

    /** More of the model's spec, each line indented by two spaces. */
    Model spec(String yaml) {
      spec = yaml;
      return this;
    }

    String component() {
      return name + "/app";
    }

    String target(int n) {
      return name + "-t" + n;
    }

    List<String> targets() {
      return Stream.iterate(1, i -> i + 1).limit(targets).map(this::target).toList();
    }

    /** The component's folder on target {@code n}. */
    Path folder(int n) {
      return dir.resolve("targets").resolve(target(n)).resolve(name + ".app");
    }

    /** Where {@code current} points on target {@code n}, relative to the component's folder; "none" without it. */
    String current(int n) throws IOException {
      Path current = folder(n).resolve("current");
      return Files.isSymbolicLink(current) ? Files.readSymbolicLink(current).toString() : "none";
    }

    /** The lines of the steps' logs on target {@code n} (a blue-green target's slots in turn): one per run. */
    List<String> log(int n) throws IOException {
      if (!Files.exists(folder(n))) {
        return List.of();
      }
      List<String> lines = new ArrayList<>();
      try (Stream<Path> files = Files.walk(folder(n))) {
        for (Path log : files.filter(p -> p.getFileName().toString().equals("steps.log")).sorted().toList()) {
          lines.addAll(Files.readAllLines(log));
        }
      }
      return lines;
    }

    String yaml() {
      StringBuilder yaml = new StringBuilder("""
          apiVersion: gantry.io/v1
          kind: Environment
          metadata: {name: %1$s}
          spec: {purpose: test, owner: qa}
          ---
          apiVersion: gantry.io/v1
          kind: Service
          metadata: {name: %1$s}
          spec: {owner: qa}
          ---
          apiVersion: gantry.io/v1
          kind: Component
          metadata: {name: app}
          spec: {service: %1$s, type: software}
          ---
          apiVersion: gantry.io/v1
          kind: DeploymentModel
          metadata: {name: %1$s}
          spec:
            appliesTo: {services: [%1$s]}
            stages:
              - name: %1$s
                environment: %1$s
          """.formatted(name));
      yaml.append("      strategy: ").append(strategy).append("\n      steps:\n");
      steps.forEach(s -> yaml.append("        - ").append(s).append('\n'));
      if (!acceptance.isEmpty()) {
        yaml.append("      acceptance:\n");
        acceptance.forEach(s -> yaml.append("        - ").append(s).append('\n'));
      }
      yaml.append(stage).append("      failurePolicy: ").append(failurePolicy).append('\n').append(spec);
      for (String target : targets()) {
        yaml.append("---\napiVersion: gantry.io/v1\nkind: Target\nmetadata: {name: ").append(target)
            .append("}\nspec: {environment: ").append(name).append(", kind: local, path: ").append(target)
            .append("}\n");
      }
      return yaml.toString();
    }
  }
}
