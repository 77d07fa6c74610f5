package io.gantry.crash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gantry.testing.TestDatabase;
import java.io.IOException;
import java.io.OutputStream;
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
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The packaged server on PostgreSQL with its data directory on a small file system of its own (a 16 MB
 * tmpfs), filled up mid-run: a version pushed then is refused with 507 and a message saying the disk is
 * full, leaving nothing in the library; a deployment then runs its steps and says in each step's record
 * that the full output was not kept; once space is freed, the same push and the next deployment work as
 * usual. Needs to mount a tmpfs (root, as on the build machine).
 */
class DiskFullIT {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path dir;
  private Path data;
  private boolean mounted;
  private Process server;
  private int port;

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.destroyForcibly().waitFor();
    }
    if (mounted) {
      new ProcessBuilder("umount", data.toString()).inheritIO().start().waitFor();
    }
  }

  @Test
  void a_full_data_disk_refuses_pushes_clearly_keeps_deployments_going_and_all_works_once_space_is_freed()
      throws Exception {
    data = Files.createDirectories(dir.resolve("data"));
    Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", data.toString())
        .redirectErrorStream(true).start();
    String said = new String(mount.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assumeTrue(mount.waitFor() == 0, "a tmpfs cannot be mounted here: " + said);
    mounted = true;
    start();
    String token = Files.readString(data.resolve("admin.token")).trim();
    assertThat(push(token, "1.0.0").statusCode()).isEqualTo(201);

    Path filler = data.resolve("filler");
    fill(filler);
    long libraryFiles = files(data.resolve("dml"));
    HttpResponse<String> refused = push(token, "1.0.1");
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(507);
    JsonNode problem = JSON.readTree(refused.body());
    assertThat(problem.path("detail").asString()).isEqualTo("the server's disk is full (no space left on device): "
        + "nothing of this request was kept; free space on the server (the data directory's file system) and send "
        + "it again");
    assertThat(problem.path("type").asString()).isEqualTo("https://gantry.io/problems/insufficient-storage");
    assertThat(files(data.resolve("dml"))).as("files in the library").isEqualTo(libraryFiles);
    assertThat(get(token, "/api/v1/services/disk/components/app/versions").path("items")).hasSize(1);

    JsonNode whileFull = awaitEnd(token, deploy(token, "1.0.0"));
    assertThat(whileFull.path("state").asString()).as(whileFull.path("outcome").asString()).isEqualTo("SUCCEEDED");
    for (JsonNode step : whileFull.path("targets").get(0).path("steps")) {
      if (step.path("name").asString().equals("talk")) {
        assertThat(step.path("output").asString()).contains("hello from the step")
            .contains("gantry: the full output was not kept").contains("No space left on device");
      }
    }

    Files.delete(filler);
    assertThat(push(token, "1.0.1").statusCode()).as("the same push once space is freed").isEqualTo(201);
    JsonNode after = awaitEnd(token, deploy(token, "1.0.1"));
    assertThat(after.path("state").asString()).as(after.path("outcome").asString()).isEqualTo("SUCCEEDED");
    assertThat(Files.readAllLines(dir.resolve("targets/t1/disk.app/steps.log"))).containsExactly("1.0.0", "1.0.1");
  }

  /** Writes the file until the file system is full. */
  private static void fill(Path file) throws IOException {
    byte[] block = new byte[64 * 1024];
    try (OutputStream out = Files.newOutputStream(file)) {
      while (true) {
        out.write(block);
      }
    } catch (IOException full) {
      assertThat(full.getMessage()).contains("No space left on device");
    }
  }

  private static long files(Path root) throws IOException {
    if (!Files.exists(root)) {
      return 0;
    }
    try (var walk = Files.walk(root)) {
      return walk.filter(Files::isRegularFile).count();
    }
  }

  private void start() throws Exception {
    Path config = Files.createDirectories(dir.resolve("config")).resolve("disk.yaml");
    Files.writeString(config, """
        apiVersion: gantry.io/v1
        kind: Environment
        metadata: {name: disk}
        spec: {purpose: test, owner: qa}
        ---
        apiVersion: gantry.io/v1
        kind: Service
        metadata: {name: disk}
        spec: {owner: qa}
        ---
        apiVersion: gantry.io/v1
        kind: Component
        metadata: {name: app}
        spec: {service: disk, type: software}
        ---
        apiVersion: gantry.io/v1
        kind: DeploymentModel
        metadata: {name: disk}
        spec:
          appliesTo: {services: [disk]}
          stages:
            - name: disk
              environment: disk
              steps:
                - {name: install, type: artifact.install, destination: releases}
                - {name: talk, type: shell, command: "echo hello from the step; echo $GANTRY_VERSION >> steps.log"}
              failurePolicy: {action: stop}
        ---
        apiVersion: gantry.io/v1
        kind: Target
        metadata: {name: t1}
        spec: {environment: disk, kind: local, path: t1}
        """);
    port = freePort();
    List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
        "-jar", Path.of("target/gantry.jar").toAbsolutePath().toString(), "server", "--port", String.valueOf(port),
        "--data-dir", data.toString(), "--apply", config.toString(), "--", "--gantry.engine.poll=100ms"));
    for (String p : TestDatabase.POSTGRESQL.springProperties()) {
      command.add("--" + p);
    }
    Path log = dir.resolve("server.log");
    server = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    Instant deadline = Instant.now().plusSeconds(120);
    while (true) {
      if (!server.isAlive()) {
        throw new AssertionError("the server exited with " + server.exitValue() + "; its log:\n"
            + String.join("\n", Files.readAllLines(log).stream().filter(l -> !l.startsWith("\tat ")).toList()));
      }
      assertThat(Instant.now()).as("server ready").isBefore(deadline);
      try {
        if (HTTP.send(HttpRequest.newBuilder(uri("/api/v1/health")).build(), HttpResponse.BodyHandlers.ofString())
            .statusCode() == 200 && Files.exists(data.resolve("admin.token"))) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(100);
    }
  }

  private HttpResponse<String> push(String token, String version) throws Exception {
    String boundary = "b" + UUID.randomUUID();
    String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"manifest\"\r\n"
        + "Content-Type: application/json\r\n\r\n{\"version\":\"" + version + "\"}\r\n"
        + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"artifact\"; filename=\"app.txt\"\r\n"
        + "Content-Type: application/octet-stream\r\n\r\n" + "x".repeat(200_000) + version + "\n\r\n--" + boundary
        + "--\r\n";
    return HTTP.send(HttpRequest.newBuilder(uri("/api/v1/services/disk/components/app/versions"))
        .header("Authorization", "Bearer " + token).header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private long deploy(String token, String version) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri("/api/v1/deployments"))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("component", "disk/app",
            "version", version, "environment", "disk", "reason", "disk full")))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return JSON.readTree(r.body()).path("id").asLong();
  }

  private JsonNode awaitEnd(String token, long id) throws Exception {
    Instant deadline = Instant.now().plusSeconds(60);
    while (true) {
      JsonNode d = get(token, "/api/v1/deployments/" + id);
      if (List.of("SUCCEEDED", "FAILED", "ROLLED_BACK", "CANCELLED").contains(d.path("state").asString())) {
        return d;
      }
      assertThat(Instant.now()).as("deployment #%d ends", id).isBefore(deadline);
      Thread.sleep(100);
    }
  }

  private JsonNode get(String token, String path) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + token)
        .build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
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
