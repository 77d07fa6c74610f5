package io.gantry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How {@code gantry deploy} follows a deployment: by its record's stream, connecting again after the last entry
 * printed when the stream ends early, and by asking every half second when the server has no stream.
 */
class DeployFollowTest {

  static final String CREATED = """
      {"id": 21, "kind": "deploy", "component": "shop/web", "version": "2.0.0", "environment": "test",
       "model": "in-house-software", "stage": "test", "state": "REQUESTED"}""";

  static final String REQUESTED = entry(1, "TRANSITION", "REQUESTED", null, "go");
  static final String STARTED = entry(2, "STEP", null, "test-1", "check started");
  static final String FAILED_STEP = entry(3, "STEP", null, "test-1", "check failed: exit 3");
  static final String FAILED = entry(4, "TRANSITION", "FAILED", null, "check failed on test-1");

  @TempDir Path dir;
  FakeGantryServer server;
  CliRunner gantry;

  @BeforeEach
  void start() throws IOException {
    server = new FakeGantryServer();
    gantry = new CliRunner(dir).server(server.url());
    gantry.env.put("GANTRY_TOKEN", "gty_secret");
    server.on("POST", "/deployments", 201, CREATED);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void deployFollowsTheStreamAndAFailedDeploymentEndsTheCommandWithExitCode8() {
    server.on("GET", "/deployments/21/events/stream", request -> stream(
        event(REQUESTED, 1) + event(STARTED, 2) + event(FAILED_STEP, 3) + event(FAILED, 4)
            + end("FAILED", "check failed on test-1")));

    CliRunner.Result result = gantry.run("deploy", "shop/web@2.0.0", "--to", "test");

    assertThat(result.exitCode()).as(result.err()).isEqualTo(ExitCode.DEPLOYMENT_FAILED);
    assertThat(result.out().lines().toList()).containsExactly(
        "deployment #21: shop/web@2.0.0 to test (model in-house-software, stage test)",
        "2026-11-27 10:00:01 UTC REQUESTED: go",
        "2026-11-27 10:00:02 UTC [test-1] check started",
        "2026-11-27 10:00:03 UTC [test-1] check failed: exit 3",
        "2026-11-27 10:00:04 UTC FAILED: check failed on test-1",
        "deployment #21 failed (./gantry status 21 shows each target)");
    assertThat(result.err()).startsWith("error: deployment #21 ended FAILED: check failed on test-1");
    assertThat(server.requests).extracting(r -> r.method() + " " + r.path()).containsExactly(
        "POST /api/v1/deployments", "GET /api/v1/deployments/21/events/stream");
    assertThat(server.requests.get(1).header("Accept")).startsWith("text/event-stream");
    assertThat(server.requests.get(1).header("Authorization")).isEqualTo("Bearer gty_secret");
    assertThat(server.requests.get(1).header("Last-Event-ID")).isNull();
  }

  @Test
  void aStreamThatEndsEarlyIsFollowedOnAfterTheLastEntryPrintedWithoutRepeatingOne() {
    AtomicInteger connections = new AtomicInteger();
    server.on("GET", "/deployments/21/events/stream", request -> switch (connections.incrementAndGet()) {
      // the first connection drops after two entries; the second resumes where it was told to
      case 1 -> stream(event(REQUESTED, 1) + event(STARTED, 2));
      default -> stream(event(entry(3, "STEP", null, "test-1", "check succeeded"), 3)
          + event(entry(4, "TRANSITION", "SUCCEEDED", null, "every target took 2.0.0"), 4) + end("SUCCEEDED", null));
    });

    CliRunner.Result result = gantry.run("deploy", "shop/web@2.0.0", "--to", "test");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out().lines().filter(l -> l.startsWith("2026")).toList()).containsExactly(
        "2026-11-27 10:00:01 UTC REQUESTED: go",
        "2026-11-27 10:00:02 UTC [test-1] check started",
        "2026-11-27 10:00:03 UTC [test-1] check succeeded",
        "2026-11-27 10:00:04 UTC SUCCEEDED: every target took 2.0.0");
    assertThat(result.out()).endsWith("deployment #21 succeeded (./gantry status 21 shows each target)\n");
    List<FakeGantryServer.Request> streams = server.requests.stream()
        .filter(r -> r.path().endsWith("/events/stream")).toList();
    assertThat(streams).hasSize(2);
    assertThat(streams.get(1).header("Last-Event-ID")).isEqualTo("2");
    assertThat(streams.get(1).query()).isEqualTo("after=2");
  }

  @Test
  void aStreamThatKeepsEndingWithoutAWordGivesUpAfterAFewTries() {
    server.on("GET", "/deployments/21/events/stream", request -> stream(""));

    CliRunner.Result result = gantry.run("deploy", "shop/web@2.0.0", "--to", "test");

    assertThat(result.exitCode()).isEqualTo(ExitCode.UNEXPECTED);
    assertThat(result.err()).contains("ended the stream of deployment #21");
    assertThat(server.requests.stream().filter(r -> r.path().endsWith("/events/stream")))
        .hasSize(DeployCommands.RECONNECTS + 1);
  }

  @Test
  void aServerWithoutTheStreamIsAskedEveryHalfSecondAsBefore() {
    // no route for the stream: the fake answers 404, as a server from before the stream does
    server.on("GET", "/deployments/21/events", 200, "[" + REQUESTED + "," + FAILED + "]");
    server.on("GET", "/deployments/21", 200, CREATED.replace("REQUESTED", "FAILED")
        .replace("}", ", \"outcome\": \"check failed on test-1\"}"));

    CliRunner.Result result = gantry.run("deploy", "shop/web@2.0.0", "--to", "test");

    assertThat(result.exitCode()).as(result.err()).isEqualTo(ExitCode.DEPLOYMENT_FAILED);
    assertThat(result.out()).contains("2026-11-27 10:00:04 UTC FAILED: check failed on test-1\n")
        .endsWith("deployment #21 failed (./gantry status 21 shows each target)\n");
    assertThat(result.err()).startsWith("error: deployment #21 ended FAILED: check failed on test-1");
    assertThat(server.requests).extracting(r -> r.method() + " " + r.path()).startsWith(
        "POST /api/v1/deployments", "GET /api/v1/deployments/21/events/stream", "GET /api/v1/deployments/21/events",
        "GET /api/v1/deployments/21");
  }

  private static String entry(long id, String kind, String to, String target, String message) {
    return """
        {"id": %d, "at": "2026-11-27T10:00:0%dZ", "kind": "%s", "from": null, "to": %s, "target": %s, "step": null,
         "actor": "gantry", "message": "%s", "waitingFor": null}""".formatted(id, id, kind,
        to == null ? "null" : "\"" + to + "\"", target == null ? "null" : "\"" + target + "\"", message)
        .replace("\n", "");
  }

  private static String event(String json, long id) {
    return "id:" + id + "\ndata:" + json + "\n\n";
  }

  private static String end(String state, String outcome) {
    return "event:end\ndata:{\"deployment\":21,\"state\":\"" + state + "\",\"outcome\":"
        + (outcome == null ? "null" : "\"" + outcome + "\"") + "}\n\n";
  }

  private static FakeGantryServer.Reply stream(String body) {
    return new FakeGantryServer.Reply(200, "text/event-stream", body);
  }
}
