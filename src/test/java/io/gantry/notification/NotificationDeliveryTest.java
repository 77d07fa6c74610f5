package io.gantry.notification;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import com.sun.net.httpserver.HttpServer;
import io.gantry.api.TestSupport;
import io.gantry.config.ConfigFile;
import io.gantry.config.ConfigService;
import io.gantry.events.NewEvent;
import io.gantry.events.Outbox;
import io.gantry.events.Signature;
import io.gantry.identity.Actor;
import io.gantry.identity.Role;
import io.gantry.identity.Users;
import io.gantry.secret.Secrets;
import io.gantry.testing.TestDatabase;
import jakarta.mail.Address;
import jakarta.mail.internet.MimeMessage;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Notifications delivered for real: a stage's notifications applied as configuration, events written to the outbox
 * as the engine writes them, and the delivery loop sending e-mail to an SMTP server (GreenMail) and posts to an HTTP
 * server on the loopback interface in Slack's, Teams' and the generic webhook's formats.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "gantry.events.poll=100ms", "gantry.events.delivery.initial-backoff=100ms",
    "gantry.notifications.email.from=gantry@example.com"})
class NotificationDeliveryTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final GreenMail MAIL = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
  private static final BlockingQueue<Received> POSTS = new LinkedBlockingQueue<>();
  private static final HttpServer RECEIVER;

  /** A post the receiver got. */
  record Received(String path, Map<String, List<String>> headers, String body) {}

  static {
    MAIL.start();
    try {
      RECEIVER = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    RECEIVER.createContext("/", exchange -> {
      byte[] body = exchange.getRequestBody().readAllBytes();
      POSTS.add(new Received(exchange.getRequestURI().getPath(), Map.copyOf(exchange.getRequestHeaders()),
          new String(body, StandardCharsets.UTF_8)));
      byte[] answer = "1".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, answer.length);
      exchange.getResponseBody().write(answer);
      exchange.close();
    });
    RECEIVER.start();
  }

  @DynamicPropertySource
  static void settings(DynamicPropertyRegistry registry) throws Exception {
    TestSupport.register(registry, TestDatabase.H2);
    registry.add("spring.mail.host", () -> "127.0.0.1");
    registry.add("spring.mail.port", () -> MAIL.getSmtp().getPort());
  }

  @AfterAll
  static void stop() {
    MAIL.stop();
    RECEIVER.stop(0);
  }

  private static final String CONFIG = """
      apiVersion: gantry.io/v1
      kind: Environment
      metadata: {name: prod}
      spec: {purpose: production, owner: ops}
      ---
      apiVersion: gantry.io/v1
      kind: Service
      metadata: {name: shop}
      spec: {owner: team-shop}
      ---
      apiVersion: gantry.io/v1
      kind: Component
      metadata: {name: web}
      spec: {service: shop, type: software, model: software}
      ---
      apiVersion: gantry.io/v1
      kind: DeploymentModel
      metadata: {name: software}
      spec:
        appliesTo: {componentTypes: [software]}
        stages:
          - name: production
            environment: prod
            steps:
              - {name: restart, type: shell, command: "true"}
            notifications:
              - {on: [failed], channel: email, to: [ops@example.com, "role:service-owner"]}
              - {on: [waiting], channel: email}
              - {on: [failed], channel: slack, to: [ops-slack]}
              - {on: [failed], channel: teams, to: [ops-teams]}
              - {on: [failed, waiting], channel: webhook, to: [release-hook]}
      """;

  /** A version as a hostile pipeline might push it: a mail header, a Slack mention and link, Markdown and HTML. */
  private static final String HOSTILE = "1.2.0\r\nBcc: victim@example.com <!channel> <https://evil.example|x> "
      + "[here](https://evil.example) <b>bold</b>";

  @Autowired ConfigService config;
  @Autowired Users users;
  @Autowired Secrets secrets;
  @Autowired Outbox outbox;
  @Autowired TransactionTemplate tx;

  private static boolean prepared;

  @BeforeEach
  void prepare() throws Exception {
    MAIL.purgeEmailFromAllMailboxes();
    POSTS.clear();
    if (prepared) {
      return;
    }
    prepared = true;
    config.apply(List.of(new ConfigFile("gantry.yaml", CONFIG)), "notifications", "admin");
    String base = "http://127.0.0.1:" + RECEIVER.getAddress().getPort();
    secrets.set("ops-slack", base + "/slack", "admin");
    secrets.set("ops-teams", base + "/teams", "admin");
    secrets.set("release-hook", base + "/hook", "admin");
    secrets.set("release-hook-signing", "a signing key", "admin");
    tx.executeWithoutResult(s -> {
      users.create("olivia", "Olivia", EnumSet.of(Role.SERVICE_OWNER), Actor.GANTRY);
      users.setEmail("olivia", "olivia@example.com", Actor.GANTRY);
      users.create("max", "Max", EnumSet.of(Role.DEPLOYMENT_MANAGER), Actor.GANTRY);
      users.setEmail("max", "max@example.com", Actor.GANTRY);
      users.create("sue", "Sue", EnumSet.of(Role.SUPPLIER), Actor.GANTRY);
      users.setEmail("sue", "sue@example.com", Actor.GANTRY);
    });
  }

  @Test
  void a_failed_deployment_is_mailed_to_the_stage_s_recipients_and_posted_to_slack_teams_and_the_webhook()
      throws Exception {
    String eventId = write("dev.cdevents.pipelinerun.finished.0.3.0",
        Map.of("pipelineName", "production", "outcome", "failure", "errors", "step restart failed on web1"),
        custom(12, HOSTILE));

    assertThat(MAIL.waitForIncomingEmail(30_000, 1)).as("one mail to two recipients; deliveries: %s", deliveries())
        .isTrue();
    MimeMessage[] mails = MAIL.getReceivedMessages();
    MimeMessage mail = mails[0];
    assertThat(recipients(mail)).containsExactlyInAnyOrder("ops@example.com", "olivia@example.com");
    assertThat(mail.getHeader("Bcc")).as("no header came in through the version").isNull();
    assertThat(Arrays.stream(mails).flatMap(m -> recipients(m).stream())).doesNotContain("victim@example.com");
    assertThat(mail.getSubject()).startsWith("[Gantry] Deploying shop/web 1.2.0 Bcc: victim@example.com")
        .endsWith("to prod failed (#12)").doesNotContain("\n").doesNotContain("\r");
    assertThat(mail.getFrom()[0].toString()).isEqualTo("gantry@example.com");
    String body = GreenMailUtil.getBody(mail);
    assertThat(body).contains("Environment: prod").contains("Component: shop/web")
        .contains("Outcome: failed: step restart failed on web1").contains("https://gantry.example/deployments/12");
    String html = body.substring(body.indexOf("Content-Type: text/html"));
    assertThat(html).as("the HTML part shows the version's markup as text")
        .contains("&lt;b&gt;bold&lt;/b&gt;").doesNotContain("<b>bold</b>");

    Map<String, Received> posts = posts(3);
    JsonNode slack = JSON.readTree(posts.get("/slack").body());
    assertThat(slack.path("text").asString()).contains("Deploying shop/web").contains("&lt;!channel&gt;")
        .doesNotContain("<!channel>");
    assertThat(slack.path("blocks").get(0).path("text").path("type").asString()).isEqualTo("mrkdwn");
    assertThat(slack.path("blocks").toString()).doesNotContain("<https://evil.example|x>");
    assertThat(slack.path("blocks").get(slack.path("blocks").size() - 1).path("elements").get(0).path("url")
        .asString()).isEqualTo("https://gantry.example/deployments/12");

    JsonNode teams = JSON.readTree(posts.get("/teams").body());
    assertThat(teams.path("type").asString()).isEqualTo("message");
    JsonNode attachment = teams.path("attachments").get(0);
    assertThat(attachment.path("contentType").asString()).isEqualTo("application/vnd.microsoft.card.adaptive");
    JsonNode card = attachment.path("content");
    assertThat(card.path("type").asString()).isEqualTo("AdaptiveCard");
    assertThat(card.path("version").asString()).isEqualTo("1.2");
    assertThat(card.path("body").toString()).contains("\\\\[here\\\\]\\\\(https://evil\\\\.example\\\\)")
        .doesNotContain("[here](https://evil.example)").doesNotContain("<b>");
    assertThat(card.path("actions").get(0).path("type").asString()).isEqualTo("Action.OpenUrl");

    Received hook = posts.get("/hook");
    JsonNode payload = JSON.readTree(hook.body());
    assertThat(payload.path("eventId").asString()).isEqualTo(eventId);
    assertThat(payload.path("moment").asString()).isEqualTo("failed");
    assertThat(payload.path("environment").asString()).isEqualTo("prod");
    assertThat(payload.path("version").asString()).as("a JSON string, kept whole but on one line")
        .startsWith("1.2.0 Bcc:");
    assertThat(payload.path("url").asString()).isEqualTo("https://gantry.example/deployments/12");
    assertThat(header(hook, "Gantry-Event-Id")).isEqualTo(eventId);
    assertThat(Signature.verify("a signing key", header(hook, Signature.HEADER),
        hook.body().getBytes(StandardCharsets.UTF_8), Instant.now().getEpochSecond(), 300))
        .as("signed with the webhook's signing secret").isTrue();
    assertThat(Signature.verify("another key", header(hook, Signature.HEADER),
        hook.body().getBytes(StandardCharsets.UTF_8), Instant.now().getEpochSecond(), 300)).isFalse();
  }

  @Test
  void a_wait_tells_the_people_waited_for_by_mail_that_it_is_their_turn_and_what_to_do() throws Exception {
    Map<String, Object> custom = custom(13, "1.3.0");
    custom.put("waitingFor", "approval");
    custom.put("step", "go-live");
    custom.put("target", "web1");
    custom.put("roles", List.of("deployment-manager"));
    custom.put("message", "approve going live");
    write("dev.cdeventsx.gantry-deployment.waiting.0.1.0", Map.of(), custom);

    assertThat(MAIL.waitForIncomingEmail(30_000, 1)).as("deliveries: %s", deliveries()).isTrue();
    MimeMessage mail = MAIL.getReceivedMessages()[0];
    assertThat(recipients(mail)).as("the deployment manager; not the service owner or the supplier")
        .containsExactly("max@example.com");
    assertThat(mail.getSubject())
        .isEqualTo("[Gantry] Deploying shop/web 1.3.0 to prod waits for an approval by deployment-manager (#13)");
    String body = GreenMailUtil.getBody(mail);
    assertThat(body).contains("It is your turn")
        .contains("gantry approve 13 --target web1 --step go-live --reason TEXT")
        .contains("In the console: https://gantry.example/deployments/13");
    Received hook = posts(1).get("/hook");
    assertThat(JSON.readTree(hook.body()).path("waiting").path("roles").get(0).asString())
        .isEqualTo("deployment-manager");
    assertThat(MAIL.getReceivedMessages()).hasSize(1);
  }

  @Test
  void over_the_api_a_user_sets_its_own_address_and_manages_only_its_own_subscriptions() throws Exception {
    // a user of its own, whom no other test's message names: a practitioner everywhere
    tx.executeWithoutResult(s -> users.create("pat", "Pat", EnumSet.of(Role.DEPLOYMENT_PRACTITIONER), Actor.GANTRY));
    String pat = token("pat");
    String max = token("max");

    assertThat(call("PUT", "/api/v1/me/email", pat, "{\"email\":\"pat@shop.example\"}").body())
        .contains("pat@shop.example");
    assertThat(users.email("pat")).contains("pat@shop.example");
    assertThat(call("PUT", "/api/v1/me/email", pat, "{\"email\":\"o@x.example\\r\\nBcc: v@x.example\"}")
        .statusCode()).isEqualTo(422);
    var made = call("POST", "/api/v1/me/subscriptions", pat,
        "{\"service\":\"shop\",\"environment\":\"prod\",\"on\":[\"failed\"]}");
    assertThat(made.statusCode()).as(made.body()).isEqualTo(201);
    long id = JSON.readTree(made.body()).path("id").asLong();

    assertThat(call("GET", "/api/v1/me/subscriptions", max, null).body()).isEqualTo("[]");
    assertThat(call("DELETE", "/api/v1/me/subscriptions/" + id, max, null).statusCode())
        .as("a deployment manager removes no other user's subscription").isEqualTo(404);
    assertThat(call("POST", "/api/v1/me/subscriptions", token("sue"),
        "{\"service\":\"shop\",\"on\":[\"failed\"]}").statusCode()).as("a supplier bound nowhere").isEqualTo(403);
    assertThat(call("DELETE", "/api/v1/me/subscriptions/" + id, pat, null).statusCode()).isEqualTo(204);
    assertThat(call("GET", "/api/v1/me/subscriptions", pat, null).body()).isEqualTo("[]");
  }

  @Autowired io.gantry.model.ModelAgreements agreements;
  @Autowired io.gantry.model.ModelNotices notices;

  private static final String DOCUMENTS = """
      ---
      apiVersion: gantry.io/v1
      kind: DeploymentModel
      metadata: {name: documents}
      spec:
        owner: max
        stakeholders: ["user:sue", "user:olivia", "user:quinn", "user:max"]
        appliesTo: {componentTypes: [documentation]}
        stages:
          - name: production
            environment: prod
            steps:
              - {name: publish, type: shell, command: "true"}
      """;

  @Test
  void a_model_version_in_force_is_mailed_to_each_person_told_with_why_the_diff_and_the_signers_comments()
      throws Exception {
    // a stakeholder without an address reads the notice in the inbox only
    tx.executeWithoutResult(s -> users.create("quinn", "Quinn", EnumSet.of(Role.AUDITOR), Actor.GANTRY));
    config.apply(List.of(new ConfigFile("gantry.yaml", CONFIG + DOCUMENTS)), "documents get a model", "admin");
    assertThat(MAIL.waitForIncomingEmail(30_000, 2)).as("deliveries: %s", deliveries()).isTrue();
    assertThat(Arrays.stream(MAIL.getReceivedMessages()).flatMap(m -> recipients(m).stream()))
        .as("sue, a supplier, may not read models: named a stakeholder, she is told nothing")
        .containsExactlyInAnyOrder("max@example.com", "olivia@example.com");
    assertThat(MAIL.getReceivedMessages()[0].getSubject()).isEqualTo("[Gantry] Model documents version 1 is in force");
    MAIL.purgeEmailFromAllMailboxes();

    config.apply(List.of(new ConfigFile("gantry.yaml", CONFIG + DOCUMENTS.replace("command: \"true\"",
        "command: \"echo published\""))), "say <b>when</b> it is published", "olivia");
    assertThat(notices.ofVersion("documents", 2)).as("a proposal tells nobody").isEmpty();
    agreements.decide("documents", 2, "max", io.gantry.model.ModelAgreements.Decision.AGREE,
        "reads <i>well</i>\r\nBcc: victim@example.com");

    assertThat(MAIL.waitForIncomingEmail(30_000, 2)).as("deliveries: %s", deliveries()).isTrue();
    MimeMessage[] mails = MAIL.getReceivedMessages();
    assertThat(Arrays.stream(mails).flatMap(m -> recipients(m).stream()))
        .containsExactlyInAnyOrder("max@example.com", "olivia@example.com");
    MimeMessage toOlivia = Arrays.stream(mails).filter(m -> recipients(m).contains("olivia@example.com")).findFirst()
        .orElseThrow();
    assertThat(toOlivia.getSubject()).isEqualTo("[Gantry] Model documents version 2 is in force");
    assertThat(toOlivia.getHeader("Bcc")).isNull();
    long oliviaNotice = notices.ofVersion("documents", 2).stream().filter(n -> n.user().equals("olivia")).findFirst()
        .orElseThrow().id();
    String body = GreenMailUtil.getBody(toOlivia);
    assertThat(body).contains("Model documents version 2 is in force in place of version 1")
        .contains("Why you are told: stakeholder of model documents").contains("Proposed by: olivia")
        .contains("Reason: say <b>when</b> it is published").contains("In force: agreed by max")
        .contains("Agreed by max").contains("reads <i>well</i> Bcc: victim@example.com")
        .contains("+          command: echo published")
        .contains("Mark it read: gantry notices read " + oliviaNotice);
    String html = body.substring(body.indexOf("Content-Type: text/html"));
    assertThat(html).as("the proposer's and signers' markup is shown as text")
        .contains("&lt;i&gt;well&lt;/i&gt;").doesNotContain("<i>well</i>").doesNotContain("<b>when</b>");
    assertThat(notices.ofVersion("documents", 2)).extracting(io.gantry.model.ModelNotices.Notice::user)
        .as("quinn, without an address, has the notice in the inbox").containsExactly("max", "olivia", "quinn");
    assertThat(mails).hasSize(2);
  }

  @Autowired io.gantry.identity.ApiTokens tokens;
  @org.springframework.boot.test.web.server.LocalServerPort int port;

  private String token(String user) {
    return tx.execute(s -> tokens.issue(users.find(user).orElseThrow(), "test-" + UUID.randomUUID(), 1,
        Actor.GANTRY)).secret();
  }

  private java.net.http.HttpResponse<String> call(String method, String path, String token, String body)
      throws Exception {
    var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + path))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .method(method, body == null ? java.net.http.HttpRequest.BodyPublishers.noBody()
            : java.net.http.HttpRequest.BodyPublishers.ofString(body));
    return java.net.http.HttpClient.newHttpClient().send(request.build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
  }

  // --- helpers

  @Autowired org.springframework.jdbc.core.simple.JdbcClient jdbc;

  /** The deliveries as they stand, to say why a message did not come. */
  private List<Map<String, Object>> deliveries() {
    return jdbc.sql("select channel, destination, state, attempts, last_error from event_deliveries order by id")
        .query().listOfRows();
  }

  private static Map<String, Object> custom(long deployment, String version) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("deployment", deployment);
    c.put("model", "software");
    c.put("modelVersion", 1);
    c.put("stage", "production");
    c.put("url", "https://gantry.example/deployments/" + deployment);
    c.put("environment", "prod");
    c.put("service", "shop");
    c.put("component", "web");
    c.put("version", version);
    return c;
  }

  /** Writes an event in a transaction, as the engine does; answers its id. */
  private String write(String type, Map<String, Object> content, Map<String, Object> custom) {
    long deployment = ((Number) custom.get("deployment")).longValue();
    return tx.execute(s -> outbox.add(new NewEvent(type,
        JSON.valueToTree(Map.of("id", "deployment-" + deployment, "content", content)), JSON.valueToTree(custom),
        Instant.now(), deployment, "prod", "shop"))).eventId();
  }

  private static List<String> recipients(MimeMessage mail) {
    try {
      Address[] all = mail.getAllRecipients();
      return all == null ? List.of() : Arrays.stream(all).map(Address::toString).toList();
    } catch (jakarta.mail.MessagingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The next {@code n} posts, by path; fails when they do not come. */
  private static Map<String, Received> posts(int n) throws InterruptedException {
    Map<String, Received> out = new LinkedHashMap<>();
    List<String> order = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Received r = POSTS.poll(30, TimeUnit.SECONDS);
      assertThat(r).as("post " + (i + 1) + " of " + n + " (so far " + order + ")").isNotNull();
      out.put(r.path(), r);
      order.add(r.path());
    }
    return out;
  }

  private static String header(Received r, String name) {
    return r.headers().entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).findFirst()
        .map(e -> e.getValue().getFirst()).orElse(null);
  }
}
