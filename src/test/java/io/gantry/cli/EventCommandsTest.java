package io.gantry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.gantry.api.TestSupport;
import io.gantry.events.NewEvent;
import io.gantry.events.Outbox;
import io.gantry.events.Signature;
import io.gantry.events.StoredEvent;
import io.gantry.testing.TestDatabase;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code gantry events}, {@code deliveries} and {@code subscriptions} against a real Gantry (H2) that sends to a real
 * HTTP receiver on loopback, which checks every signature; the events are written through the outbox as the engine
 * writes them.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "gantry.events.poll=50ms", "gantry.events.delivery.initial-backoff=200ms",
    "gantry.events.delivery.max-backoff=400ms", "gantry.events.delivery.max-attempts=3"})
class EventCommandsTest {

  static final String TIME = CliAgainstRealServerTest.TIME;
  static final String SECRET = "a-webhook-secret-of-the-tests";

  @DynamicPropertySource
  static void server(DynamicPropertyRegistry registry) throws Exception {
    TestSupport.register(registry, TestDatabase.H2);
  }

  @LocalServerPort int port;
  @Value("${gantry.data-dir}") Path dataDir;
  @Autowired Outbox outbox;
  @Autowired TransactionTemplate tx;
  @TempDir Path dir;

  CliRunner gantry;
  HttpServer receiver;
  /** What each path of the receiver answers. */
  final Map<String, Integer> answers = new ConcurrentHashMap<>();
  final List<String> received = new CopyOnWriteArrayList<>();
  final AtomicInteger badSignatures = new AtomicInteger();
  final String unique = UUID.randomUUID().toString().substring(0, 8);

