package io.gantry.crash;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.gantry.events.Signature;
import io.gantry.testing.TestDatabase;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Kills the real server (SIGKILL) while its deliveries are in flight to a receiver that has taken them but not
 * answered, and while more events wait in the outbox; after a restart every event reaches the receiver, those in
 * flight a second time with the same id, so that the receiver drops the duplicate. Runs once, on PostgreSQL, with
 * the packaged jar.
 */
class OutboxCrashIT {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final String SECRET = "outbox-crash-secret";

  @TempDir Path dir;
  private final List<String> databaseArgs = new ArrayList<>();
  private Process server;
  private int port;
  private HttpServer receiver;

  /** Every delivery the receiver took, by event id; each checked for its signature. */
  private final Map<String, AtomicInteger> received = new ConcurrentHashMap<>();
  private final AtomicInteger badSignatures = new AtomicInteger();
  private volatile CountDownLatch gate = new CountDownLatch(1);

  @AfterEach
  void stop() {
    if (server != null) {
      server.destroyForcibly();
    }
    if (receiver != null) {
      receiver.stop(0);
    }
  }

  @Test
  void a_server_killed_mid_delivery_delivers_every_event_after_restart_and_the_receiver_drops_the_duplicates()
      throws Exception {
    for (String p : TestDatabase.POSTGRESQL.springProperties()) {
      databaseArgs.add("--" + p);
    }
    startReceiver();
    start(writeConfig());
    String token = Files.readString(dir.resolve("data/admin.token")).trim();
    send(token, "PUT", "/api/v1/secrets/hook", Map.of("value", SECRET), 200);
    // events written before the subscription (the configuration applied at start) are not its business
    Set<String> before = new HashSet<>();
    for (JsonNode e : get(token, "/api/v1/events?limit=500")) {
      before.add(e.path("id").asString());
    }
    send(token, "POST", "/api/v1/subscriptions", Map.of("name", "receiver", "sink", "http", "address",
        "http://127.0.0.1:" + receiver.getAddress().getPort() + "/events", "secret", "hook"), 201);
    push(token, "1.0.0");
    long id = send(token, "POST", "/api/v1/deployments", Map.of("component", "outbox/app", "version", "1.0.0",
        "environment", "outbox", "reason", "outbox crash test"), 201).path("id").asLong();

    // the receiver holds every delivery without answering: the deployment ends while they are in flight
    Instant deadline = Instant.now().plusSeconds(120);
    while (!get(token, "/api/v1/deployments/" + id).path("state").asString().equals("SUCCEEDED")
        || received.isEmpty()) {
      assertThat(Instant.now()).as("deployment done and deliveries in flight").isBefore(deadline);
      Thread.sleep(100);
    }
    Set<String> inFlight = new HashSet<>(received.keySet());
    long pendingBeforeKill = get(token, "/api/v1/deliveries/counts").path("deliveries").path("PENDING").asLong();
    assertThat(pendingBeforeKill).as("deliveries not yet made when the server dies").isGreaterThan(0);

    server.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    gate.countDown(); // from now on the receiver answers 200 at once

    start(writeConfig());
    // every event written (some by the restart itself) reaches the receiver, and no delivery is left
    deadline = Instant.now().plusSeconds(120);
    Set<String> written = new HashSet<>();
    JsonNode counts;
    while (true) {
      written.clear();
      for (JsonNode e : get(token, "/api/v1/events?limit=500")) {
        written.add(e.path("id").asString());
      }
      written.removeAll(before);
      counts = get(token, "/api/v1/deliveries/counts").path("deliveries");
      if (counts.path("PENDING").asLong() == 0 && received.keySet().containsAll(written)) {
        break;
      }
      assertThat(Instant.now()).as("every event delivered after the restart; missing: "
          + written.stream().filter(e -> !received.containsKey(e)).toList()).isBefore(deadline);
      Thread.sleep(200);
    }
    assertThat(counts.path("DEAD").asLong()).isZero();
    assertThat(written).isNotEmpty();
    Set<String> got = new HashSet<>(received.keySet());
    got.removeAll(before);
    assertThat(got).as("after dropping duplicates, each event once").isEqualTo(written);
    assertThat(inFlight).allSatisfy(e -> assertThat(received.get(e).get())
        .as("a delivery in flight at the kill is sent again with the same id").isGreaterThanOrEqualTo(2));
    assertThat(badSignatures.get()).isZero();
    assertThat(Files.readString(dir.resolve("server.log"))).doesNotContain(SECRET);
  }

