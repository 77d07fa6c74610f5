package io.gantry.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.secret.Secrets;
import io.gantry.shared.ConflictException;
import io.gantry.shared.InvalidInputException;
import io.gantry.testing.MutableClock;
import io.gantry.testing.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** The outbox and its deliveries to real HTTP receivers, on both databases. */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
class DeliveryContractTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final TestDatabase database;
  private final MutableClock clock = new MutableClock(Clock.systemUTC().instant());
  private TestDatabase.Instance db;
  private Outbox outbox;
  private Deliveries deliveries;
  private Subscriptions subscriptions;
  private Secrets secrets;
  private Receiver receiver;

  @TempDir
  Path home;

  DeliveryContractTest(TestDatabase database) {
    this.database = database;
  }

  @BeforeEach
  void setUp() throws Exception {
    db = database.create();
    outbox = new Outbox(db.jdbc(), "/gantry/test");
    deliveries = new Deliveries(db.jdbc(), new org.springframework.jdbc.core.JdbcTemplate(db.dataSource()));
    secrets = new Secrets(db.jdbc(), db.transactions(), clock, "", home.resolve("secrets.key"), "");
    subscriptions = new Subscriptions(db.jdbc(), secrets, clock);
    secrets.set("hook-secret", "s3cr3t-value", "alice");
    receiver = new Receiver();
  }

  @AfterEach
  void tearDown() {
    receiver.close();
  }

  private DeliveryLoop loop(int maxAttempts, Sink... extra) {
    List<Sink> sinks = new java.util.ArrayList<>(List.of(new HttpSink(secrets, clock, Duration.ofSeconds(5))));
    sinks.addAll(List.of(extra));
    return new DeliveryLoop(deliveries, List.of(subscriptions), sinks, db.transactions(), clock, true,
        Duration.ofMillis(50), Duration.ofSeconds(1), Duration.ofSeconds(4), maxAttempts, Duration.ofMinutes(2), 4,
        Duration.ofDays(30));
  }

  private StoredEvent write(String type, String subjectId) {
    ObjectNode subject = JsonNodeFactory.instance.objectNode().put("id", subjectId);
    subject.putObject("content").putObject("environment").put("id", "staging");
    ObjectNode custom = JsonNodeFactory.instance.objectNode().put("deployment", 7);
    return db.transactions().execute(s -> outbox.add(new NewEvent(type, subject, custom, clock.instant(), 7L,
        "staging", "shop")));
  }

  private Subscription subscribe(String name, String mode, List<String> types) {
    return subscriptions.add(new Subscriptions.NewSubscription(name, "http", receiver.url(), mode, types,
        "hook-secret"), "alice");
  }

  @Test
  void an_http_subscriber_receives_a_signed_structured_cloudevent_that_carries_the_cdevent() throws Exception {
    subscribe("ci", null, List.of());
    StoredEvent e = write("dev.cdevents.service.deployed.0.3.0", "shop/web");
    loop(3).drain();

    assertThat(receiver.requests).hasSize(1);
    Receiver.Request r = receiver.requests.getFirst();
    assertThat(r.header("Content-Type")).startsWith("application/cloudevents+json");
    assertThat(r.header("Gantry-Event-Id")).isEqualTo(e.eventId());
    assertThat(Signature.verify("s3cr3t-value", r.header(Signature.HEADER),
        r.body().getBytes(StandardCharsets.UTF_8), clock.instant().getEpochSecond(), 300)).isTrue();
    assertThat(Signature.verify("another-secret", r.header(Signature.HEADER),
        r.body().getBytes(StandardCharsets.UTF_8), clock.instant().getEpochSecond(), 300)).isFalse();
    JsonNode cloudEvent = JSON.readTree(r.body());
    assertThat(cloudEvent.get("specversion").asString()).isEqualTo("1.0");
    assertThat(cloudEvent.get("id").asString()).isEqualTo(e.eventId());
    assertThat(cloudEvent.get("type").asString()).isEqualTo("dev.cdevents.service.deployed.0.3.0");
    assertThat(cloudEvent.get("subject").asString()).isEqualTo("shop/web");
    assertThat(cloudEvent.get("source").asString()).isEqualTo("/gantry/test");
    JsonNode cdevent = cloudEvent.get("data");
    assertThat(cdevent.at("/context/id").asString()).isEqualTo(e.eventId());
    assertThat(cdevent.at("/context/specversion").asString()).isEqualTo("0.5.1");
    assertThat(cdevent.at("/context/timestamp").asString()).isEqualTo(cloudEvent.get("time").asString());
    assertThat(cdevent.at("/customData/deployment").asLong()).isEqualTo(7);
    assertThat(deliveries.list(Deliveries.State.DELIVERED, null, 10)).hasSize(1);
  }

  @Test
  void binary_mode_puts_the_cloudevent_attributes_in_ce_headers_and_the_cdevent_in_the_body() throws Exception {
    subscribe("ci", "binary", List.of("dev.cdevents.service.*"));
    StoredEvent e = write("dev.cdevents.service.upgraded.0.3.0", "shop/web");
    loop(3).drain();

    Receiver.Request r = receiver.requests.getFirst();
    assertThat(r.header("Content-Type")).isEqualTo("application/json");
    assertThat(r.header("ce-specversion")).isEqualTo("1.0");
    assertThat(r.header("ce-id")).isEqualTo(e.eventId());
    assertThat(r.header("ce-type")).isEqualTo("dev.cdevents.service.upgraded.0.3.0");
    assertThat(r.header("ce-source")).isEqualTo("/gantry/test");
    assertThat(r.header("ce-subject")).isEqualTo("shop/web");
    assertThat(JSON.readTree(r.body()).at("/context/id").asString()).isEqualTo(e.eventId());
  }

  @Test
  void a_subscription_gets_only_the_types_it_asked_for() {
    subscribe("deploys-only", null, List.of("dev.cdevents.service.*"));
    write("dev.cdevents.service.deployed.0.3.0", "a");
    write("dev.cdevents.taskrun.started.0.2.0", "b");
    loop(3).drain();
    assertThat(receiver.requests).extracting(r -> r.header("ce-type") == null
        ? JSON.readTree(r.body()).get("type").asString() : r.header("ce-type"))
        .containsExactly("dev.cdevents.service.deployed.0.3.0");
  }

  @Test
  void a_receiver_that_fails_gets_the_event_again_after_a_growing_backoff_and_every_attempt_is_kept() {
    subscribe("flaky", null, List.of());
    receiver.answering(503, 500);
    StoredEvent e = write("dev.cdevents.service.deployed.0.3.0", "shop/web");
    DeliveryLoop loop = loop(5);

    loop.drain();
    Deliveries.Delivery d = deliveries.list(null, e.id(), 10).getFirst();
    assertThat(d.state()).isEqualTo(Deliveries.State.PENDING);
    assertThat(d.attempts()).isEqualTo(1);
    assertThat(d.lastError()).contains("HTTP 503");
    assertThat(Duration.between(clock.instant(), d.nextAttemptAt())).isBetween(Duration.ofSeconds(1),
        Duration.ofMillis(1200));

    loop.drain();
    assertThat(receiver.requests).hasSize(1); // not due yet
    clock.advance(Duration.ofMillis(1300));
    loop.drain();
    d = deliveries.find(d.id()).orElseThrow();
    assertThat(d.attempts()).isEqualTo(2);
    assertThat(Duration.between(clock.instant(), d.nextAttemptAt())).isBetween(Duration.ofSeconds(2),
        Duration.ofMillis(2400));

    clock.advance(Duration.ofSeconds(3));
    loop.drain();
    d = deliveries.find(d.id()).orElseThrow();
    assertThat(d.state()).isEqualTo(Deliveries.State.DELIVERED);
    assertThat(receiver.requests).hasSize(3).allSatisfy(r -> assertThat(r.header("Gantry-Event-Id"))
        .isEqualTo(e.eventId()));
    assertThat(deliveries.attempts(d.id())).extracting(Deliveries.Attempt::ok).containsExactly(false, false, true);
  }

  @Test
  void a_delivery_whose_attempts_run_out_is_dead_until_a_person_queues_it_again() {
    subscribe("down", null, List.of());
    receiver.answering(500, 500);
    StoredEvent e = write("dev.cdevents.service.deployed.0.3.0", "shop/web");
    DeliveryLoop loop = loop(2);
    loop.drain();
    clock.advance(Duration.ofSeconds(2));
    loop.drain();
    Deliveries.Delivery d = deliveries.list(null, e.id(), 10).getFirst();
    assertThat(d.state()).isEqualTo(Deliveries.State.DEAD);
    assertThat(d.attempts()).isEqualTo(2);

    clock.advance(Duration.ofMinutes(30));
    loop.drain();
    assertThat(receiver.requests).hasSize(2);

    assertThat(deliveries.requeue(d.id(), clock.instant())).isTrue();
    assertThat(deliveries.requeue(d.id(), clock.instant())).isFalse();
    loop.drain();
    assertThat(deliveries.find(d.id()).orElseThrow().state()).isEqualTo(Deliveries.State.DELIVERED);
    assertThat(receiver.requests).hasSize(3);
  }

  @Test
  void a_client_error_answer_ends_the_delivery_at_once_because_sending_it_again_would_not_help() {
    subscribe("wrong", null, List.of());
    receiver.answering(410);
    StoredEvent e = write("dev.cdevents.service.deployed.0.3.0", "shop/web");
    loop(5).drain();
    Deliveries.Delivery d = deliveries.list(null, e.id(), 10).getFirst();
    assertThat(d.state()).isEqualTo(Deliveries.State.DEAD);
    assertThat(d.lastError()).contains("HTTP 410");
    assertThat(d.attempts()).isEqualTo(1);
  }

  @Test
  void an_event_whose_state_was_rolled_back_is_never_written_nor_sent() {
    subscribe("ci", null, List.of());
    assertThatThrownBy(() -> db.transactions().executeWithoutResult(s -> {
      outbox.add(new NewEvent("dev.cdevents.service.deployed.0.3.0",
          JsonNodeFactory.instance.objectNode().put("id", "x"), null, clock.instant(), null, null, null));
      throw new ConflictException("the state changed meanwhile");
    })).isInstanceOf(ConflictException.class);
    loop(3).drain();
    assertThat(db.count("outbox_events")).isZero();
    assertThat(receiver.requests).isEmpty();
  }

  @Test
  void an_event_cannot_be_written_outside_the_transaction_of_its_state() {
    assertThatThrownBy(() -> outbox.add(new NewEvent("dev.cdevents.service.deployed.0.3.0",
        JsonNodeFactory.instance.objectNode().put("id", "x"), null, clock.instant(), null, null, null)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("transaction");
    assertThat(db.count("outbox_events")).isZero();
  }

  @Test
  void two_servers_sending_beside_each_other_deliver_each_event_exactly_once_to_a_healthy_receiver()
      throws Exception {
    subscribe("ci", null, List.of());
    for (int i = 0; i < 200; i++) {
      write("dev.cdevents.taskrun.finished.0.2.0", "step-" + i);
    }
    DeliveryLoop one = loop(3);
    DeliveryLoop two = loop(3);
    var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
    for (int round = 0; round < 20 && deliveries.counts().get(Deliveries.State.DELIVERED) < 200; round++) {
      var a = pool.submit(one::drain);
      var b = pool.submit(two::drain);
      a.get();
      b.get();
    }
    pool.shutdown();
    assertThat(deliveries.counts()).containsEntry(Deliveries.State.DELIVERED, 200L);
    Map<String, Long> perEvent = receiver.requests.stream().collect(Collectors.groupingBy(
        r -> r.header("Gantry-Event-Id"), Collectors.counting()));
    assertThat(perEvent).hasSize(200).allSatisfy((id, n) -> assertThat(n).isEqualTo(1L));
  }

  @Test
  void a_subscription_made_later_gets_only_the_events_written_after_it() {
    write("dev.cdevents.service.deployed.0.3.0", "before");
    loop(3).drain();
    subscribe("late", null, List.of());
    write("dev.cdevents.service.deployed.0.3.0", "after");
    loop(3).drain();
    assertThat(receiver.requests).extracting(r -> JSON.readTree(r.body()).get("subject").asString())
        .containsExactly("after");
  }

  @Test
  void the_file_sink_appends_each_event_as_one_json_line() throws Exception {
    Path file = home.resolve("data/events.jsonl");
    FileSink sink = new FileSink(file.toString());
    DeliveryLoop loop = new DeliveryLoop(deliveries, List.of(subscriptions, sink), List.of(sink), db.transactions(),
        clock, true, Duration.ofMillis(50), Duration.ofSeconds(1), Duration.ofSeconds(4), 3, Duration.ofMinutes(2), 4,
        Duration.ofDays(30));
    StoredEvent a = write("dev.cdevents.pipelinerun.queued.0.2.0", "deployment-1");
    StoredEvent b = write("dev.cdevents.pipelinerun.started.0.2.0", "deployment-1");
    loop.drain();
    List<String> lines = Files.readAllLines(file);
    assertThat(lines).hasSize(2);
    Set<String> ids = lines.stream().map(l -> JSON.readTree(l).get("id").asString()).collect(Collectors.toSet());
    assertThat(ids).containsExactlyInAnyOrder(a.eventId(), b.eventId());
  }

  @Test
  void events_delivered_longer_ago_than_the_retention_are_forgotten_but_dead_ones_are_kept() {
    subscribe("ci", null, List.of());
    receiver.answering(200, 410);
    StoredEvent delivered = write("dev.cdevents.service.deployed.0.3.0", "a");
    DeliveryLoop loop = loop(3);
    loop.drain();
    StoredEvent dead = write("dev.cdevents.service.deployed.0.3.0", "b");
    loop.drain();
    assertThat(loop.prune()).isZero();
    clock.advance(Duration.ofDays(31));
    StoredEvent recent = write("dev.cdevents.service.deployed.0.3.0", "c");
    loop.drain();
    assertThat(loop.prune()).isEqualTo(1);
    assertThat(db.jdbc().sql("select event_id from outbox_events order by id").query(String.class).list())
        .containsExactly(dead.eventId(), recent.eventId()).doesNotContain(delivered.eventId());
    assertThat(db.count("event_deliveries")).isEqualTo(2);
  }

  @Test
  void subscriptions_that_could_not_be_delivered_are_refused_with_the_field_named_and_nothing_is_stored() {
    record Bad(Subscriptions.NewSubscription s, String field, String text) {}
    List<Bad> bad = List.of(
        new Bad(new Subscriptions.NewSubscription("x", "smtp", receiver.url(), null, null, "hook-secret"), "sink",
            "http or amqp"),
        new Bad(new Subscriptions.NewSubscription("x", "http", "file:///etc/passwd", null, null, "hook-secret"),
            "address", "http:// or https://"),
        new Bad(new Subscriptions.NewSubscription("x", "http", "not a url", null, null, "hook-secret"), "address",
            "not a URL"),
        new Bad(new Subscriptions.NewSubscription("x", "http", receiver.url(), "zipped", null, "hook-secret"), "mode",
            "structured"),
        new Bad(new Subscriptions.NewSubscription("x", "http", receiver.url(), null, null, null), "secret",
            "signed"),
        new Bad(new Subscriptions.NewSubscription("x", "http", receiver.url(), null, null, "no-such-secret"),
            "secret", "no-such-secret"),
        new Bad(new Subscriptions.NewSubscription("x", "http", receiver.url(), null, List.of("service.*"), "hook-secret"),
            "types[0]", "not a CDEvents type"),
        new Bad(new Subscriptions.NewSubscription("x", "amqp", "amqp://guest:guest@127.0.0.1/", null, null, null),
            "address", "no user or password"),
        new Bad(new Subscriptions.NewSubscription("Bad Name", "http", receiver.url(), null, null, "hook-secret"),
            "name", "not a valid name"));
    for (Bad b : bad) {
      assertThatThrownBy(() -> subscriptions.add(b.s(), "alice")).as(b.field())
          .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.findings())
              .anySatisfy(f -> {
                assertThat(f.field()).isEqualTo(b.field());
                assertThat(f.message()).contains(b.text());
              }));
    }
    assertThat(db.count("event_subscriptions")).isZero();
    subscribe("ok", null, List.of());
    assertThatThrownBy(() -> subscribe("ok", null, List.of())).isInstanceOf(ConflictException.class);
  }
}
