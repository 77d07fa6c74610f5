package io.gantry.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gantry.testing.TestDatabase;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code GET /api/v1/deployments/{id}/events/stream} on a real server, read as a client reads it: the entries of a
 * running deployment as they are recorded and its end, a resumption after {@code Last-Event-ID}, the refusals of
 * the plain record's endpoint, and a stream freed once its client has gone.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"gantry.deployments.stream.heartbeat=200ms", "gantry.deployments.stream.max-open=3"})
class DeploymentStreamTest {

  static final JsonMapper JSON = JsonMapper.builder().build();
  static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  static final String CONFIG = """
      apiVersion: gantry.io/v1
      kind: Environment
      metadata: {name: stream-dev}
      spec: {purpose: development, controlled: false, owner: team-stream}
      ---
      apiVersion: gantry.io/v1
      kind: Target
      metadata: {name: stream-dev-1}
      spec: {environment: stream-dev, kind: local, path: stream-dev-1}
      ---
      apiVersion: gantry.io/v1
      kind: Service
      metadata: {name: stream}
      spec: {owner: team-stream}
      ---
      apiVersion: gantry.io/v1
      kind: Service
      metadata: {name: elsewhere}
      spec: {owner: team-stream}
      ---
      apiVersion: gantry.io/v1
      kind: Component
      metadata: {name: app}
      spec: {service: stream, type: software, model: stream-model}
      ---
      apiVersion: gantry.io/v1
      kind: DeploymentModel
      metadata: {name: stream-model}
      spec:
        appliesTo: {components: [stream/app]}
        stages:
          - name: dev
            environment: stream-dev
            authorization: automatic
            strategy: {type: all-at-once}
            steps:
              - {name: install, type: artifact.install, destination: releases, idempotent: true}
              - {name: check, type: shell, command: sh current/check.sh, timeout: 5m}
            failurePolicy: {action: stop}
      """;

  @DynamicPropertySource
  static void server(DynamicPropertyRegistry registry) throws Exception {
    for (String property : TestDatabase.H2.springProperties()) {
      int eq = property.indexOf('=');
      registry.add(property.substring(0, eq), () -> property.substring(eq + 1));
    }
    Path dataDir = Files.createDirectories(Files.createTempDirectory("gantry-stream-test").resolve("data"));
    registry.add("gantry.data-dir", dataDir::toString);
  }

  @LocalServerPort int port;
  @Value("${gantry.data-dir}") Path dataDir;
  @Autowired DeploymentStreams streams;
  String admin;

  @BeforeEach
  void applyTheConfiguration() throws Exception {
    admin = io.gantry.testing.AdminToken.of(dataDir);
    Response applied = post("/api/v1/config/apply", admin, Map.of("files", List.of(Map.of("name", "stream.yaml",
        "content", CONFIG)), "reason", "the stream's tests"));
    assertThat(applied.status()).as(applied.text()).isEqualTo(200);
    // the server holds at most 3 streams (see the properties above); those a test before this one closed end on
    // the server at their next heartbeat: each test starts with none held, or its first stream could be refused
    await().atMost(Duration.ofSeconds(30)).until(() -> streams.open() == 0);
  }

  @Test
  void theStreamSendsTheEntriesOfARunningDeploymentAsTheyAreRecordedAndEndsWithItsFinalState() throws Exception {
    Path gate = dataDir.resolve("gate-" + UUID.randomUUID());
    long id = deploy(pushed("while [ ! -f '" + gate + "' ]; do sleep 0.1; done; echo through the gate"));

    try (Stream stream = open(id, null, null)) {
      List<Event> beforeGate = new ArrayList<>();
      do {
        beforeGate.add(stream.next());
      } while (!beforeGate.getLast().data().path("step").asString("").equals("check"));
      String stateAtTheGate = get("/api/v1/deployments/" + id, admin).json().path("state").asString();
      Files.writeString(gate, "open");
      List<Event> afterGate = new ArrayList<>();
      do {
        afterGate.add(stream.next());
      } while (!afterGate.getLast().name().equals("end"));

      assertThat(stream.status).isEqualTo(200);
      assertThat(stream.contentType).startsWith("text/event-stream");
      assertThat(stateAtTheGate).as("the check step's start came while the deployment ran").isEqualTo("EXECUTING");
      assertThat(beforeGate).allMatch(e -> e.name().equals("message"));
      Event end = afterGate.removeLast();
      assertThat(end.data().path("state").asString()).isEqualTo("SUCCEEDED");
      assertThat(end.data().path("deployment").asLong()).isEqualTo(id);
      List<Event> entries = new ArrayList<>(beforeGate);
      entries.addAll(afterGate);
      JsonNode record = get("/api/v1/deployments/" + id + "/events", admin).json();
      assertThat(entries).extracting(e -> e.data()).containsExactlyElementsOf(record);
      assertThat(entries).extracting(Event::id).containsExactlyElementsOf(
          record.valueStream().map(e -> String.valueOf(e.path("id").asLong())).toList());
      assertThat(record.get(record.size() - 1).path("to").asString()).isEqualTo("SUCCEEDED");
      assertThat(stream.next()).as("the stream ends after its end").isNull();
    }
  }

