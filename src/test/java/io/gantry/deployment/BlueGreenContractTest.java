package io.gantry.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.catalog.ComponentRef;
import io.gantry.catalog.Library;
import io.gantry.identity.Actor;
import io.gantry.testing.MutableClock;
import io.gantry.testing.TestDatabase;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Blue-green deployments on a local target with real servers: each slot's version is a Python HTTP
 * server on the slot's port, started by the stage's steps in the slot's folder. The new version is
 * installed and checked in the idle slot while the live one serves, one switch makes it live, and a
 * rollback is a switch back to the slot that was kept. On both databases.
 */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
class BlueGreenContractTest {

  /**
   * The program of every version: serves the slot's current release on {@code GANTRY_PORT}, replacing
   * the server the slot ran before, and answers once it is up.
   */
  static final String START = """
      #!/bin/sh
      if [ -f server.pid ]; then
        old=$(cat server.pid); kill "$old" 2>/dev/null
        while kill -0 "$old" 2>/dev/null; do sleep 0.05; done
      fi
      echo "$GANTRY_PORT" > port
      nohup /usr/bin/python3 -m http.server "$GANTRY_PORT" --bind 127.0.0.1 --directory current \\
        > server.log 2>&1 < /dev/null &
      echo $! > server.pid
      i=0
      while [ $i -lt 200 ]; do
        /usr/bin/python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$GANTRY_PORT/health')" \\
          2>/dev/null && exit 0
        i=$((i+1)); sleep 0.05
      done
      echo "the server did not answer on port $GANTRY_PORT"; exit 1
      """;

  /**
   * The stage: install and start in the slot; the checks ask the slot's own port, note what the live
   * slot answers meanwhile (from the idle slot), and fail a version marked to fail once it is live; the
   * switch writes the live port where a proxy would read it.
   */
  static String model(int bluePort, int greenPort) {
    return """
        apiVersion: gantry.io/v1
        kind: DeploymentModel
        metadata: {name: software}
        spec:
          appliesTo: {componentTypes: [software]}
          stages:
            - name: qa
              environment: qa
              strategy:
                type: blue-green
                blueGreen:
                  slots: {blue: {port: %d}, green: {port: %d}}
                  switch: {name: proxy, type: shell, command: "echo $GANTRY_SLOT $GANTRY_PORT > proxy.conf", timeout: 30s}
              steps:
                - {name: install, type: artifact.install, destination: releases}
                - {name: start, type: shell, command: "sh current/bin/start.sh", timeout: 60s}
              acceptance:
                - {name: answers, type: http-check, url: "http://127.0.0.1:${port}/health", expectBody: ok, timeout: 5s}
                - name: live-meanwhile
                  type: shell
                  timeout: 30s
                  command: >-
                    if [ -L ../live ] && [ "$(readlink ../live)" != "$GANTRY_SLOT" ]; then
                    /usr/bin/python3 -c "import urllib.request,sys; p=open('../live/port').read().strip();
                    sys.stdout.write(urllib.request.urlopen('http://127.0.0.1:'+p+'/health').read().decode())"
                    >> ../live-while-idle-was-checked; fi
                - name: fine-once-live
                  type: shell
                  timeout: 30s
                  command: test ! -f current/fail-when-live || [ "$(readlink ../live)" != "$GANTRY_SLOT" ]
              failurePolicy: {action: rollback}
        """.formatted(bluePort, greenPort);
  }

  static final String CONFIG = """
      apiVersion: gantry.io/v1
      kind: Environment
      metadata: {name: qa}
      spec: {purpose: test, owner: qa-team}
      ---
      apiVersion: gantry.io/v1
      kind: Target
      metadata: {name: t1}
      spec: {environment: qa, kind: local, path: t1}
      ---
      apiVersion: gantry.io/v1
      kind: Service
      metadata: {name: shop}
      spec: {owner: team-shop}
      ---
      apiVersion: gantry.io/v1
      kind: Component
      metadata: {name: web}
      spec: {service: shop, type: software}
      ---
      """;