  private void startReceiver() throws IOException {
    receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 100);
    receiver.setExecutor(Executors.newFixedThreadPool(32));
    receiver.createContext("/events", exchange -> {
      byte[] body = exchange.getRequestBody().readAllBytes();
      if (!Signature.verify(SECRET, exchange.getRequestHeaders().getFirst(Signature.HEADER), body,
          Instant.now().getEpochSecond(), 300)) {
        badSignatures.incrementAndGet();
      }
      String id = JSON.readTree(new String(body, StandardCharsets.UTF_8)).path("id").asString();
      received.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
      try {
        gate.await(120, TimeUnit.SECONDS);
        exchange.sendResponseHeaders(204, -1);
      } catch (InterruptedException | IOException gone) {
        // the server died while waiting for the answer
      } finally {
        exchange.close();
      }
    });
    receiver.start();
  }

  private Path writeConfig() throws IOException {
    StringBuilder yaml = new StringBuilder("""
        apiVersion: gantry.io/v1
        kind: Environment
        metadata: {name: outbox}
        spec: {purpose: test, owner: qa}
        ---
        apiVersion: gantry.io/v1
        kind: Service
        metadata: {name: outbox}
        spec: {owner: qa}
        ---
        apiVersion: gantry.io/v1
        kind: Component
        metadata: {name: app}
        spec: {service: outbox, type: software}
        ---
        apiVersion: gantry.io/v1
        kind: DeploymentModel
        metadata: {name: outbox}
        spec:
          appliesTo: {services: [outbox]}
          stages:
            - name: outbox
              environment: outbox
              strategy: {type: all-at-once}
              steps:
                - {name: install, type: artifact.install, destination: releases, idempotent: true}
                - {name: work, type: shell, command: "cat current/version.txt > deployed.txt", idempotent: true}
              failurePolicy: {action: stop}
        """);
    for (int i = 1; i <= 4; i++) {
      yaml.append("---\napiVersion: gantry.io/v1\nkind: Target\nmetadata: {name: t").append(i)
          .append("}\nspec: {environment: outbox, kind: local, path: t").append(i).append("}\n");
    }
    Path config = Files.createDirectories(dir.resolve("config"));
    Files.writeString(config.resolve("outbox.yaml"), yaml);
    return config;
  }

  private void start(Path config) throws Exception {
    port = freePort();
    List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
        "-jar", Path.of("target/gantry.jar").toAbsolutePath().toString(), "server", "--port", String.valueOf(port),
        "--data-dir", dir.resolve("data").toString(), "--apply", config.toString(), "--",
        "--gantry.engine.poll=100ms", "--gantry.events.poll=100ms", "--gantry.events.delivery.lease=3s",
        "--gantry.events.http.timeout=60s", "--gantry.events.senders=4"));
    command.addAll(databaseArgs);
    server = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("server.log").toFile())).start();
    Instant deadline = Instant.now().plusSeconds(120);
    while (true) {
      if (!server.isAlive()) {
        throw new AssertionError("the server exited with " + server.exitValue() + ":\n"
            + Files.readString(dir.resolve("server.log")));
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
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri("/api/v1/services/outbox/components/app/versions"))
        .header("Authorization", "Bearer " + token).header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
  }

  private JsonNode get(String token, String path) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + token)
        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  private JsonNode send(String token, String method, String path, Object body, int expected) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + token)
        .header("Content-Type", "application/json")
        .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(expected);
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
