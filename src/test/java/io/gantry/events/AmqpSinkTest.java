package io.gantry.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import io.gantry.api.TestSupport;
import io.gantry.secret.Secrets;
import io.gantry.testing.TcpProxy;
import io.gantry.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
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
 * The amqp sink against the real RabbitMQ at 127.0.0.1:5672 (guest/guest): subscriptions made over the API, events
 * written through the outbox, and what arrives in a queue bound to the exchange, or why the delivery failed.
 * Unreachability is made with a relay in front of the broker that is stopped and started again.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "gantry.events.poll=50ms", "gantry.events.delivery.initial-backoff=300ms",
    "gantry.events.delivery.max-backoff=600ms", "gantry.events.delivery.max-attempts=4"})
class AmqpSinkTest {

  static final JsonMapper JSON = JsonMapper.builder().build();
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final String BROKER = "amqp://127.0.0.1:5672";

  @DynamicPropertySource
  static void server(DynamicPropertyRegistry registry) throws Exception {
    TestSupport.register(registry, TestDatabase.H2);
  }

  @LocalServerPort int port;
  @Value("${gantry.data-dir}") Path dataDir;
  @Autowired Outbox outbox;
  @Autowired TransactionTemplate tx;
  @Autowired Secrets secrets;

  Connection rabbit;
  Channel channel;
  final List<String> exchanges = new ArrayList<>();
  final List<String> subscriptions = new ArrayList<>();
  long subscription;
  final String unique = UUID.randomUUID().toString().substring(0, 8);

