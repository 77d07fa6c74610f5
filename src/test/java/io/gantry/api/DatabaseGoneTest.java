package io.gantry.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gantry.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A server on the real PostgreSQL whose connections the database drops (as a restart or a failover does; here
 * {@code pg_terminate_backend} on this server's connections alone): a request that meets a dropped connection is
 * answered 503 {@code database-unavailable} with {@code Retry-After}, never as an internal error, and the pool's
 * new connections serve the next ones.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class DatabaseGoneTest {

  static final String APPLICATION = "gantry-gone-" + UUID.randomUUID().toString().substring(0, 8);
  static final JsonMapper JSON = JsonMapper.builder().build();
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @DynamicPropertySource
  static void server(DynamicPropertyRegistry registry) throws Exception {
    for (String property : TestDatabase.POSTGRESQL.springProperties()) {
      int eq = property.indexOf('=');
      String name = property.substring(0, eq);
      String value = property.substring(eq + 1) + (name.equals("spring.datasource.url")
          ? "&ApplicationName=" + APPLICATION : "");
      registry.add(name, () -> value);
    }
    Path dataDir = Files.createDirectories(Files.createTempDirectory("gantry-gone-test").resolve("data"));
    registry.add("gantry.data-dir", dataDir::toString);
  }

  @LocalServerPort int port;
  @Value("${gantry.data-dir}") Path dataDir;

  @Test
  void requests_that_meet_a_connection_the_database_dropped_are_answered_503_and_the_next_are_served()
      throws Exception {
    String admin = io.gantry.testing.AdminToken.of(dataDir);
    List<HttpResponse<String>> answers = new ArrayList<>();
    for (int round = 0; round < 3; round++) {
      // served again once the pool has replaced the connections dropped before (each fails one request at most)
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        HttpResponse<String> r = get("/api/v1/deployments", admin);
        answers.add(r);
        return r.statusCode() == 200;
      });
      answers.add(post("/api/v1/deployments", admin));
      dropTheServersConnections();
      for (int i = 0; i < 3; i++) {
        answers.add(get("/api/v1/deployments", admin));
        answers.add(post("/api/v1/deployments", admin));
      }
    }

    assertThat(answers).extracting(HttpResponse::statusCode).as("never an internal error")
        .allMatch(s -> s == 503 || s == 200 || s == 404).contains(503);
    for (HttpResponse<String> r : answers) {
      if (r.statusCode() == 503) {
        JsonNode problem = JSON.readTree(r.body());
        assertThat(problem.path("type").asString()).endsWith("/database-unavailable");
        assertThat(problem.path("detail").asString()).contains("the database did not answer");
        assertThat(r.headers().firstValue("Retry-After")).contains("5");
        if (r.request().method().equals("POST")) {
          assertThat(problem.path("detail").asString()).contains("look before sending it again");
        }
      }
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> get("/api/v1/deployments", admin).statusCode() == 200);
  }

  /** Ends every connection this server holds, and waits until the database has ended them. */
  private static void dropTheServersConnections() throws Exception {
    try (Connection c = DriverManager.getConnection(TestDatabase.PG_URL, TestDatabase.PG_USER, "")) {
      c.createStatement().execute("select pg_terminate_backend(pid) from pg_stat_activity where application_name = '"
          + APPLICATION + "'");
      long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (System.nanoTime() < until) {
        try (ResultSet r = c.createStatement().executeQuery("select count(*) from pg_stat_activity "
            + "where application_name = '" + APPLICATION + "'")) {
          r.next();
          if (r.getInt(1) == 0) {
            return;
          }
        }
        Thread.sleep(5);
      }
    }
  }

  private HttpResponse<String> get(String path, String token) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path, String token) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"component\": \"nowhere/none\", \"version\": \"1.0.0\", "
            + "\"environment\": \"nowhere\"}")).build(), HttpResponse.BodyHandlers.ofString());
  }
}
