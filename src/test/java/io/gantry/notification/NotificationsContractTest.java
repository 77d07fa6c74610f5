package io.gantry.notification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.events.Destination;
import io.gantry.events.StoredEvent;
import io.gantry.identity.Access;
import io.gantry.identity.Actor;
import io.gantry.identity.Role;
import io.gantry.identity.RoleBindingDefinition;
import io.gantry.identity.RoleBindings;
import io.gantry.identity.Users;
import io.gantry.model.ModelDocuments;
import io.gantry.model.Models;
import io.gantry.shared.InvalidInputException;
import io.gantry.shared.Json;
import io.gantry.shared.NotFoundException;
import io.gantry.testing.MutableClock;
import io.gantry.testing.TestDatabase;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.security.access.AccessDeniedException;

/**
 * Who is told of a deployment's moment, against H2 and PostgreSQL alike: the recipients its stage's notifications
 * name, the people a wait is for (told it is their turn), and the users who subscribed; a user manages only its own
 * subscriptions, subscribes only where it may read, and is told only while it may.
 */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
class NotificationsContractTest {

  private static final String MODEL = """
      spec:
        appliesTo: {componentTypes: [software]}
        stages:
          - name: production
            environment: prod
            steps:
              - {name: restart, type: shell, command: "true"}
            notifications:
              - {on: [failed, rolled-back], channel: email, to: [ops@example.com, "role:service-owner", "user:dave"]}
              - {on: [waiting], channel: email}
              - {on: [failed], channel: slack, to: [ops-slack]}
              - {on: [failed, succeeded], channel: slack, to: [ops-slack]}
              - {on: [succeeded], channel: webhook, to: [release-hook]}
      """;

  private final TestDatabase database;
  private final MutableClock clock = MutableClock.at("2026-12-04T10:00:00Z");
  private Users users;
  private RoleBindings bindings;
  private UserSubscriptions subscriptions;
  private NotificationFanout fanout;
  private long sequence;

  NotificationsContractTest(TestDatabase database) {
    this.database = database;
  }

  @BeforeEach
  void setUp() {
    TestDatabase.Instance db = database.create();
    users = new Users(db.jdbc(), clock);
    bindings = new RoleBindings(db.jdbc(), clock);
    Access access = new Access(users, db.jdbc());
    subscriptions = new UserSubscriptions(db.jdbc(), access, clock);
    Models models = new Models(db.jdbc(), clock);
    fanout = new NotificationFanout(models, users, access, subscriptions);
    models.create(ModelDocuments.parse("software", MODEL), "alice", "test");
    // alice owns the shop in prod; bob manages everything; dave is a supplier bound nowhere; erin practises on
    // another service
    user("alice", Set.of(), "alice@example.com");
    bindings.declare(new RoleBindingDefinition("alice-shop-prod", "alice", null, Role.SERVICE_OWNER, "shop", "prod"),
        Actor.GANTRY);
    user("bob", Set.of(Role.DEPLOYMENT_MANAGER), "bob@example.com");
    user("dave", Set.of(Role.SUPPLIER), "dave@example.com");
    user("erin", Set.of(), "erin@example.com");
    bindings.declare(new RoleBindingDefinition("erin-books", "erin", null, Role.DEPLOYMENT_PRACTITIONER, "books",
        null), Actor.GANTRY);
  }

  private void user(String name, Set<Role> roles, String email) {
    users.create(name, null, roles.isEmpty() ? EnumSet.noneOf(Role.class) : EnumSet.copyOf(roles), Actor.GANTRY);
    users.setEmail(name, email, Actor.GANTRY);
  }

  // --- subscriptions

  @Test
  void a_user_subscribes_itself_lists_its_own_and_removes_them_and_nobody_else_sees_or_removes_them() {
    var mine = subscriptions.subscribe("alice", new UserSubscriptions.NewSubscription("shop", "prod",
        List.of("failed", "waiting"), "email"));

    assertThat(subscriptions.of("alice")).singleElement().satisfies(s -> {
      assertThat(s.on()).containsExactly("failed", "waiting");
      assertThat(s.service()).isEqualTo("shop");
      assertThat(s.environment()).isEqualTo("prod");
    });
    assertThat(subscriptions.of("bob")).as("another user's list").isEmpty();
    assertThatThrownBy(() -> subscriptions.unsubscribe("bob", mine.id()))
        .as("a deployment manager does not remove another user's subscription").isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> subscriptions.get("bob", mine.id())).isInstanceOf(NotFoundException.class);
    assertThat(subscriptions.of("alice")).hasSize(1);