  @Test
  void aStreamResumedAfterLastEventIdSendsOnlyTheLaterEntriesOnceAndTheHeaderWinsOverAfter() throws Exception {
    long id = deploy(pushed("exit 0"));
    awaitFinal(id);
    JsonNode record = get("/api/v1/deployments/" + id + "/events", admin).json();
    assertThat(record.size()).isGreaterThan(3);
    long middle = record.get(record.size() / 2).path("id").asLong();
    List<JsonNode> later = record.valueStream().filter(e -> e.path("id").asLong() > middle).toList();

    List<Event> resumed = all(id, null, String.valueOf(middle));
    List<Event> headerWins = all(id, "0", String.valueOf(middle));
    List<Event> byQuery = all(id, String.valueOf(middle), null);
    List<Event> whole = all(id, null, null);

    for (List<Event> events : List.of(resumed, headerWins, byQuery)) {
      assertThat(events.getLast().name()).isEqualTo("end");
      assertThat(events.subList(0, events.size() - 1)).extracting(Event::data).containsExactlyElementsOf(later);
    }
    assertThat(whole.subList(0, whole.size() - 1)).extracting(Event::data).containsExactlyElementsOf(record);
    assertThat(get("/api/v1/deployments/" + id + "/events/stream", admin, Map.of("Last-Event-ID", "yesterday"))
        .status()).isEqualTo(400);
  }

  @Test
  void theStreamRefusesWhomThePlainRecordRefuses() throws Exception {
    long id = deploy(pushed("exit 0"));
    String elsewhere = user("deployment-practitioner", "elsewhere");
    String here = user("deployment-practitioner", "stream");
    String path = "/api/v1/deployments/" + id + "/events/stream";
    Map<String, String> sse = Map.of("Accept", "text/event-stream");

    Response anonymous = get(path, null, sse);
    Response foreign = get(path, elsewhere, sse);
    Response missing = get("/api/v1/deployments/999999/events/stream", admin, sse);

    assertThat(anonymous.status()).isEqualTo(401);
    assertThat(foreign.status()).as(foreign.text()).isEqualTo(403);
    assertThat(foreign.text()).contains("service stream");
    assertThat(get("/api/v1/deployments/" + id + "/events", elsewhere).status()).isEqualTo(403);
    assertThat(missing.status()).isEqualTo(404);
    awaitFinal(id);
    List<Event> allowed = all(id, null, null, here);
    assertThat(allowed.getLast().name()).isEqualTo("end");
  }

  @Test
  void aStreamEndsOnceItsTokenIsRevokedAndConnectingAgainIsRefusedSayingWhy() throws Exception {
    Reader reader = reader("deployment-practitioner", "stream");
    Path gate = dataDir.resolve("gate-" + UUID.randomUUID());
    long id = deploy(pushed("while [ ! -f '" + gate + "' ]; do sleep 0.1; done"));
    try (Stream stream = open(id, null, null, reader.token())) {
      assertThat(stream.next()).isNotNull();

      assertThat(send(HttpRequest.newBuilder(uri("/api/v1/tokens/" + reader.tokenId())).DELETE(), admin).status())
          .isEqualTo(200);

      assertThat(drain(stream)).as("the stream ends by itself, the deployment still running").isTrue();
      Response again = get("/api/v1/deployments/" + id + "/events/stream", reader.token(),
          Map.of("Accept", "text/event-stream"));
      assertThat(again.status()).isEqualTo(401);
      assertThat(again.text()).contains("was revoked");
      assertThat(get("/api/v1/deployments/" + id, admin).json().path("state").asString()).isEqualTo("EXECUTING");
    } finally {
      Files.writeString(gate, "open");
    }
  }

