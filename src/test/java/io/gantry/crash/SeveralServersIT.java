package io.gantry.crash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Three packaged servers on one PostgreSQL database and one shared data directory, as
 * docs/operations.md has them run, share fifty deployments of real shell steps that append to a log on
 * their targets and are not idempotent. Mid-run one server is killed (SIGKILL) and another is stopped
 * (SIGSTOP) for longer than its lease, then let go on (SIGCONT), and then PostgreSQL is restarted (a fast
 * shutdown, three seconds down); the database is a cluster of the test's own ({@link PrivatePostgres}). Afterwards every deployment has ended,
 * no step ran twice on any target, a deployment that succeeded ran each of its steps once on each of its
 * targets, one that did not says why in its record, the interruptions are in the records, every server
 * answers for every deployment the same, and a step's full output is read through any of them. A console
 * session begun through one server holds on the others (sessions are rows of the database).
 */
class SeveralServersIT {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final int ENVIRONMENTS = 10;
  private static final int VERSIONS = 5;
  private static final List<String> STEPS = List.of("one", "two", "three");
  private static final List<String> FINAL = List.of("SUCCEEDED", "FAILED", "ROLLED_BACK", "CANCELLED");

  @TempDir Path dir;
  private final List<String> database = new ArrayList<>();
  private final Process[] servers = new Process[3];
  private final int[] ports = new int[3];
  private PrivatePostgres postgres;
  private Instant restarted = Instant.MAX.minusSeconds(60);

