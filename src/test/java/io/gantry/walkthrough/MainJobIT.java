package io.gantry.walkthrough;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The README's main job, run as a user runs it: {@code gantry up} from the repository root, with the
 * packaged jar, the example configuration and the sample app as real processes on local targets.
 * Continuous delivery takes a pushed version to dev and test by trigger, a broken one is rolled back in
 * dev, an approval takes the good one to staging, and production waits for its change and window. The
 * targets' folders are beside the data directory, never in it; a folder an earlier Gantry left in the
 * data directory is moved out when the server starts.
 */
class MainJobIT {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path dir;
  private Process server;
  private int port;

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.destroy();
      if (!server.waitFor(30, TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
    }
    // the sample app outlives the server, as the README says; each target's copy stops with its own script
    Path targets = dir.resolve("targets");
    if (Files.isDirectory(targets)) {
      try (Stream<Path> each = Files.list(targets)) {
        // each component has its own folder on a target: <target>/<service>.<component>/current
        List<Path> folders = new java.util.ArrayList<>();
        for (Path target : each.filter(Files::isDirectory).toList()) {
          try (Stream<Path> components = Files.list(target)) {
            folders.addAll(components.toList());
          }
        }
        for (Path stop : folders.stream().map(c -> c.resolve("current/bin/stop.sh")).filter(Files::isExecutable)
            .toList()) {
          new ProcessBuilder(stop.toString()).directory(stop.getParent().getParent().getParent().toFile())
              .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start()
              .waitFor(30, TimeUnit.SECONDS);
        }
      }
    }
  }