  @Test
  void aStreamEndsOnceItsReaderNoLongerHoldsARoleWhereTheDeploymentIs() throws Exception {
    Reader reader = reader("deployment-practitioner", "stream");
    Path gate = dataDir.resolve("gate-" + UUID.randomUUID());
    long id = deploy(pushed("while [ ! -f '" + gate + "' ]; do sleep 0.1; done"));
    try (Stream stream = open(id, null, null, reader.token())) {
      assertThat(stream.next()).isNotNull();

      assertThat(send(HttpRequest.newBuilder(uri("/api/v1/role-bindings/" + reader.bindingId())).DELETE(), admin)
          .status()).isBetween(200, 204);

      assertThat(drain(stream)).as("the stream ends by itself, the deployment still running").isTrue();
      Response again = get("/api/v1/deployments/" + id + "/events/stream", reader.token(),
          Map.of("Accept", "text/event-stream"));
      assertThat(again.status()).isEqualTo(403);
      assertThat(again.text()).contains("forbidden");
    } finally {
      Files.writeString(gate, "open");
    }
  }

  /** Reads a stream's events until the server ends it (true); {@link Stream#next()} fails after a minute without. */
  private static boolean drain(Stream stream) throws InterruptedException {
    while (stream.next() != null) {
      // the entries recorded meanwhile
    }
    return true;
  }

  @Test
  void aClientThatGoesAwayFreesItsStream() throws Exception {
    Path gate = dataDir.resolve("gate-" + UUID.randomUUID());
    long id = deploy(pushed("while [ ! -f '" + gate + "' ]; do sleep 0.1; done"));
    try {
      Stream stream = open(id, null, null);
      assertThat(stream.next()).isNotNull();
      assertThat(streams.open()).isPositive();

      stream.close();

      await().atMost(Duration.ofSeconds(30)).until(() -> streams.open() == 0);
    } finally {
      Files.writeString(gate, "open");
    }
  }

  @Test
  void aStreamBeyondTheServersLimitIsRefusedAsBusyUntilAnotherEnds() throws Exception {
    Path gate = dataDir.resolve("gate-" + UUID.randomUUID());
    long id = deploy(pushed("while [ ! -f '" + gate + "' ]; do sleep 0.1; done"));
    List<Stream> open = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        open.add(open(id, null, null));
        assertThat(open.getLast().status).isEqualTo(200);
        assertThat(open.getLast().next()).isNotNull();
      }
      Response refused = get("/api/v1/deployments/" + id + "/events/stream", admin,
          Map.of("Accept", "text/event-stream"));
      assertThat(refused.status()).as(refused.text()).isEqualTo(503);
      assertThat(refused.json().path("type").asString()).endsWith("/busy");
      assertThat(refused.json().path("detail").asString()).contains("gantry.deployments.stream.max-open")
          .contains("/deployments/" + id + "/events");