  @AfterEach
  void stop() throws Exception {
    for (Process p : servers) {
      if (p != null) {
        ProcessHandle.of(p.pid()).ifPresent(h -> signal(h.pid(), "CONT"));
        p.destroyForcibly().waitFor();
      }
    }
    if (postgres != null) {
      postgres.close();
    }
    // the servers' logs outlive the test's folder, for a failure to be read
    Path logs = Files.createDirectories(Path.of("target/several-servers"));
    for (int n = 0; n < servers.length; n++) {
      Path log = dir.resolve("server-" + n + ".log");
      if (Files.exists(log)) {
        Files.copy(log, logs.resolve("server-" + n + ".log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  @Test
  void three_servers_share_fifty_deployments_and_survive_one_killed_and_one_stopped_past_its_lease()
      throws Exception {
    Optional<Path> bin = PrivatePostgres.binaries();
    assumeTrue(bin.isPresent(), "PostgreSQL's binaries are not installed under /usr/lib/postgresql");
    postgres = PrivatePostgres.start(bin.get());
    database.addAll(List.of("--spring.datasource.url=" + postgres.url(), "--spring.datasource.username=postgres",
        "--spring.datasource.password="));
    Path config = writeConfig();
    start(0, config);
    String token = Files.readString(dir.resolve("data/admin.token")).trim();
    start(1, null);
    start(2, null);

    HttpClient browser = consoleSignedInThrough(0, token);
    for (int server = 0; server < 3; server++) {
      assertThat(page(browser, server, "/").body()).as("the console's landing page through server %d", server)
          .contains("<strong id=\"user\">admin</strong>");
    }

    for (int v = 1; v <= VERSIONS; v++) {
      for (int e = 1; e <= ENVIRONMENTS; e++) {
        push(v % 3, token, e, "1.0." + v);
      }
    }
    List<Long> ids = new ArrayList<>();
    Map<Long, String> where = new HashMap<>();
    for (int v = 1; v <= VERSIONS; v++) {
      for (int e = 1; e <= ENVIRONMENTS; e++) {
        long id = post((e + v) % 3, token, "/api/v1/deployments", Map.of("component", "s" + e + "/app",
            "version", "1.0." + v, "environment", "e" + e, "reason", "several servers")).path("id").asLong();
        ids.add(id);
        where.put(id, "e" + e + " 1.0." + v);
      }
    }

    // faults while the work is under way, each while a server runs a step (which one does is the claims'
    // chance): one server dies; the database restarts (a fast shutdown ends every session); another server
    // freezes past its two-second lease (its steps' processes go on) and then goes on itself
    awaitEnded(token, ids, 8);
    int dead = awaitRunningStep(1, 2);
    servers[dead].destroyForcibly().waitFor();
    int other = 3 - dead;
    awaitEnded(token, ids, 14);
    awaitRunningStep(0, other);
    postgres.stop();
    Thread.sleep(3_000);
    postgres.start();
    restarted = Instant.now();
    awaitEnded(token, ids, 20);
    int frozen = awaitRunningStep(0, other);
    signal(servers[frozen].pid(), "STOP");
    Thread.sleep(5_000);
    signal(servers[frozen].pid(), "CONT");
    String killed = servers[dead].pid() + "@";
    String stopped = servers[frozen].pid() + "@";

    awaitEnded(token, ids, ids.size());

    int succeeded = 0;
    List<String> interruptions = new ArrayList<>();
    Map<String, List<String>> logs = new HashMap<>();
    for (long id : ids) {
      JsonNode d = get(0, token, "/api/v1/deployments/" + id);
      String state = d.path("state").asString();
      assertThat(get(other, token, "/api/v1/deployments/" + id).path("state").asString())
          .as("the state of #%d as the other server answers it", id).isEqualTo(state);
      List<String> interrupted = new ArrayList<>();
      List<String> record = new ArrayList<>();
      for (JsonNode e : get(other, token, "/api/v1/deployments/" + id + "/events")) {
        String entry = e.path("actor").asString() + ": " + e.path("message").asString();
        record.add(e.path("at").asString() + " " + e.path("target").asString("") + " " + entry);
        if (e.path("kind").asString().equals("INTERRUPTION")) {
          interrupted.add(entry);
        }
      }
      interruptions.addAll(interrupted);
      assertThat(d.path("targets")).as("targets of #%d (%s)", id, where.get(id)).hasSize(2);
      String version = d.path("version").asString();
      for (JsonNode target : d.path("targets")) {
        String name = target.path("target").asString();
        List<String> log = logs.computeIfAbsent(name, this::log);
        List<String> mine = log.stream().filter(l -> l.startsWith(version + " ")).toList();
        assertThat(mine).as("steps of %s on %s; the record of #%d:%n%s", version, name, id, String.join("\n", record))
            .doesNotHaveDuplicates();
        if (state.equals("SUCCEEDED")) {
          assertThat(mine).as("steps of #%d (%s) on %s", id, where.get(id), name)
              .containsExactly(STEPS.stream().map(s -> version + " " + s).toArray(String[]::new));
        }
      }
      if (state.equals("SUCCEEDED")) {
        succeeded++;
      } else {
        assertThat(d.path("outcome").asString()).as("why #%d (%s) did not succeed", id, where.get(id))
            .contains("its outcome is unknown and it is not declared idempotent");
        assertThat(interrupted).as("interruptions of #%d (%s), which did not succeed", id, where.get(id))
            .anyMatch(i -> i.contains("stopped without finishing") || i.contains("could not go on with deployment")
                || i.contains("lost its lease"));
      }
    }
    for (List<String> log : logs.values()) {
      assertThat(log).as("no step ran twice").doesNotHaveDuplicates();
    }
    System.out.printf("%d of %d deployments succeeded; %d interruptions recorded%n", succeeded, ids.size(),
        interruptions.size());
    assertThat(succeeded).as("deployments that succeeded").isPositive();
    assertThat(interruptions).as("the killed server's deployments resumed by another")
        .anyMatch(i -> i.contains("stopped without finishing") && i.contains("after the engine " + killed));
    assertThat(interruptions).as("the stopped server, going on, finds its leases lost and says so")
        .anyMatch(i -> i.startsWith(stopped) && i.contains("lost its lease"));

    // a step's full output is kept in the shared data directory, whichever server ran it
    // (of a deployment that succeeded: an interrupted step's output may have been cut off with its server)
    JsonNode last = null;
    for (long id : ids.reversed()) {
      last = get(0, token, "/api/v1/deployments/" + id);
      if (last.path("state").asString().equals("SUCCEEDED")) {
        break;
      }
    }
    long stepRun = last.path("targets").get(0).path("steps").get(0).path("id").asLong();
    for (int s : new int[] {0, other}) {
      HttpResponse<String> output = send(s, token, HttpRequest.newBuilder(uri(s, "/api/v1/deployments/"
          + last.path("id").asLong() + "/steps/" + stepRun + "/output")).GET());
      assertThat(output.statusCode()).as(output.body()).isEqualTo(200);
      assertThat(output.body()).contains("step one of " + last.path("version").asString());
    }
  }

  /** A browser signed in to the console through one server with the API token, as the sign-in page has it. */
  private HttpClient consoleSignedInThrough(int server, String token) throws Exception {
    HttpClient browser = HttpClient.newBuilder().cookieHandler(new java.net.CookieManager())
        .followRedirects(HttpClient.Redirect.NEVER).build();
    java.util.regex.Matcher csrf = java.util.regex.Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"")
        .matcher(page(browser, server, "/sign-in").body());
    assertThat(csrf.find()).isTrue();
    HttpResponse<String> signedIn = browser.send(HttpRequest.newBuilder(uri(server, "/sign-in"))
        .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(
            "_csrf=" + java.net.URLEncoder.encode(csrf.group(1), StandardCharsets.UTF_8) + "&token=" + token))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(signedIn.statusCode()).as(signedIn.body()).isEqualTo(302);
    return browser;
  }

  private HttpResponse<String> page(HttpClient browser, int server, String path) throws Exception {
    HttpResponse<String> page = browser.send(HttpRequest.newBuilder(uri(server, path)).header("Accept", "text/html")
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(page.statusCode()).as("%s through server %d: %s", path, server, page.body()).isEqualTo(200);
    return page;
  }

  /** Waits until one of the servers runs a step (a process of its own, a step's shell) and answers which. */
  private int awaitRunningStep(int... candidates) throws Exception {
    Instant deadline = Instant.now().plusSeconds(60);
    while (true) {
      for (int server : candidates) {
        if (servers[server].children().anyMatch(c -> c.info().command().orElse("").endsWith("sh"))) {
          return server;
        }
      }
      assertThat(Instant.now()).as("one of servers %s runs a step", java.util.Arrays.toString(candidates))
          .isBefore(deadline);
      Thread.sleep(10);
    }
  }

  private List<String> log(String target) {
    String[] parts = target.split("-");
    Path file = dir.resolve("targets").resolve(parts[0]).resolve(parts[1]).resolve(parts[0].replace("e", "s")
        + ".app/steps.log");
    try {
      return Files.exists(file) ? Files.readAllLines(file) : List.of();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private void awaitEnded(String token, List<Long> ids, int count) throws Exception {
    Instant deadline = Instant.now().plusSeconds(120);
    while (true) {
      try {
        if (ended(0, token, ids) >= count) {
          return;
        }
      } catch (AssertionError | IOException e) {
        // just after the database's restart a connection the pool had handed out may fail one request
        assertThat(Instant.now().isAfter(restarted.plusSeconds(10))).as("the API fails after the restart: %s",
            e.getMessage()).isFalse();
      }
      assertThat(Instant.now()).as("%d deployments end", count).isBefore(deadline);
      Thread.sleep(100);
    }
  }

  private int ended(int server, String token, List<Long> ids) throws Exception {
    int n = 0;
    JsonNode items = get(server, token, "/api/v1/deployments?size=100").path("items");
    for (JsonNode d : items) {
      n += ids.contains(d.path("id").asLong()) && FINAL.contains(d.path("state").asString()) ? 1 : 0;
    }
    return n;
  }

  private Path writeConfig() throws IOException {
    StringBuilder yaml = new StringBuilder();
    for (int e = 1; e <= ENVIRONMENTS; e++) {
      yaml.append("""
          apiVersion: gantry.io/v1
          kind: Environment
          metadata: {name: e%1$d}
          spec: {purpose: test, owner: qa}
          ---
          apiVersion: gantry.io/v1
          kind: Service
          metadata: {name: s%1$d}
          spec: {owner: qa}
          ---
          apiVersion: gantry.io/v1
          kind: Component
          metadata: {name: app}
          spec: {service: s%1$d, type: software}
          ---
          apiVersion: gantry.io/v1
          kind: DeploymentModel
          metadata: {name: m%1$d}
          spec:
            appliesTo: {services: [s%1$d]}
            stages:
              - name: run
                environment: e%1$d
                steps:
          """.formatted(e));
      for (String step : STEPS) {
        yaml.append("        - {name: ").append(step).append(", type: shell, command: \"echo step ").append(step)
            .append(" of $GANTRY_VERSION; echo $GANTRY_VERSION ").append(step).append(" >> steps.log; sleep 0.5\"}\n");
      }
      yaml.append("      failurePolicy: {action: stop}\n");
      for (int t = 1; t <= 2; t++) {
        yaml.append("---\napiVersion: gantry.io/v1\nkind: Target\nmetadata: {name: e").append(e).append("-t").append(t)
            .append("}\nspec: {environment: e").append(e).append(", kind: local, path: e").append(e).append("/t")
            .append(t).append("}\n");
      }
      yaml.append("---\n");
    }
    Path config = Files.createDirectories(dir.resolve("config"));
    Files.writeString(config.resolve("several.yaml"), yaml);
    return config;
  }

  private void start(int n, Path config) throws Exception {
    ports[n] = freePort();
    List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
        "-jar", Path.of("target/gantry.jar").toAbsolutePath().toString(), "server", "--port", String.valueOf(ports[n]),
        "--data-dir", dir.resolve("data").toString()));
    if (config != null) {
      command.addAll(List.of("--apply", config.toString()));
    }
    command.addAll(List.of("--", "--gantry.engine.lease=2s", "--gantry.engine.poll=100ms",
        "--gantry.engine.wait-recheck=1s", "--spring.datasource.hikari.maximum-pool-size=6"));
    command.addAll(database);
    Path log = dir.resolve("server-" + n + ".log");
    servers[n] = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    Instant deadline = Instant.now().plusSeconds(120);
    while (true) {
      if (!servers[n].isAlive()) {
        throw new AssertionError("server " + n + " exited with " + servers[n].exitValue() + "; its log:\n"
            + String.join("\n", Files.readAllLines(log).stream().filter(l -> !l.startsWith("\tat ")).toList()));
      }
      assertThat(Instant.now()).as("server %d ready", n).isBefore(deadline);
      try {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri(n, "/api/v1/health")).build(),
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

  private static void signal(long pid, String signal) {
    try {
      new ProcessBuilder("kill", "-" + signal, String.valueOf(pid)).start().waitFor();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void push(int server, String token, int environment, String version) throws Exception {
    String boundary = "b" + UUID.randomUUID();
    String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"manifest\"\r\n"
        + "Content-Type: application/json\r\n\r\n{\"version\":\"" + version + "\"}\r\n"
        + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"artifact\"; filename=\"version.txt\"\r\n"
        + "Content-Type: application/octet-stream\r\n\r\n" + version + "\n\r\n--" + boundary + "--\r\n";
    HttpResponse<String> r = send(server, token, HttpRequest.newBuilder(uri(server, "/api/v1/services/s"
        + environment + "/components/app/versions")).header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofString(body)));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
  }

  private JsonNode get(int server, String token, String path) throws Exception {
    HttpResponse<String> r = send(server, token, HttpRequest.newBuilder(uri(server, path)).GET());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  private JsonNode post(int server, String token, String path, Object body) throws Exception {
    HttpResponse<String> r = send(server, token, HttpRequest.newBuilder(uri(server, path))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return JSON.readTree(r.body());
  }

  private HttpResponse<String> send(int server, String token, HttpRequest.Builder request) throws Exception {
    return HTTP.send(request.header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  private URI uri(int server, String path) {
    return URI.create("http://127.0.0.1:" + ports[server] + path);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