  private final TestDatabase database;
  private final MutableClock clock = new MutableClock(Clock.systemUTC().instant());
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private EngineFixture fixture;
  private Engine engine;
  private int bluePort;
  private int greenPort;
  private Path component;

  @TempDir
  Path home;

  BlueGreenContractTest(TestDatabase database) {
    this.database = database;
  }

  @BeforeEach
  void setUp() throws IOException {
    fixture = new EngineFixture(database.create(), clock, home);
    engine = fixture.engine();
    bluePort = freePort();
    greenPort = freePort();
    while (greenPort == bluePort) {
      greenPort = freePort();
    }
    fixture.apply(CONFIG + model(bluePort, greenPort));
    component = home.resolve("targets/t1/shop.web");
  }

  @AfterEach
  void stopServers() throws IOException {
    stopServersUnder(home);
  }

  /** Ends every server a slot's start script left running under {@code folder}. */
  static void stopServersUnder(Path folder) throws IOException {
    if (!Files.isDirectory(folder)) {
      return;
    }
    try (Stream<Path> files = Files.walk(folder)) {
      for (Path pid : files.filter(p -> p.getFileName().toString().equals("server.pid")).toList()) {
        ProcessHandle.of(Long.parseLong(Files.readString(pid).strip())).ifPresent(ProcessHandle::destroy);
      }
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** A version whose health answers {@code health}; {@code failWhenLive} marks it to fail once it is live. */
  private void push(String version, String health, boolean failWhenLive) {
    List<Library.Upload> files = new ArrayList<>(List.of(upload("bin/start.sh", START), upload("health", health)));
    if (failWhenLive) {
      files.add(upload("fail-when-live", "yes"));
    }
    fixture.library.push(new Library.Push(new ComponentRef("shop", "web"), version, Map.of(), files, List.of()),
        "alice");
  }

  private static Library.Upload upload(String path, String text) {
    return new Library.Upload(path, () -> new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
  }

  private Deployment deploy(String version) {
    Deployment d = fixture.requests.request(new DeploymentRequests.Request("shop/web", version, "qa", null, null),
        "bob");
    engine.runDue();
    return fixture.deployments.get(d.id());
  }

  /** Pushes a version whose health is {@code ok <version>}, and deploys it. */
  private Deployment deployGood(String version) {
    push(version, "ok " + version, false);
    return deploy(version);
  }

  private String answer(int port) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  private String live() throws IOException {
    return Files.readSymbolicLink(component.resolve("live")).toString();
  }

  private long pid(String slot) throws IOException {
    return Long.parseLong(Files.readString(component.resolve(slot).resolve("server.pid")).strip());
  }

  private List<String> switches(Deployment d) {
    return fixture.deployments.events(d.id(), 0).stream().filter(e -> e.kind() == DeploymentEvent.Kind.SWITCH)
        .map(e -> e.step() + ": " + e.message()).toList();
  }

  private BlueGreenRecords records() {
    return new BlueGreenRecords(fixture.deployments.jdbc());
  }

  @Test
  void a_first_version_goes_to_blue_and_the_next_is_checked_in_green_while_blue_serves_then_switched_to()
      throws Exception {
    Deployment first = deployGood("1.0.0");
    assertThat(first.state()).as(first.outcome()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(live()).isEqualTo("blue");
    assertThat(answer(bluePort)).isEqualTo("ok 1.0.0");
    assertThat(Files.readString(component.resolve("proxy.conf")).strip()).isEqualTo("blue " + bluePort);
    assertThat(switches(first)).singleElement().asString().startsWith("switch: switched t1 to slot blue");

    Deployment second = deployGood("2.0.0");

    assertThat(second.state()).as(second.outcome()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(live()).isEqualTo("green");
    assertThat(answer(greenPort)).isEqualTo("ok 2.0.0");
    assertThat(answer(bluePort)).as("the old slot is kept running for an instant switch back").isEqualTo("ok 1.0.0");
    assertThat(Files.readString(component.resolve("live-while-idle-was-checked")))
        .as("blue answered while green was checked").isEqualTo("ok 1.0.0");
    assertThat(Files.readString(component.resolve("proxy.conf")).strip()).isEqualTo("green " + greenPort);
    assertThat(Files.readSymbolicLink(component.resolve("green/current")).toString()).isEqualTo("releases/2.0.0");
    assertThat(Files.readSymbolicLink(component.resolve("blue/current")).toString()).isEqualTo("releases/1.0.0");
    assertThat(switches(second)).singleElement().asString()
        .contains("switched t1 to slot green (port " + greenPort + "), 2.0.0 is live; blue is kept");
    assertThat(records().slotRun(second.id(), "t1")).get().satisfies(r -> {
      assertThat(r.slot()).isEqualTo("green");
      assertThat(r.previousSlot()).isEqualTo("blue");
      assertThat(r.switchedAt()).isNotNull();
    });
    assertThat(records().live("t1", new ComponentRef("shop", "web"))).get()
        .extracting(BlueGreenRecords.Live::slot, BlueGreenRecords.Live::version).containsExactly("green", "2.0.0");
    assertThat(DeploymentController.DeploymentView.of(second, fixture.deployments.targetRuns(second.id()), List.of(),
        null, records(), List.of()).targets()).singleElement().extracting(DeploymentController.TargetView::slot,
            DeploymentController.TargetView::previousSlot, DeploymentController.TargetView::liveSlot)
        .containsExactly("green", "blue", "green");
    assertThat(fixture.deployments.stepRuns(fixture.deployments.targetRuns(second.id()).getFirst()))
        .extracting(StepRun::phase, StepRun::name)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("execute", "install"),
            org.assertj.core.groups.Tuple.tuple("execute", "start"),
            org.assertj.core.groups.Tuple.tuple("idle-check", "answers"),
            org.assertj.core.groups.Tuple.tuple("idle-check", "live-meanwhile"),
            org.assertj.core.groups.Tuple.tuple("idle-check", "fine-once-live"),
            org.assertj.core.groups.Tuple.tuple("switch", "proxy"),
            org.assertj.core.groups.Tuple.tuple("verify", "answers"),
            org.assertj.core.groups.Tuple.tuple("verify", "live-meanwhile"),
            org.assertj.core.groups.Tuple.tuple("verify", "fine-once-live"));

    Deployment third = deployGood("3.0.0");

    assertThat(third.state()).as(third.outcome()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(live()).as("the third deployment takes the slot the first left").isEqualTo("blue");
    assertThat(answer(bluePort)).isEqualTo("ok 3.0.0");
    assertThat(answer(greenPort)).isEqualTo("ok 2.0.0");
  }

  @Test
  void a_bad_version_fails_in_the_idle_slot_and_the_live_slot_never_stops_serving() throws Exception {
    assertThat(deployGood("1.0.0").state()).isEqualTo(DeploymentState.SUCCEEDED);
    long servingPid = pid("blue");
    push("2.0.0", "failing 2.0.0", false);

    Deployment bad = deploy("2.0.0");

    assertThat(bad.state()).as(bad.outcome()).isEqualTo(DeploymentState.ROLLED_BACK);
    assertThat(switches(bad)).as("nothing was switched, nor switched back").isEmpty();
    assertThat(live()).isEqualTo("blue");
    assertThat(pid("blue")).as("the live slot's server was never restarted").isEqualTo(servingPid);
    assertThat(ProcessHandle.of(servingPid)).get().extracting(ProcessHandle::isAlive).isEqualTo(true);
    assertThat(answer(bluePort)).isEqualTo("ok 1.0.0");
    assertThat(Files.readString(component.resolve("proxy.conf")).strip()).isEqualTo("blue " + bluePort);
    assertThat(fixture.deployments.targetRuns(bad.id()).getFirst().state()).isEqualTo(TargetRunState.ROLLED_BACK);
    assertThat(fixture.deployments.targetRuns(bad.id()).getFirst().outcome())
        .contains("the live slot blue was never switched away from");
    assertThat(fixture.deployments.events(bad.id(), 0)).anySatisfy(e -> assertThat(e.message())
        .contains("acceptance check on the idle slot green failed (nothing was switched)"));
    assertThat(records().live("t1", new ComponentRef("shop", "web"))).get()
        .extracting(BlueGreenRecords.Live::slot, BlueGreenRecords.Live::version).containsExactly("blue", "1.0.0");

    Deployment next = deployGood("1.1.0");

    assertThat(next.state()).as(next.outcome()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(live()).as("the idle slot is green again, whatever the bad version left in it").isEqualTo("green");
    assertThat(answer(greenPort)).isEqualTo("ok 1.1.0");
  }

  @Test
  void a_failure_after_the_switch_switches_back_to_the_kept_slot_without_installing_anything() throws Exception {
    assertThat(deployGood("1.0.0").state()).isEqualTo(DeploymentState.SUCCEEDED);
    long servingPid = pid("blue");
    push("2.0.0", "ok 2.0.0", true);

    Deployment d = deploy("2.0.0");

    assertThat(d.state()).as(d.outcome()).isEqualTo(DeploymentState.ROLLED_BACK);
    assertThat(switches(d)).containsExactly(
        "switch: switched t1 to slot green (port " + greenPort + "), 2.0.0 is live; blue is kept as it is for an "
            + "instant switch back",
        "switch-back: switched t1 back to slot blue (port " + bluePort + "), 1.0.0 is live again");
    assertThat(live()).isEqualTo("blue");
    assertThat(Files.readString(component.resolve("proxy.conf")).strip()).isEqualTo("blue " + bluePort);
    assertThat(pid("blue")).as("blue was switched back to, not reinstalled or restarted").isEqualTo(servingPid);
    assertThat(answer(bluePort)).isEqualTo("ok 1.0.0");
    TargetRun run = fixture.deployments.targetRuns(d.id()).getFirst();
    assertThat(run.state()).isEqualTo(TargetRunState.ROLLED_BACK);
    assertThat(fixture.deployments.stepRuns(run)).filteredOn(s -> s.phase().equals("switch-back"))
        .extracting(StepRun::name, StepRun::state).containsExactly(
            org.assertj.core.groups.Tuple.tuple("proxy", StepRunState.SUCCEEDED));
    assertThat(fixture.deployments.stepRuns(run)).noneMatch(s -> s.phase().equals(Engine.ROLLBACK));
    assertThat(records().live("t1", new ComponentRef("shop", "web"))).get()
        .extracting(BlueGreenRecords.Live::slot, BlueGreenRecords.Live::version).containsExactly("blue", "1.0.0");
    assertThat(records().slotRun(d.id(), "t1")).get().extracting(BlueGreenRecords.SlotRun::switchedBackAt)
        .isNotNull();
  }

  @Test
  void an_engine_that_stopped_during_the_switch_is_followed_by_one_that_switches_in_the_same_slot_without_reinstalling()
      throws Exception {
    fixture.apply(CONFIG + model(bluePort, greenPort)
        .replace("failurePolicy: {action: rollback}", "failurePolicy: {action: ask}")
        .replace("command: \"echo $GANTRY_SLOT $GANTRY_PORT > proxy.conf\"",
            "command: \"test -f switch-allowed && echo $GANTRY_SLOT $GANTRY_PORT > proxy.conf\""));
    Files.createDirectories(component);
    Files.writeString(component.resolve("switch-allowed"), "yes");
    assertThat(deployGood("1.0.0").state()).isEqualTo(DeploymentState.SUCCEEDED);
    Files.delete(component.resolve("switch-allowed"));
    push("2.0.0", "ok 2.0.0", false);
    Deployment d = deploy("2.0.0");
    assertThat(d.state()).as("the switch failed: a person is asked").isEqualTo(DeploymentState.EXECUTING);
    assertThat(live()).as("a failed switch command puts live back").isEqualTo("blue");
    long greenPid = pid("green");
    fixture.users.create("carol", null, java.util.EnumSet.of(io.gantry.identity.Role.DEPLOYMENT_MANAGER), Actor.GANTRY);
    fixture.decisions.decide(d.id(), new DeploymentDecisions.Request("t1", null, "retry", "proxy mended", null),
        "carol");
    Files.writeString(component.resolve("switch-allowed"), "yes");
    engine.runDue(); // the retry runs the switch alone: the idle slot's steps and checks are done
    assertThat(fixture.deployments.get(d.id()).state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(pid("green")).as("green was not started again by the retry").isEqualTo(greenPid);
    assertThat(live()).isEqualTo("green");

    // a third version's switch fails too; the engine that retries it stops while the switch runs
    push("3.0.0", "ok 3.0.0", false);
    Deployment third = fixture.requests.request(new DeploymentRequests.Request("shop/web", "3.0.0", "qa", null,
        null), "bob");
    Files.delete(component.resolve("switch-allowed"));
    engine.runDue();
    TargetRun run = fixture.deployments.targetRuns(third.id()).getFirst();
    StepRun failedSwitch = fixture.deployments.stepRuns(run).stream().filter(s -> s.phase().equals("switch"))
        .reduce((a, b) -> b).orElseThrow();
    assertThat(failedSwitch.state()).isEqualTo(StepRunState.FAILED);
    fixture.decisions.decide(third.id(), new DeploymentDecisions.Request("t1", null, "retry", "try again", null),
        "carol");
    Files.writeString(component.resolve("switch-allowed"), "yes");
    // its start is recorded, its end is not
    fixture.inTransaction(() -> fixture.deployments.startStep(fixture.deployments.targetRuns(third.id()).getFirst(),
        "switch", 0, "proxy", "switch", true, failedSwitch.attempt() + 1, clock.instant()));
    long bluePid = pid("blue");
    engine = fixture.engine(); // a restarted server over the same database
    clock.advance(Duration.ofMinutes(5)); // the stopped engine's lease has run out

    engine.runDue();
    Deployment resumed = fixture.deployments.get(third.id());

    assertThat(resumed.state()).as(resumed.outcome()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(live()).as("the slot recorded at the start, not the other one").isEqualTo("blue");
    assertThat(pid("blue")).as("the idle slot's version was not installed or started again").isEqualTo(bluePid);
    assertThat(pid("green")).isEqualTo(greenPid);
    assertThat(answer(bluePort)).isEqualTo("ok 3.0.0");
    assertThat(Files.readString(component.resolve("proxy.conf")).strip()).isEqualTo("blue " + bluePort);
    assertThat(fixture.deployments.events(third.id(), 0)).anySatisfy(e -> assertThat(e.message())
        .contains("step proxy on t1 was running when the engine stopped").contains("it is idempotent, so it runs again"));
    assertThat(fixture.deployments.stepRuns(fixture.deployments.targetRuns(third.id()).getFirst()))
        .filteredOn(s -> s.phase().equals("execute")).extracting(StepRun::name).containsExactly("install", "start");
    assertThat(switches(third)).singleElement().asString().startsWith("switch: switched t1 to slot blue");
  }

  @Test
  void a_failed_first_deployment_has_no_slot_to_switch_back_to_and_says_so() throws Exception {
    push("0.9.0", "ok 0.9.0", true);

    Deployment d = deploy("0.9.0");

    assertThat(d.state()).isEqualTo(DeploymentState.FAILED);
    assertThat(d.outcome()).contains("t1 had no slot serving before this deployment to switch back to");
    assertThat(live()).as("the live link is left where the switch put it").isEqualTo("blue");
  }
}