  @Test
  void gantry_up_delivers_the_sample_app_continuously_and_production_waits_for_its_change_and_window()
      throws Exception {
    port = freePort();
    // what an earlier Gantry left: dev-web-1's folder in the data directory (the examples said targets/dev-web-1)
    Files.createDirectories(dir.resolve("data/targets/dev-web-1"));
    Files.writeString(dir.resolve("data/targets/dev-web-1/kept.txt"), "from before");
    Path log = dir.resolve("up.log");
    List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
        "-jar", Path.of("target/gantry.jar").toAbsolutePath().toString(), "up", "--port", String.valueOf(port),
        "--data-dir", dir.resolve("data").toString()));
    server = new ProcessBuilder(command).directory(Path.of("").toAbsolutePath().toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();

    Instant deadline = Instant.now().plus(Duration.ofMinutes(8));
    String text = "";
    while (!text.contains("Where to look:")) {
      assertThat(server.isAlive()).as("gantry up is running; see " + log).isTrue();
      assertThat(Instant.now()).as("the main job ends within 8 minutes; see " + log).isBefore(deadline);
      assertThat(text).as("the main job did not stop; see " + log).doesNotContain("The sample deployments stopped");
      Thread.sleep(1000);
      text = Files.readString(log);
    }

    String summary = text.substring(text.indexOf("Sample deployments done"));
    assertThat(summary).contains("#1 dev: shop/web@1.0.0 succeeded", "#2 test: shop/web@1.0.0 succeeded",
        "#3 dev: shop/web@1.1.0 rolled back",
        "staging: a canary of one target, its error ratio measured by Prometheus at http://127.0.0.1:",
        "#4 staging: shop/web@1.0.0 succeeded", "#5 dev: shop/web@1.2.0 succeeded",
        "#6 test: shop/web@1.2.0 succeeded", "#7 staging: shop/web@1.2.0 rolled back",
        "#8 production: waited for an authorized change", "#8 production: waited for its window",
        "#8 production: shop/web@1.0.0 succeeded", "KPIs: 8 deployment(s) ended, 6 succeeded",
        "./gantry status 7                         the canary rolled back by its error ratio: each measurement");
    // it ends with a capability self-assessment of the sample organization: a row per criterion of Table 7.1 with
    // its judgement and reason, and the HTML report written under the data directory
    java.util.regex.Matcher heading = java.util.regex.Pattern
        .compile("Capability self-assessment #(\\d+) \\(.*\\): capability level (\\d), (\\d+) of 14 criteria met")
        .matcher(summary);
    assertThat(heading.find()).as(summary).isTrue();
    List<String> rows = summary.lines().dropWhile(l -> !l.startsWith("LEVEL  CRITERION")).skip(1)
        .takeWhile(l -> l.matches("\\d\\s.*")).toList();
    assertThat(rows).hasSize(14);
    for (io.gantry.capability.Criterion c : io.gantry.capability.Criterion.values()) {
      assertThat(rows).as(c.id()).anySatisfy(r -> assertThat(r).matches(c.level() + "\\s+" + c.id()
          + "\\s+(met|partly-met|not-met|not judged)\\s+\\S.*"));
    }
    assertThat(rows).anySatisfy(r -> assertThat(r).matches("2\\s+deployed-successfully\\s+partly-met\\s+75\\.0 % of the "
        + "deployments that ended in the period succeeded.*"));
    Path report = dir.resolve("data/reports/assessment-" + heading.group(1) + ".html").toAbsolutePath().normalize();
    assertThat(summary).contains("The assessment's report (HTML, to hand to an auditor): " + report);
    assertThat(report).isRegularFile();
    assertThat(Files.readString(report)).contains("Capability level " + heading.group(2) + " of 5");
    String token = Files.readString(dir.resolve("data/admin.token")).trim();
    assertThat(get(token, "/api/v1/deployments/1").path("requestedBy").asString())
        .startsWith("trigger:version-registered(dev)");
    assertThat(get(token, "/api/v1/deployments/2").path("requestedBy").asString())
        .startsWith("trigger:stage-succeeded(dev->test)");
    assertThat(get(token, "/api/v1/deployments/4").path("requestedBy").asString())
        .startsWith("trigger:version-approved(staging)");
    assertThat(get(token, "/api/v1/deployments/8").path("requestedBy").asString()).isEqualTo("admin");

    // staging's canary, judged by the run's own Prometheus: the good version passed every round and went on to
    // the other target; the bad one (half its home pages fail under the run's traffic) failed its first round,
    // its canary target runs 1.0.0 again and the other target was never touched
    JsonNode good = get(token, "/api/v1/deployments/4");
    assertThat(good.at("/canary/outcome").asString()).startsWith("canary analysis passed: 3 of 3");
    assertThat(good.at("/canary/rounds")).hasSize(3).allSatisfy(round -> assertThat(round.at("/measurements/0/verdict")
        .asString()).isEqualTo("PASSED"));
    JsonNode bad = get(token, "/api/v1/deployments/7");
    assertThat(bad.path("state").asString()).isEqualTo("ROLLED_BACK");
    assertThat(bad.path("outcome").asString()).contains("canary analysis failed");
    JsonNode measured = bad.at("/canary/rounds/0/measurements/0");
    assertThat(measured.path("metric").asString()).isEqualTo("error-rate");
    assertThat(measured.path("verdict").asString()).isEqualTo("FAILED");
    assertThat(measured.path("query").asString()).contains("target=~\"staging-web-1\"", "version=\"1.2.0\"");
    assertThat(measured.path("reason").asString()).contains("is above max 0.05");
    assertThat(bad.path("targets")).anySatisfy(t -> {
      assertThat(t.path("target").asString()).isEqualTo("staging-web-2");
      assertThat(t.path("state").asString()).isEqualTo("PENDING");
    });
    // the value stream map marks the rounds on the deployment's timeline, with their measurements
    JsonNode timeline = get(token, "/api/v1/deployments/7/vsm");
    assertThat(timeline.at("/analysisRounds/0/analysis").asString()).isEqualTo("canary");
    assertThat(timeline.at("/analysisRounds/0/measurements/0/verdict").asString()).isEqualTo("FAILED");
    HttpResponse<String> canaryTarget = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:18083/health"))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(canaryTarget.body()).as("the canary target runs the good version again").contains("version=1.0.0");

    assertThat(text).contains("Moved the folder of local target dev-web-1 out of the data directory: "
        + dir.resolve("data/targets/dev-web-1") + " -> " + dir.resolve("targets/dev-web-1"));
    assertThat(dir.resolve("targets/dev-web-1/kept.txt")).hasContent("from before");
    assertThat(dir.resolve("data/targets/dev-web-1")).doesNotExist();
    for (String target : List.of("dev-web-1", "test-web-1", "staging-web-1", "staging-web-2", "prod-web-1")) {
      assertThat(dir.resolve("targets").resolve(target).resolve("shop.web/current")).as(target).exists();
    }
    assertThat(text).contains("for stop in " + dir.resolve("targets") + "/*/*/current/bin/stop.sh");
    HttpResponse<String> health = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:18081/health"))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).as("the sample app answers on dev: " + health.body()).isEqualTo(200);

    // the console's address is printed, and it answers there with its sign-in page
    assertThat(summary).contains("http://127.0.0.1:" + port + "/                the console (sign in with the token in "
        + "./data/admin.token)");
    HttpResponse<String> console = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/sign-in"))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(console.statusCode()).isEqualTo(200);
    assertThat(console.body()).contains("API token");

    // the run's CDEvents are in data/events.jsonl, one CloudEvent per line, the same the API lists
    assertThat(summary).contains("./gantry events", "data/events.jsonl   the same events, one CloudEvent per line");
    Path events = dir.resolve("data/events.jsonl");
    Instant until = Instant.now().plusSeconds(30);
    java.util.Set<String> types = new java.util.HashSet<>();
    java.util.Set<String> ids = new java.util.HashSet<>();
    while (!types.contains("dev.cdevents.service.rolledback.0.3.0")
        || !types.contains("dev.cdeventsx.gantry-change.closed.0.1.0")) {
      assertThat(Instant.now()).as("the events file gets the run's events: " + types).isBefore(until);
      Thread.sleep(200);
      types.clear();
      ids.clear();
      if (Files.exists(events)) {
        for (String line : Files.readAllLines(events)) {
          JsonNode e = JSON.readTree(line);
          assertThat(e.path("specversion").asString()).isEqualTo("1.0");
          assertThat(e.at("/data/context/id").asString()).isEqualTo(e.path("id").asString());
          types.add(e.path("type").asString());
          ids.add(e.path("id").asString());
        }
      }
    }
    assertThat(types).contains("dev.cdevents.pipelinerun.queued.0.3.0", "dev.cdevents.pipelinerun.finished.0.3.0",
        "dev.cdevents.taskrun.finished.0.3.0", "dev.cdevents.service.deployed.0.3.0");
    JsonNode listed = get(token, "/api/v1/events?type=dev.cdevents.service.rolledback&limit=10");
    assertThat(listed).isNotEmpty();
    assertThat(ids).contains(listed.get(0).path("id").asString());
  }

  private JsonNode get(String token, String path) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
