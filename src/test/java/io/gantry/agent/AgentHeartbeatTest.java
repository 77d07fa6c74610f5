package io.gantry.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's heartbeat against a real HTTP server standing in for Gantry's agents' API: left out while the
 * server answers the agent's other requests, which it hears the agent by, yet the host's facts still go at least
 * every sixth heartbeat; sent every time while nothing else is answered.
 */
class AgentHeartbeatTest {

  /**
   * Runs an agent with a 1 s heartbeat for {@code millis} against a server whose requests for work are answered
   * with {@code workStatus} after 200 ms; returns the heartbeats the server got.
   */
  private static int heartbeats(Path dir, int workStatus, long millis) throws Exception {
    AtomicInteger beats = new AtomicInteger();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/api/v1/agent/registrations", e -> answer(e, 201,
        "{\"name\":\"host-1\",\"state\":\"pending\",\"credential\":\"gtc_test\"}"));
    server.createContext("/api/v1/agent/heartbeat", e -> {
      assertThat(new String(e.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)).contains("disk.free-mb");
      beats.incrementAndGet();
      answer(e, 200, "{\"name\":\"host-1\",\"state\":\"approved\",\"target\":\"far-1\"}");
    });
    server.createContext("/api/v1/agent/work", e -> {
      try {
        Thread.sleep(200);
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
      }
      answer(e, workStatus, workStatus == 204 ? null : "{\"detail\":\"not now\"}");
    });
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    server.start();
    try {
      AgentProcess agent = new AgentProcess(new AgentProcess.Options(URI.create("http://127.0.0.1:"
          + server.getAddress().getPort()), "gtr_" + "0".repeat(40), "host-1", dir, null, true, Duration.ofSeconds(1)),
          new PrintWriter(new StringWriter()));
      Thread running = Thread.ofPlatform().start(() -> {
        try {
          agent.run();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      Thread.sleep(millis);
      int counted = beats.get();
      agent.stop();
      running.join(30_000);
      return counted;
    } finally {
      server.stop(0);
    }
  }

  private static void answer(HttpExchange e, int status, String body) throws IOException {
    e.getRequestBody().readAllBytes();
    if (body == null) {
      e.sendResponseHeaders(status, -1);
    } else {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      e.getResponseHeaders().set("Content-Type", "application/json");
      e.sendResponseHeaders(status, bytes.length);
      e.getResponseBody().write(bytes);
    }
    e.close();
  }

  @Test
  void an_agent_whose_requests_are_answered_leaves_out_its_heartbeats_but_sends_its_facts_every_sixth(
      @TempDir Path dir) throws Exception {
    // answered every 200 ms: the heartbeat at once, then one in six (at about 6 s)
    assertThat(heartbeats(dir.resolve("busy"), 204, 7_500)).isBetween(2, 3);
  }

  @Test
  void an_agent_whose_requests_are_not_answered_with_success_sends_every_heartbeat(@TempDir Path dir)
      throws Exception {
    assertThat(heartbeats(dir.resolve("idle"), 503, 4_500)).isGreaterThanOrEqualTo(4);
  }
}