    subscriptions.unsubscribe("alice", mine.id());

    assertThat(subscriptions.of("alice")).isEmpty();
  }

  @Test
  void a_user_may_subscribe_only_to_a_scope_it_may_read() {
    assertThatThrownBy(() -> subscriptions.subscribe("dave", new UserSubscriptions.NewSubscription("shop", null,
        List.of("failed"), "email"))).as("a supplier bound nowhere").isInstanceOf(AccessDeniedException.class)
        .hasMessageContaining("service shop");
    assertThatThrownBy(() -> subscriptions.subscribe("alice", new UserSubscriptions.NewSubscription("books", "prod",
        List.of("failed"), "email"))).as("a service alice has no role in").isInstanceOf(AccessDeniedException.class);
    assertThatThrownBy(() -> subscriptions.subscribe("ghost", new UserSubscriptions.NewSubscription("shop", "prod",
        List.of("failed"), "email"))).as("a user that does not exist").isInstanceOf(AccessDeniedException.class);

    assertThat(subscriptions.subscribe("erin", new UserSubscriptions.NewSubscription("books", null, List.of("failed"),
        null)).channel()).isEqualTo("email");
    assertThat(subscriptions.of("dave")).isEmpty();
  }

  @Test
  void a_subscription_that_names_no_scope_an_unknown_moment_or_another_channel_is_refused_naming_the_field() {
    assertThatThrownBy(() -> subscriptions.subscribe("bob", new UserSubscriptions.NewSubscription(null, null,
        List.of("failed"), "email"))).isInstanceOf(InvalidInputException.class).hasMessageContaining("name a service");
    assertThatThrownBy(() -> subscriptions.subscribe("bob", new UserSubscriptions.NewSubscription("shop", null,
        List.of("failed", "exploded"), "email"))).isInstanceOf(InvalidInputException.class)
        .satisfies(e -> assertThat(((InvalidInputException) e).findings().getFirst().field()).isEqualTo("on[1]"));
    assertThatThrownBy(() -> subscriptions.subscribe("bob", new UserSubscriptions.NewSubscription("shop", null,
        List.of("failed"), "slack"))).isInstanceOf(InvalidInputException.class).hasMessageContaining("e-mail");
    assertThatThrownBy(() -> subscriptions.subscribe("bob", new UserSubscriptions.NewSubscription("Shop Front", null,
        List.of("failed"), "email"))).isInstanceOf(InvalidInputException.class);
    assertThat(subscriptions.of("bob")).isEmpty();
  }

  // --- who is told

  @Test
  void a_failed_deployment_is_mailed_once_to_each_recipient_who_may_read_it_and_posted_to_the_chat_webhook() {
    subscriptions.subscribe("bob", new UserSubscriptions.NewSubscription("shop", null, List.of("failed"), "email"));
    subscriptions.subscribe("alice", new UserSubscriptions.NewSubscription("shop", "prod", List.of("failed"), "email"));

    List<Destination> planned = fanout.destinations(finished("failure"));

    assertThat(planned).filteredOn(d -> d.channel().equals("email")).singleElement().satisfies(d -> {
      assertThat(Arrays.asList(d.address().split(","))).as("the address, the role's holder in scope, the "
          + "subscriber; alice once though named twice; dave, who may not read prod, not at all")
          .containsExactlyInAnyOrder("ops@example.com", "alice@example.com", "bob@example.com");
      assertThat(d.settings()).doesNotContainKey(NotificationFanout.TURN);
    });
    assertThat(planned).filteredOn(d -> d.channel().equals("slack")).as("once, though two notifications name it")
        .singleElement()
        .satisfies(d -> assertThat(d.address()).isEqualTo("ops-slack"));
    assertThat(planned).noneMatch(d -> d.channel().equals("webhook"));
  }

  @Test
  void a_wait_is_mailed_to_the_holders_of_the_roles_that_may_act_in_its_scope_as_their_turn() {
    subscriptions.subscribe("alice", new UserSubscriptions.NewSubscription("shop", null, List.of("waiting"), "email"));

    List<Destination> planned = fanout.destinations(waiting(List.of("deployment-manager")));

    assertThat(planned).filteredOn(d -> "true".equals(d.settings().get(NotificationFanout.TURN))).singleElement()
        .satisfies(d -> assertThat(d.address()).isEqualTo("bob@example.com"));
    assertThat(planned).filteredOn(d -> !d.settings().containsKey(NotificationFanout.TURN)).singleElement()
        .as("a subscriber who cannot act is told, not as its turn")
        .satisfies(d -> assertThat(d.address()).isEqualTo("alice@example.com"));
  }

  @Test
  void a_holder_of_the_role_outside_the_wait_s_scope_is_not_told() {
    List<Destination> planned = fanout.destinations(waiting(List.of("deployment-practitioner")));

    assertThat(planned).as("erin practises on books, not shop").isEmpty();
  }

  @Test
  void a_subscriber_whose_role_was_taken_away_is_no_longer_told() {
    subscriptions.subscribe("alice", new UserSubscriptions.NewSubscription("shop", "prod", List.of("succeeded"),
        "email"));
    assertThat(emails(fanout.destinations(finished("success")))).containsExactly("alice@example.com");

    bindings.withdraw("alice-shop-prod", Actor.GANTRY);

    assertThat(emails(fanout.destinations(finished("success")))).isEmpty();
    assertThat(subscriptions.of("alice")).as("the subscription stays, unused").hasSize(1);
  }

  @Test
  void a_user_without_an_e_mail_address_is_not_mailed_and_a_user_who_removed_it_no_longer_is() {
    subscriptions.subscribe("bob", new UserSubscriptions.NewSubscription("shop", null, List.of("cancelled"), "email"));
    assertThat(emails(fanout.destinations(finished("cancel")))).containsExactly("bob@example.com");

    users.setEmail("bob", null, Actor.named("bob"));

    assertThat(fanout.destinations(finished("cancel"))).isEmpty();
  }

  @Test
  void a_subscription_to_another_environment_or_moment_and_an_event_of_no_moment_plan_nothing() {
    subscriptions.subscribe("bob", new UserSubscriptions.NewSubscription("shop", "dev", List.of("failed"), "email"));
    subscriptions.subscribe("bob", new UserSubscriptions.NewSubscription("shop", "prod", List.of("started"), "email"));

    assertThat(emails(fanout.destinations(finished("failure")))).as("only the stage's own recipients, not bob")
        .containsExactlyInAnyOrder("ops@example.com", "alice@example.com");
    assertThat(fanout.destinations(event("dev.cdevents.service.deployed.0.3.0", Map.of("artifactId", "pkg:x"),
        custom()))).as("a version deployed is told by the pipeline run's end, not twice").isEmpty();
    assertThat(fanout.destinations(event("dev.cdevents.environment.modified.0.3.0", Map.of(), Map.of())))
        .isEmpty();
  }

  @Test
  void a_webhook_on_success_is_planned_to_its_secret() {
    assertThat(fanout.destinations(finished("success"))).filteredOn(d -> d.channel().equals("webhook"))
        .singleElement().satisfies(d -> assertThat(d.address()).isEqualTo("release-hook"));
  }

  // --- events as the emission writes them

  private static List<String> emails(List<Destination> planned) {
    List<String> out = new ArrayList<>();
    planned.stream().filter(d -> d.channel().equals("email")).forEach(d -> out.addAll(List.of(d.address()
        .split(","))));
    return out;
  }

  private static Map<String, Object> custom() {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("deployment", 12);
    // as the emission writes it (the delivery test writes the flat model and modelVersion)
    c.put("model", Map.of("name", "software", "version", 1));
    c.put("stage", "production");
    c.put("url", "https://gantry.example/deployments/12");
    return c;
  }

  private StoredEvent finished(String outcome) {
    return event("dev.cdevents.pipelinerun.finished.0.3.0", Map.of("pipelineName", "production",
        "outcome", outcome), custom());
  }

  private StoredEvent waiting(List<String> roles) {
    Map<String, Object> c = custom();
    c.put("environment", "prod");
    c.put("service", "shop");
    c.put("component", "web");
    c.put("version", "1.2.0");
    c.put("waitingFor", "approval");
    c.put("step", "go-live");
    c.put("target", "web1");
    c.put("roles", roles);
    c.put("message", "approve going live");
    return event("dev.cdeventsx.gantry-deployment.waiting.0.1.0", Map.of(), c);
  }

  private StoredEvent event(String type, Map<String, Object> content, Map<String, Object> customData) {
    String id = UUID.randomUUID().toString();
    Map<String, Object> cdevent = new LinkedHashMap<>();
    cdevent.put("context", Map.of("specversion", "0.5.1", "id", id, "source", "/gantry", "type", type,
        "timestamp", "2026-12-04T10:00:00Z"));
    cdevent.put("subject", Map.of("id", "deployment-12", "content", content));
    cdevent.put("customData", customData);
    return new StoredEvent(++sequence, id, type, "/gantry", "deployment-12", clock.instant(), 12L, "prod", "shop",
        Json.write(cdevent));
  }
}