  @BeforeEach
  void startTheReceiverAndSetTheSecret() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    receiver.createContext("/", exchange -> {
      byte[] body = exchange.getRequestBody().readAllBytes();
      if (!Signature.verify(SECRET, exchange.getRequestHeaders().getFirst(Signature.HEADER), body,
          Instant.now().getEpochSecond(), 300)) {
        badSignatures.incrementAndGet();
        exchange.sendResponseHeaders(401, -1);
        exchange.close();
        return;
      }
      received.add(exchange.getRequestURI().getPath() + " " + exchange.getRequestHeaders().getFirst("Gantry-Event-Id"));
      exchange.sendResponseHeaders(answers.getOrDefault(exchange.getRequestURI().getPath(), 200), -1);
      exchange.close();
    });
    receiver.start();
    gantry = new CliRunner(dir).server("http://127.0.0.1:" + port);
    gantry.env.put("GANTRY_TOKEN", io.gantry.testing.AdminToken.of(dataDir));
    gantry.env.put("HOOK_SECRET", SECRET);
    succeeds("secret", "set", "hook", "--from-env", "HOOK_SECRET");
  }

  @AfterEach
  void stopTheReceiverAndRemoveTheSubscriptions() {
    receiver.stop(0);
    for (String name : List.of("ok-", "gone-", "mq-")) {
      gantry.run("subscriptions", "remove", name + unique);
    }
  }

  @Test
  void subscriptionsAreAddedListedAndRemoved() {
    String hook = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/ok";

    assertThat(succeeds("subscriptions", "add", "--name", "ok-" + unique, "--sink", "http", "--address", hook,
        "--types", "dev.cdevents.service.*,dev.cdevents.incident.detected.0.2.0", "--secret", "hook").out())
        .isEqualTo("Subscribed ok-" + unique + ": events of dev.cdevents.service.*,dev.cdevents.incident.detected"
            + ".0.2.0 go to http " + hook + " (structured)\n");
    assertThat(succeeds("subscriptions", "add", "--name", "mq-" + unique, "--sink", "amqp", "--address",
        "amqp://127.0.0.1:5672", "--exchange", "gantry.cli." + unique).out())
        .isEqualTo("Subscribed mq-" + unique + ": every event goes to amqp amqp://127.0.0.1:5672 (exchange gantry.cli."
            + unique + ")\n");

    String list = succeeds("subscriptions", "list").out();
    assertThat(list).startsWith("NAME ").contains("EXCHANGE").containsPattern("(?m)^ok-" + unique
        + " +http +" + Pattern.quote(hook) + " +structured +- +dev.cdevents.service.\\*,dev.cdevents.incident.detected"
        + ".0.2.0 +hook +admin +" + TIME + "$")
        .containsPattern("(?m)^mq-" + unique + " +amqp +amqp://127.0.0.1:5672 +- +gantry.cli." + unique
            + " +\\* +- +admin +" + TIME + "$");
    JsonNode json = JsonMapper.builder().build().readTree(succeeds("subscriptions", "list", "-o", "json").out());
    assertThat(json.valueStream().map(s -> s.path("name").asString())).contains("ok-" + unique, "mq-" + unique);

    assertThat(succeeds("subscriptions", "remove", "mq-" + unique).out()).isEqualTo("Removed subscription mq-"
        + unique + "\n");
    CliRunner.Result again = gantry.run("subscriptions", "remove", "mq-" + unique);
    assertThat(again.exitCode()).isEqualTo(4);
    assertThat(again.err()).contains("mq-" + unique);
    assertThat(succeeds("subscriptions", "list").out()).doesNotContain("mq-" + unique);
  }

  @Test
  void eventsListTheirDeliveriesAndShowEachAttemptAndADeadDeliveryIsQueuedAgain() {
    String base = "http://127.0.0.1:" + receiver.getAddress().getPort();
    answers.put("/gone", 410);
    succeeds("subscriptions", "add", "--name", "ok-" + unique, "--sink", "http", "--address", base + "/ok",
        "--types", "dev.cdevents.service.*", "--secret", "hook");
    succeeds("subscriptions", "add", "--name", "gone-" + unique, "--sink", "http", "--address", base + "/gone",
        "--mode", "binary", "--types", "dev.cdevents.service.*", "--secret", "hook");
    long deployment = 900_000 + (long) (Math.random() * 99_999);

    StoredEvent deployed = write("dev.cdevents.service.deployed.0.3.0", deployment);
    StoredEvent created = write("dev.cdevents.environment.created.0.3.0", null);
    await().atMost(Duration.ofSeconds(20)).until(() -> received.contains("/ok " + deployed.eventId())
        && gantry.run("deliveries", "--state", "dead").out().contains(deployed.eventId()));

    String events = succeeds("events", "--limit", "2").out();
    assertThat(events).startsWith("ID ").contains("DELIVERED  PENDING  DEAD")
        .containsPattern("(?m)^" + deployed.eventId() + " +dev.cdevents.service.deployed.0.3.0 +shop/web +#"
            + deployment + " +" + TIME + " +1 +0 +1$")
        .containsPattern("(?m)^" + created.eventId() + " +dev.cdevents.environment.created.0.3.0 +shop/web +- +"
            + TIME + " +0 +0 +0$");
    assertThat(succeeds("events", "--type", "dev.cdevents.environment.").out()).contains(created.eventId())
        .doesNotContain(deployed.eventId());
    assertThat(succeeds("events", "--deployment", String.valueOf(deployment)).out()).contains(deployed.eventId())
        .doesNotContain(created.eventId());
    assertThat(succeeds("events", "--limit", "1").out().lines()).hasSize(2);

    String show = succeeds("events", "show", deployed.eventId()).out();
    assertThat(show).startsWith("event " + deployed.eventId() + ": dev.cdevents.service.deployed.0.3.0\n")
        .containsPattern("source /gantry, subject shop/web, at " + TIME + ", deployment #" + deployment + "\n")
        .contains("\"id\" : \"" + deployed.eventId() + "\"")
        .containsPattern("delivery (\\d+) to http " + Pattern.quote(base) + "/ok: DELIVERED after 1 attempt\\(s\\)\n"
            + " +ATTEMPT +AT +TOOK +RESULT +DETAIL\n +1 +" + TIME + " +\\d+ms +ok +HTTP 200\n")
        .containsPattern("delivery (\\d+) to http " + Pattern.quote(base) + "/gone: DEAD after 1 attempt\\(s\\)\n"
            + " +ATTEMPT +AT +TOOK +RESULT +DETAIL\n +1 +" + TIME + " +\\d+ms +failed +HTTP 410 from "
            + Pattern.quote(base) + "/gone\n");
    assertThat(succeeds("events", "show", created.eventId()).out())
        .endsWith("No deliveries: no destination wanted this event.\n");

    String dead = succeeds("deliveries", "--state", "dead").out();
    Matcher row = Pattern.compile("(?m)^(\\d+) +" + deployed.eventId() + " +dev.cdevents.service.deployed.0.3.0 +http "
        + Pattern.quote(base) + "/gone +dead +1 +- +HTTP 410 from").matcher(dead);
    assertThat(row.find()).as(dead).isTrue();
    String id = row.group(1);

    answers.put("/gone", 204);
    assertThat(succeeds("deliveries", "retry", id).out()).isEqualTo("delivery " + id + " of event "
        + deployed.eventId() + " to http " + base + "/gone is queued again\n");
    await().atMost(Duration.ofSeconds(20)).until(() -> received.contains("/gone " + deployed.eventId()));
    await().atMost(Duration.ofSeconds(20)).until(() -> gantry.run("deliveries", "--state", "delivered").out()
        .lines().anyMatch(l -> l.startsWith(id + " ")));
    assertThat(succeeds("deliveries").out()).containsPattern("(?m)^" + id + " +" + deployed.eventId()
        + " +dev.cdevents.service.deployed.0.3.0 +http " + Pattern.quote(base) + "/gone +delivered +1 +" + TIME);

    CliRunner.Result twice = gantry.run("deliveries", "retry", id);
    assertThat(twice.exitCode()).isEqualTo(5);
    assertThat(twice.err()).contains("is not dead");
    assertThat(badSignatures).hasValue(0);
  }

  @Test
  void badInputIsRefusedWithTheServersReasonAndAnExitCodeThatSaysWhich() {
    CliRunner.Result sink = gantry.run("subscriptions", "add", "--name", "bad-" + unique, "--sink", "ftp",
        "--address", "ftp://example.org/");
    assertThat(sink.exitCode()).isEqualTo(3);
    assertThat(sink.err()).contains("sink is http or amqp, not \"ftp\"");

    CliRunner.Result unsigned = gantry.run("subscriptions", "add", "--name", "bad-" + unique, "--sink", "http",
        "--address", "http://127.0.0.1:1/");
    assertThat(unsigned.exitCode()).isEqualTo(3);
    assertThat(unsigned.err()).contains("secret");

    CliRunner.Result state = gantry.run("deliveries", "--state", "lost");
    assertThat(state.exitCode()).isEqualTo(3);
    assertThat(state.err()).contains("state is pending, delivered or dead, not \"lost\"");

    CliRunner.Result limit = gantry.run("events", "--limit", "0");
    assertThat(limit.exitCode()).isEqualTo(3);
    assertThat(limit.err()).contains("limit is 1 to 500");

    CliRunner.Result unknown = gantry.run("events", "show", "no-such-event");
    assertThat(unknown.exitCode()).isEqualTo(4);
    assertThat(gantry.run("deliveries", "retry", "987654321").exitCode()).isEqualTo(4);
    assertThat(gantry.run("deliveries", "retry", "one").exitCode()).isEqualTo(2);
    assertThat(gantry.run("subscriptions", "add", "--name", "x").exitCode()).isEqualTo(2);
    assertThat(succeeds("subscriptions", "list").out()).doesNotContain("bad-" + unique);
  }

  @Test
  void anAuditorReadsEventsDeliveriesAndSubscriptionsButChangesNothing() {
    String name = "aud-" + unique;
    String code = succeeds("user", "create", name, "--role", "auditor").out().strip();
    CliRunner auditor = new CliRunner(dir.resolve("auditor")).server("http://127.0.0.1:" + port);
    CliRunner.Result token = auditor.run("--token", code, "token", "create", "--name", "laptop");
    assertThat(token.exitCode()).as(token.err()).isZero();
    auditor.env.put("GANTRY_TOKEN", token.out().strip());

    assertThat(auditor.run("events").exitCode()).isZero();
    assertThat(auditor.run("deliveries").exitCode()).isZero();
    assertThat(auditor.run("subscriptions", "list").exitCode()).isZero();
    CliRunner.Result add = auditor.run("subscriptions", "add", "--name", "gone-" + unique, "--sink", "http",
        "--address", "http://127.0.0.1:1/", "--secret", "hook");
    assertThat(add.exitCode()).isEqualTo(6);
    assertThat(auditor.run("deliveries", "retry", "1").exitCode()).isEqualTo(6);
    assertThat(auditor.run("subscriptions", "remove", "ok-" + unique).exitCode()).isEqualTo(6);
    assertThat(succeeds("subscriptions", "list").out()).doesNotContain("gone-" + unique);
  }

  StoredEvent write(String type, Long deployment) {
    JsonNode subject = JsonMapper.builder().build().readTree("{\"id\": \"shop/web\", \"content\": {}}");
    return tx.execute(s -> outbox.add(new NewEvent(type, subject, null, Instant.now().truncatedTo(ChronoUnit.MILLIS),
        deployment, "dev", "shop")));
  }

  CliRunner.Result succeeds(String... args) {
    CliRunner.Result result = gantry.run(args);
    assertThat(result.exitCode()).as(String.join(" ", args) + ": " + result.err()).isZero();
    return result;
  }
}
