package io.gantry.crash;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.shared.HaltPoint;
import io.gantry.testing.TestDatabase;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The packaged server ({@code target/gantry.jar}) as a real process for the crash tests, on one data directory and
 * one database that outlive its restarts: on H2 the server's own default (a file database in the data directory,
 * as shipped: no URL is given and no {@code GANTRY_*} variable of the test's reaches it), on PostgreSQL a schema of
 * its own on the local server ({@link TestDatabase#springProperties()}, as the other tests have theirs). Started,
 * killed (SIGKILL), stopped and let go on (SIGSTOP, SIGCONT), started to halt at a named moment
 * ({@link HaltPoint}), and asked through its API.
 *
 * <p>Each start of a Spring Boot server of this size takes seconds, and the crash tests start many: the jar is
 * started from its extracted form with an ahead-of-time class cache (JDK 24 and later, JEP 483), made once per
 * build of the jar by a training start and kept beside it in {@code target/crash-server/}. Starts take about 40%
 * less time with it. A JDK that cannot make one, or {@code -Dgantry.crash.aot=false}, starts the jar as it is.
 */
final class CrashServer implements AutoCloseable {

  static final List<String> FINAL = List.of("SUCCEEDED", "FAILED", "ROLLED_BACK", "CANCELLED");

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final Path JAR = Path.of("target/gantry.jar").toAbsolutePath();
  private static final String JAVA = ProcessHandle.current().info().command().orElse("java");
  private static List<String> launcher;

  private final Path dir;
  private final List<String> settings = new ArrayList<>();
  private Process process;
  private int port;
  private String token;

  /**
   * A server in {@code dir} (its data directory {@code dir/data}, its log {@code dir/server.log}, started there) on
   * {@code database}, with these settings besides ({@code --name=value}).
   */
  CrashServer(Path dir, TestDatabase database, String... settings) {
    this.dir = dir;
    this.settings.addAll(List.of(settings));
    if (database == TestDatabase.POSTGRESQL) {
      for (String p : database.springProperties()) {
        this.settings.add("--" + p);
      }
    }
  }

  /** Starts the server applying the configuration in {@code config}, and waits until it answers. */
  CrashServer start(Path config) throws Exception {
    return start(config, null);
  }

  /** As {@link #start(Path)}, to halt the {@code n}-th time it reaches {@code moment} (see {@link HaltPoint}). */
  CrashServer startHaltingAt(Path config, String moment, int n) throws Exception {
    return start(config, moment + ":" + n);
  }

  private CrashServer start(Path config, String haltAt) throws Exception {
    assertThat(process == null || !process.isAlive()).as("a server already runs").isTrue();
    port = freePort();
    List<String> command = new ArrayList<>(launcher());
    if (haltAt != null) {
      command.add(1, "-D" + HaltPoint.PROPERTY + "=" + haltAt);
    }
    command.addAll(List.of("server", "--port", String.valueOf(port), "--data-dir", dir.resolve("data").toString(),
        "--apply", config.toString(), "--"));
    command.addAll(settings);
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
    builder.environment().keySet().removeIf(name -> name.startsWith("GANTRY_"));
    note("start" + (haltAt == null ? "" : ", to halt at " + haltAt));
    process = builder.start();
    Instant deadline = Instant.now().plusSeconds(120);
    Path tokenFile = dir.resolve("data/admin.token");
    while (true) {
      if (!process.isAlive()) {
        throw new AssertionError("the server exited with " + process.exitValue() + " while starting; its log:\n"
            + String.join("\n", Files.readAllLines(log()).stream().filter(l -> !l.startsWith("\tat ")).toList()));
      }
      assertThat(Instant.now()).as("the server answers").isBefore(deadline);
      try {
        HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(uri("/api/v1/health")).build(),
            HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200 && Files.exists(tokenFile)) {
          token = Files.readString(tokenFile).trim();
          return this;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(50);
    }
  }

  /** Kills the server (SIGKILL) and waits until it is gone. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("the killed server is gone").isTrue();
  }

  /** Waits until the server ends by itself (halted at its moment, or killed by a step); answers its exit status. */
  int awaitExit() throws InterruptedException {
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("the server ends by itself").isTrue();
    return process.exitValue();
  }

  /** Stops the server's process (SIGSTOP): it holds its leases and connections but does nothing. */
  void pause() throws Exception {
    signal("STOP");
  }

  /** Lets a paused server go on (SIGCONT). */
  void resume() throws Exception {
    signal("CONT");
  }

  private void signal(String signal) throws Exception {
    assertThat(new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid())).start().waitFor())
        .as("kill -%s %d", signal, process.pid()).isZero();
  }

  @Override
  public void close() throws Exception {
    if (running()) {
      kill();
    }
  }

  boolean running() {
    return process != null && process.isAlive();
  }

  /** Writes a line of the test's own in the server's log, to find where each test's part of it begins. */
  void note(String line) throws IOException {
    Files.writeString(log(), "---- " + line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  Path log() {
    return dir.resolve("server.log");
  }

  // --- the API

  /** Pushes version {@code version} of {@code component} ({@code service/name}): one file, version.txt. */
  void push(String component, String version) throws Exception {
    String boundary = "b" + UUID.randomUUID();
    String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"manifest\"\r\n"
        + "Content-Type: application/json\r\n\r\n{\"version\":\"" + version + "\"}\r\n"
        + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"artifact\"; filename=\"version.txt\"\r\n"
        + "Content-Type: application/octet-stream\r\n\r\n" + version + "\n\r\n--" + boundary + "--\r\n";
    String[] ref = component.split("/");
    HttpResponse<String> r = HTTP.send(request("/api/v1/services/" + ref[0] + "/components/" + ref[1] + "/versions")
        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
  }

  /** Requests a deployment; answers its id. */
  long deploy(String component, String version, String environment) throws Exception {
    return send("POST", "/api/v1/deployments", Map.of("component", component, "version", version, "environment",
        environment, "reason", "crash test"), 201).path("id").asLong();
  }

  JsonNode deployment(long id) throws Exception {
    return get("/api/v1/deployments/" + id);
  }

  /** The deployment's record, every entry. */
  JsonNode events(long id) throws Exception {
    return get("/api/v1/deployments/" + id + "/events");
  }

  boolean ended(long id) throws Exception {
    return FINAL.contains(deployment(id).path("state").asString());
  }

  /** Waits (up to two minutes) until the deployment has ended; answers it. */
  JsonNode awaitEnd(long id) throws Exception {
    Instant deadline = Instant.now().plusSeconds(120);
    while (!ended(id)) {
      assertThat(Instant.now()).as("deployment %d ends", id).isBefore(deadline);
      Thread.sleep(50);
    }
    return deployment(id);
  }

  JsonNode get(String path) throws Exception {
    HttpResponse<String> r = HTTP.send(request(path).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  JsonNode send(String method, String path, Object body, int expected) throws Exception {
    HttpResponse<String> r = HTTP.send(request(path).header("Content-Type", "application/json")
        .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(expected);
    return JSON.readTree(r.body());
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + token)
        .timeout(Duration.ofSeconds(30));
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  // --- the command that starts the jar

  /**
   * {@code java [-XX:AOTCache=...] -jar JAR}: the extracted jar with its class cache when one could be made for this
   * build of the jar (under a lock, as test JVMs run side by side), else the packaged jar as it is.
   */
  private static synchronized List<String> launcher() throws IOException, InterruptedException {
    if (launcher != null) {
      return launcher;
    }
    launcher = List.of(JAVA, "-jar", JAR.toString());
    if (!Boolean.parseBoolean(System.getProperty("gantry.crash.aot", "true"))) {
      return launcher;
    }
    Path root = Files.createDirectories(JAR.resolveSibling("crash-server"));
    Path made = root.resolve(Files.size(JAR) + "-" + Files.getLastModifiedTime(JAR).toMillis());
    Path extracted = made.resolve("gantry.jar");
    Path cache = made.resolve("gantry.aot");
    try (FileChannel channel = FileChannel.open(root.resolve("lock"), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE); FileLock lock = channel.lock()) {
      if (!Files.exists(cache) && !Files.exists(made.resolve("failed"))) {
        removeOlder(root, made);
        makeCache(made, extracted, cache);
      }
    }
    if (Files.exists(cache)) {
      launcher = List.of(JAVA, "-XX:AOTCache=" + cache, "-jar", extracted.toString());
    }
    return launcher;
  }

  /**
   * Extracts the jar (a nested jar cannot be cached) and starts it once to record what it loads: a server on a
   * throw-away data directory that stops once its context is up. A failure leaves a note and the jar is run as is.
   */
  private static void makeCache(Path made, Path extracted, Path cache) throws IOException, InterruptedException {
    Files.createDirectories(made);
    Path log = made.resolve("training.log");
    Path data = Files.createTempDirectory("gantry-training");
    boolean ok = run(log, List.of(JAVA, "-Djarmode=tools", "-jar", JAR.toString(), "extract", "--force",
        "--destination", made.toString()))
        && run(log, List.of(JAVA, "-XX:AOTCacheOutput=" + cache, "-Dspring.context.exit=onRefresh", "-jar",
            extracted.toString(), "server", "--port", String.valueOf(freePort()), "--data-dir", data.toString()))
        && Files.exists(cache);
    try (var files = Files.walk(data)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
    if (!ok) {
      Files.deleteIfExists(cache);
      Files.writeString(made.resolve("failed"), "see training.log\n");
    }
  }

  /** Removes what was made for earlier builds of the jar (a quarter of a gigabyte each). */
  private static void removeOlder(Path root, Path made) throws IOException {
    try (var folders = Files.list(root)) {
      for (Path older : folders.filter(p -> Files.isDirectory(p) && !p.equals(made)).toList()) {
        try (var files = Files.walk(older)) {
          files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }

  private static boolean run(Path log, List<String> command) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().keySet().removeIf(name -> name.startsWith("GANTRY_"));
    Process p = builder.start();
    if (!p.waitFor(180, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor();
      return false;
    }
    return p.exitValue() == 0;
  }
}