      open.removeFirst().close();
      await().atMost(Duration.ofSeconds(30)).until(() -> streams.open() == 2);
      try (Stream again = open(id, null, null)) {
        assertThat(again.status).as("a stream once another has ended").isEqualTo(200);
      }
    } finally {
      for (Stream s : open) {
        s.close();
      }
      Files.writeString(gate, "open");
    }
  }

  // --- fixtures

  private String pushed(String check) throws Exception {
    String version = "1.0." + Math.abs(UUID.randomUUID().getMostSignificantBits() % 1_000_000);
    String boundary = "gantry" + UUID.randomUUID();
    String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"manifest\"\r\n"
        + "Content-Type: application/json\r\n\r\n" + JSON.writeValueAsString(Map.of("version", version)) + "\r\n"
        + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"artifact\"; filename=\"check.sh\"\r\n"
        + "Content-Type: application/octet-stream\r\n\r\n" + check + "\n\r\n--" + boundary + "--\r\n";
    Response pushed = send(HttpRequest.newBuilder(uri("/api/v1/services/stream/components/app/versions"))
        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofString(body)), admin);
    assertThat(pushed.status()).as(pushed.text()).isEqualTo(201);
    return version;
  }

  private long deploy(String version) throws Exception {
    Response created = post("/api/v1/deployments", admin, Map.of("component", "stream/app", "version", version,
        "environment", "stream-dev", "reason", "streamed"));
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    return created.json().path("id").asLong();
  }

  private void awaitFinal(long id) {
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> List.of("SUCCEEDED",
        "FAILED", "ROLLED_BACK", "CANCELLED").contains(get("/api/v1/deployments/" + id, admin).json().path("state")
        .asString()));
  }

  /** A user's token (its secret and id) and the binding of its only role. */
  record Reader(String token, long tokenId, long bindingId) {}

  /** A user holding {@code role} in {@code service} only: its token and binding. */
  private Reader reader(String role, String service) throws Exception {
    String name = "s-" + UUID.randomUUID().toString().substring(0, 8);
    Response created = post("/api/v1/users", admin, Map.of("name", name, "roles", List.of()));
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    Response bound = post("/api/v1/role-bindings", admin, Map.of("user", name, "role", role, "service", service));
    assertThat(bound.status()).as(bound.text()).isEqualTo(201);
    String code = created.json().path("enrolment").path("code").asString();
    JsonNode token = post("/api/v1/tokens", code, Map.of("name", "t")).json();
    return new Reader(token.path("token").asString(), token.path("id").asLong(), bound.json().path("id").asLong());
  }

  /** A user holding {@code role} in {@code service} only, and its token. */
  private String user(String role, String service) throws Exception {
    String name = "s-" + UUID.randomUUID().toString().substring(0, 8);
    Response created = post("/api/v1/users", admin, Map.of("name", name, "roles", List.of()));
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    Map<String, Object> binding = new LinkedHashMap<>();
    binding.put("user", name);
    binding.put("role", role);
    binding.put("service", service);
    assertThat(post("/api/v1/role-bindings", admin, binding).status()).isEqualTo(201);
    String code = created.json().path("enrolment").path("code").asString();
    return post("/api/v1/tokens", code, Map.of("name", "t")).json().path("token").asString();
  }

  // --- server-sent events

  record Event(String name, String id, JsonNode data) {}

  /** Every event of a stream that ends by itself (a finished deployment's). */
  private List<Event> all(long id, String after, String lastEventId) throws Exception {
    return all(id, after, lastEventId, admin);
  }

  private List<Event> all(long id, String after, String lastEventId, String token) throws Exception {
    try (Stream stream = open(id, after, lastEventId, token)) {
      assertThat(stream.status).isEqualTo(200);
      List<Event> events = new ArrayList<>();
      for (Event e = stream.next(); e != null; e = stream.next()) {
        events.add(e);
      }
      return events;
    }
  }

  private Stream open(long id, String after, String lastEventId) throws Exception {
    return open(id, after, lastEventId, admin);
  }

  private Stream open(long id, String after, String lastEventId, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri("/api/v1/deployments/" + id + "/events/stream"
        + (after == null ? "" : "?after=" + after))).header("Accept", "text/event-stream")
        .header("Authorization", "Bearer " + token);
    if (lastEventId != null) {
      request.header("Last-Event-ID", lastEventId);
    }
    return new Stream(HTTP.send(request.build(), HttpResponse.BodyHandlers.ofInputStream()));
  }

  /**
   * An open stream read on a thread of its own, so that a test waits for its next event with a limit rather than
   * forever; {@link #next()} answers null once the server has ended it.
   */
  static final class Stream implements AutoCloseable {

    private static final Event ENDED = new Event("", null, null);

    final int status;
    final String contentType;
    private final InputStream body;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();

    Stream(HttpResponse<InputStream> response) {
      status = response.statusCode();
      contentType = response.headers().firstValue("Content-Type").orElse("");
      body = response.body();
      Thread.ofVirtual().start(this::read);
    }

    private void read() {
      try (BufferedReader reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
        String name = null;
        String id = null;
        StringBuilder data = null;
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
          if (line.isEmpty()) {
            if (data != null) {
              events.add(new Event(name == null ? "message" : name, id, JSON.readTree(data.toString())));
            }
            name = null;
            data = null;
          } else if (line.startsWith("event:")) {
            name = line.substring(6).strip();
          } else if (line.startsWith("id:")) {
            id = line.substring(3).strip();
          } else if (line.startsWith("data:")) {
            data = (data == null ? new StringBuilder() : data.append('\n')).append(line.substring(5).strip());
          }
        }
      } catch (Exception e) {
        // closed by the test
      } finally {
        events.add(ENDED);
      }
    }

    Event next() throws InterruptedException {
      Event e = events.poll(60, TimeUnit.SECONDS);
      assertThat(e).as("an event within a minute").isNotNull();
      return e == ENDED ? null : e;
    }

    @Override
    public void close() throws Exception {
      body.close();
    }
  }

  // --- HTTP

  record Response(int status, String text) {
    JsonNode json() {
      return JSON.readTree(text);
    }
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  private Response get(String path, String token) throws Exception {
    return get(path, token, Map.of());
  }

  private Response get(String path, String token, Map<String, String> headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).GET();
    headers.forEach(request::header);
    return send(request, token);
  }

  private Response post(String path, String token, Object body) throws Exception {
    return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))), token);
  }

  private static Response send(HttpRequest.Builder builder, String token) throws Exception {
    if (token != null) {
      builder.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> r = HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    return new Response(r.statusCode(), r.body());
  }
}
