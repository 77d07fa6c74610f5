package io.gantry.crash;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.gantry.events.Signature;
import io.gantry.testing.TestDatabase;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
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
  private static final String SECRET = "outbox-crash-secret";

  @TempDir Path dir;
  private CrashServer server;
  private HttpServer receiver;

  /** Every delivery the receiver took, by event id; each checked for its signature. */
  private final Map<String, AtomicInteger> received = new ConcurrentHashMap<>();
  private final AtomicInteger badSignatures = new AtomicInteger();
  private volatile CountDownLatch gate = new CountDownLatch(1);

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    if (receiver != null) {
      receiver.stop(0);
    }
  }

  @Test
  void a_server_killed_mid_delivery_delivers_every_event_after_restart_and_the_receiver_drops_the_duplicates()
      throws Exception {
    server = new CrashServer(dir, TestDatabase.POSTGRESQL, "--gantry.engine.poll=100ms", "--gantry.events.poll=100ms",
        "--gantry.events.delivery.lease=3s", "--gantry.events.http.timeout=60s", "--gantry.events.senders=4");
    startReceiver();
    server.start(writeConfig());
    server.send("PUT", "/api/v1/secrets/hook", Map.of("value", SECRET), 200);
    // events written before the subscription (the configuration applied at start) are not its business
    Set<String> before = new HashSet<>();
    for (JsonNode e : server.get("/api/v1/events?limit=500")) {
      before.add(e.path("id").asString());
    }
    server.send("POST", "/api/v1/subscriptions", Map.of("name", "receiver", "sink", "http", "address",
        "http://127.0.0.1:" + receiver.getAddress().getPort() + "/events", "secret", "hook"), 201);
    server.push("outbox/app", "1.0.0");
    long id = server.deploy("outbox/app", "1.0.0", "outbox");

    // the receiver holds every delivery without answering: the deployment ends while they are in flight
    Instant deadline = Instant.now().plusSeconds(120);
    while (!server.get("/api/v1/deployments/" + id).path("state").asString().equals("SUCCEEDED")
        || received.isEmpty()) {
      assertThat(Instant.now()).as("deployment done and deliveries in flight").isBefore(deadline);
      Thread.sleep(100);
    }
    Set<String> inFlight = new HashSet<>(received.keySet());
    long pendingBeforeKill = server.get("/api/v1/deliveries/counts").path("deliveries").path("PENDING").asLong();
    assertThat(pendingBeforeKill).as("deliveries not yet made when the server dies").isGreaterThan(0);

    server.kill();
    gate.countDown(); // from now on the receiver answers 200 at once

    server.start(writeConfig());
    // every event written (some by the restart itself) reaches the receiver, and no delivery is left
    deadline = Instant.now().plusSeconds(120);
    Set<String> written = new HashSet<>();
    JsonNode counts;
    while (true) {
      written.clear();
      for (JsonNode e : server.get("/api/v1/events?limit=500")) {
        written.add(e.path("id").asString());
      }
      written.removeAll(before);
      counts = server.get("/api/v1/deliveries/counts").path("deliveries");
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
    assertThat(Files.readString(server.log())).doesNotContain(SECRET);
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
}