  @BeforeEach
  void connectToTheBroker() throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setHost("127.0.0.1");
    rabbit = factory.newConnection("gantry tests");
    channel = rabbit.createChannel();
  }

  @AfterEach
  void removeWhatTheTestMade() throws Exception {
    for (String name : subscriptions) {
      api("DELETE", "/api/v1/subscriptions/" + name, null);
    }
    try (Channel cleanup = rabbit.createChannel()) {
      for (String exchange : exchanges) {
        cleanup.exchangeDelete(exchange);
      }
    }
    rabbit.close();
  }

  @Test
  void eachEventArrivesInABoundQueueAsAStructuredCloudEventConfirmedByTheBroker() throws Exception {
    String exchange = exchange();
    String queue = bindQueue(exchange, "dev.cdevents.service.#");
    subscribe("amqp-" + unique, BROKER + "/", exchange, "guest-" + unique, "guest:guest",
        List.of("dev.cdevents.service.*"));

    StoredEvent deployed = write("dev.cdevents.service.deployed.0.3.0");
    StoredEvent ignored = write("dev.cdevents.environment.created.0.3.0");

    GetResponse message = receive(queue);
    assertThat(message.getEnvelope().getExchange()).isEqualTo(exchange);
    assertThat(message.getEnvelope().getRoutingKey()).isEqualTo("dev.cdevents.service.deployed.0.3.0");
    assertThat(message.getProps().getContentType()).isEqualTo("application/cloudevents+json; charset=utf-8");
    assertThat(message.getProps().getMessageId()).isEqualTo(deployed.eventId());
    assertThat(message.getProps().getType()).isEqualTo("dev.cdevents.service.deployed.0.3.0");
    assertThat(message.getProps().getDeliveryMode()).isEqualTo(2);
    assertThat(message.getProps().getAppId()).isEqualTo("gantry");
    JsonNode cloudEvent = JSON.readTree(new String(message.getBody(), StandardCharsets.UTF_8));
    assertThat(cloudEvent.path("specversion").asString()).isEqualTo("1.0");
    assertThat(cloudEvent.path("id").asString()).isEqualTo(deployed.eventId());
    assertThat(cloudEvent.path("type").asString()).isEqualTo("dev.cdevents.service.deployed.0.3.0");
    assertThat(cloudEvent.path("datacontenttype").asString()).isEqualTo("application/json");
    assertThat(cloudEvent.path("data").path("context").path("id").asString()).isEqualTo(deployed.eventId());
    assertThat(cloudEvent.path("data").path("subject").path("id").asString()).isEqualTo("shop/web");

    JsonNode delivery = awaitDelivery(deployed, "delivered");
    assertThat(delivery.path("channel").asString()).isEqualTo("amqp");
    assertThat(delivery.path("attemptLog").get(0).path("detail").asString())
        .isEqualTo("confirmed by amqp://127.0.0.1:5672/%2F (exchange " + exchange + ")");
    assertThat(delivery(ignored).isMissingNode()).as("no delivery of an unwanted type").isTrue();
    assertThat(channel.basicGet(queue, true)).as("nothing else arrived").isNull();
  }

  @Test
  void manyEventsShareOneConnectionToTheBroker() throws Exception {
    String exchange = exchange();
    String queue = bindQueue(exchange, "#");
    try (TcpProxy proxy = new TcpProxy(5672)) {
      subscribe("pooled-" + unique, "amqp://127.0.0.1:" + proxy.port(), exchange, null, null, List.of());

      List<StoredEvent> events = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        events.add(write("dev.cdevents.taskrun.finished.0.2.0"));
      }
      for (StoredEvent e : events) {
        awaitDelivery(e, "delivered");
      }

      assertThat(receiveAll(queue)).containsExactlyInAnyOrderElementsOf(events.stream().map(StoredEvent::eventId)
          .toList());
      assertThat(proxy.accepted()).as("connections opened to the broker").isEqualTo(1);
    }
  }

  @Test
  void anEventSentWhileTheBrokerIsUnreachableIsDeliveredOnceItIsBackOverANewConnection() throws Exception {
    String exchange = exchange();
    String queue = bindQueue(exchange, "#");
    try (TcpProxy proxy = new TcpProxy(5672)) {
      subscribe("restart-" + unique, "amqp://127.0.0.1:" + proxy.port() + "/%2F", exchange, null, null, List.of());
      StoredEvent before = write("dev.cdevents.service.deployed.0.3.0");
      awaitDelivery(before, "delivered");

      proxy.stop();
      StoredEvent during = write("dev.cdevents.service.upgraded.0.3.0");
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
          .until(() -> delivery(during).path("attempts").asInt() >= 1);
      JsonNode failed = delivery(during);
      proxy.start();

      assertThat(failed.path("state").asString()).isEqualTo("pending");
      assertThat(failed.path("lastError").asString()).startsWith("amqp://127.0.0.1:" + proxy.port() + "/%2F exchange "
          + exchange + ": ");
      JsonNode delivered = awaitDelivery(during, "delivered");
      assertThat(delivered.path("attempts").asInt()).isGreaterThan(1);
      assertThat(receiveAll(queue)).containsExactly(before.eventId(), during.eventId());
      assertThat(proxy.accepted()).as("a new connection after the old one was cut").isGreaterThanOrEqualTo(2);
    }
  }

  @Test
  void wrongCredentialsMakeADeadDeliveryThatSaysTheBrokerRefusedThem() throws Exception {
    String exchange = exchange();
    subscribe("badpass-" + unique, BROKER, exchange, "wrong-" + unique, "guest:not-the-password", List.of());

    StoredEvent event = write("dev.cdevents.service.deployed.0.3.0");

    JsonNode dead = awaitDelivery(event, "dead");
    assertThat(dead.path("attempts").asInt()).isEqualTo(4);
    assertThat(dead.path("attemptLog")).hasSize(4);
    assertThat(dead.path("lastError").asString()).startsWith("amqp://127.0.0.1:5672/%2F exchange " + exchange + ": ")
        .contains("the broker refused the user and password");
  }

  @Test
  void anUnknownVhostMakesADeadDeliveryThatNamesIt() throws Exception {
    String exchange = exchange();
    subscribe("novhost-" + unique, BROKER + "/no-such-vhost-" + unique, exchange, null, null, List.of());

    StoredEvent event = write("dev.cdevents.service.deployed.0.3.0");

    JsonNode dead = awaitDelivery(event, "dead");
    assertThat(dead.path("attempts").asInt()).isEqualTo(4);
    assertThat(dead.path("lastError").asString()).contains("no-such-vhost-" + unique);
  }

  @Test
  void aMissingExchangeIsDeclaredDurableAndAnEventNoQueueTakesIsAFailureNotADelivery() throws Exception {
    String exchange = exchange();
    subscribe("unrouted-" + unique, BROKER, exchange, null, null, List.of());

    StoredEvent event = write("dev.cdevents.service.removed.0.3.0");

    JsonNode dead = awaitDelivery(event, "dead");
    assertThat(dead.path("lastError").asString()).contains("routed the event to no queue (312 NO_ROUTE)")
        .contains("dev.cdevents.service.removed.0.3.0");
    try (Channel probe = rabbit.createChannel()) {
      probe.exchangeDeclare(exchange, BuiltinExchangeType.TOPIC, true);  // fails unless it is a durable topic one
    }
  }

  @Test
  void badSubscriptionsAreRefusedNamingTheFieldAndNothingIsStored() throws Exception {
    record Case(Map<String, Object> body, String field, String says) {}
    List<Case> cases = List.of(
        new Case(Map.of("name", "x1", "sink", "amqp", "address", BROKER, "exchange", "has space"), "exchange",
            "1 to 255 letters"),
        new Case(Map.of("name", "x2", "sink", "amqp", "address", BROKER, "exchange", ""), "exchange",
            "1 to 255 letters"),
        new Case(Map.of("name", "x3", "sink", "amqp", "address", BROKER, "exchange", "amq.direct"), "exchange",
            "topic exchange"),
        new Case(Map.of("name", "x4", "sink", "http", "address", "http://127.0.0.1:1/", "secret", "s",
            "exchange", "e"), "exchange", "only an amqp subscription"),
        new Case(Map.of("name", "x5", "sink", "amqp", "address", "amqp://guest:guest@127.0.0.1"), "address",
            "no user or password"),
        new Case(Map.of("name", "x6", "sink", "amqp", "address", BROKER + "/?heartbeat=1"), "address",
            "no ?query"),
        new Case(Map.of("name", "x7", "sink", "amqp", "address", BROKER + "/a/b"), "address",
            "one path segment"),
        new Case(Map.of("name", "x8", "sink", "amqp", "address", BROKER, "mode", "binary"), "mode",
            "takes no mode"),
        new Case(Map.of("name", "x9", "sink", "amqp", "address", BROKER, "secret", "no-such-secret-" + unique),
            "secret", "no-such-secret-" + unique));
    for (Case c : cases) {
      HttpResponse<String> answer = api("POST", "/api/v1/subscriptions", c.body());
      assertThat(answer.statusCode()).as(c.body() + " " + answer.body()).isEqualTo(422);
      assertThat(answer.body()).as(c.body().toString()).contains(c.says())
          .contains("\"field\":\"" + c.field() + "\"");
    }
    assertThat(JSON.readTree(api("GET", "/api/v1/subscriptions", null).body()).valueStream()
        .map(s -> s.path("name").asString())).noneMatch(n -> n.matches("x\\d"));
  }

  @Test
  void anAmqpSubscriptionWithoutAnExchangePublishesToTheDefaultOneAndSaysSo() throws Exception {
    HttpResponse<String> made = api("POST", "/api/v1/subscriptions", Map.of("name", "default-" + unique, "sink",
        "amqp", "address", BROKER, "types", List.of("dev.cdevents.incident.*")));

    assertThat(made.statusCode()).as(made.body()).isEqualTo(201);
    assertThat(JSON.readTree(made.body()).path("exchange").asString()).isEqualTo("gantry.events");
    assertThat(api("DELETE", "/api/v1/subscriptions/default-" + unique, null).statusCode()).isEqualTo(204);
  }

  // --- helpers

  String exchange() {
    String name = "gantry.test." + unique + "." + exchanges.size();
    exchanges.add(name);
    return name;
  }

  String bindQueue(String exchange, String key) throws Exception {
    channel.exchangeDeclare(exchange, BuiltinExchangeType.TOPIC, true);
    String queue = channel.queueDeclare().getQueue();
    channel.queueBind(queue, exchange, key);
    return queue;
  }

  void subscribe(String name, String address, String exchange, String secret, String credentials, List<String> types)
      throws Exception {
    if (secret != null) {
      secrets.set(secret, credentials, "tests");
    }
    var body = new java.util.HashMap<String, Object>(Map.of("name", name, "sink", "amqp", "address", address,
        "exchange", exchange, "types", types));
    if (secret != null) {
      body.put("secret", secret);
    }
    HttpResponse<String> made = api("POST", "/api/v1/subscriptions", body);
    assertThat(made.statusCode()).as(made.body()).isEqualTo(201);
    subscriptions.add(name);
    assertThat(JSON.readTree(made.body()).path("exchange").asString()).isEqualTo(exchange);
    subscription = JSON.readTree(made.body()).path("id").asLong();
  }

  StoredEvent write(String type) {
    JsonNode subject = JSON.readTree("{\"id\": \"shop/web\", \"content\": {}}");
    return tx.execute(s -> outbox.add(new NewEvent(type, subject, null, Instant.now().truncatedTo(ChronoUnit.MILLIS),
        null, "dev", "shop")));
  }

  GetResponse receive(String queue) {
    GetResponse[] got = new GetResponse[1];
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
        .until(() -> (got[0] = channel.basicGet(queue, true)) != null);
    return got[0];
  }

  List<String> receiveAll(String queue) throws Exception {
    List<String> ids = new ArrayList<>();
    for (GetResponse m; (m = channel.basicGet(queue, true)) != null; ) {
      ids.add(m.getProps().getMessageId());
    }
    return ids;
  }

  JsonNode event(StoredEvent e) throws Exception {
    HttpResponse<String> answer = api("GET", "/api/v1/events/" + e.eventId(), null);
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    return JSON.readTree(answer.body());
  }

  JsonNode delivery(StoredEvent e) throws Exception {
    // the one to this test's subscription
    return event(e).path("deliveries").valueStream().filter(d -> d.path("subscription").asLong() == subscription)
        .findFirst().orElse(JSON.missingNode());
  }

  JsonNode awaitDelivery(StoredEvent e, String state) {
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
        .until(() -> state.equals(delivery(e).path("state").asString()));
    try {
      return delivery(e);
    } catch (Exception x) {
      throw new IllegalStateException(x);
    }
  }

  HttpResponse<String> api(String method, String path, Object body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Authorization", "Bearer " + io.gantry.testing.AdminToken.of(dataDir))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
