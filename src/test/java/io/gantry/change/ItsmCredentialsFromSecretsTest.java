package io.gantry.change;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.gantry.secret.Secrets;
import io.gantry.shared.Json;
import io.gantry.shared.StartupProblem;
import io.gantry.testing.MutableClock;
import io.gantry.testing.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

/**
 * ITSM credentials kept in the secret store ({@code password-secret}, {@code token-secret}), asked over
 * real HTTP of a local server in ServiceNow's and Jira's shapes: the tool receives the secret's value,
 * a value set again is sent from the next request on, a secret that cannot be given fails that poll
 * with the reason on the change's external status, and no value is in what the API answers. The
 * database does not matter here, so this runs on H2 only.
 */
class ItsmCredentialsFromSecretsTest {

  private final MutableClock clock = new MutableClock(Clock.systemUTC().instant());
  private ItsmServer server;
  private ChangeFixture fixture;
  private Secrets secrets;
  private ItsmPolling itsm;

  @TempDir
  Path dataDir;

  @BeforeEach
  void setUp() throws Exception {
    server = new ItsmServer();
    var settings = new ItsmSettings(Map.of(
        "snow", new ItsmSettings.ItsmSystem(ItsmSettings.Type.SERVICENOW, server.url(), "gantry", null, null, null,
            Duration.ofMinutes(1), Duration.ofHours(1), Duration.ofMillis(500), null, "snow-password", null),
        "jsm", new ItsmSettings.ItsmSystem(ItsmSettings.Type.JIRA, server.url(), null, null, null, null,
            Duration.ofMinutes(1), Duration.ofHours(1), Duration.ofMillis(500), null, null, "jsm-token")));
    fixture = new ChangeFixture(TestDatabase.H2.create(), clock, dataDir, settings).configured();
    secrets = fixture.secrets();
    itsm = fixture.itsm(secrets);
  }

  @AfterEach
  void tearDown() {
    server.close();
  }

  private Change external(String system, String reference) {
    Changes.NewChange n = fixture.change("normal", List.of("shop/web"), "production");
    Change c = fixture.changes.create(new Changes.NewChange(n.title(), n.type(), n.risk(), n.impact(), n.plannedStart(),
        n.plannedEnd(), n.implementationPlan(), n.backoutPlan(), n.testPlan(), n.services(), n.components(),
        n.environments(), null, new Change.External(system, reference)), "alice");
    return fixture.changes.submit(c.key(), "alice");
  }

  /** The change as the API answers it (with its external status) and its history, as JSON. */
  private String answered(Change c) {
    Change now = fixture.changes.get(c.key());
    return Json.write(ChangeController.ChangeView.of(now, fixture.changes.records().externalStatus(now.id())))
        + Json.write(fixture.changes.history(now)) + Json.write(secrets.list());
  }

  private static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void a_servicenow_password_from_a_secret_is_sent_as_basic_auth_and_a_value_set_again_is_sent_at_the_next_poll() {
    secrets.set("snow-password", "first-password-1", "alice");
    Change c = external("snow", "CHG0040001");
    server.serviceNow("CHG0040001", "requested");

    assertThat(itsm.pollDue()).isOne();
    secrets.set("snow-password", "second-password-2", "alice");
    clock.advance(Duration.ofMinutes(1));
    server.serviceNow("CHG0040001", "approved");
    assertThat(itsm.pollDue()).isOne();

    assertThat(server.requests).extracting(ItsmServer.Request::authorization)
        .containsExactly(basic("gantry", "first-password-1"), basic("gantry", "second-password-2"));
    assertThat(fixture.changes.get(c.key()).state()).isEqualTo(ChangeState.AUTHORIZED);
    assertThat(answered(c)).doesNotContain("first-password-1").doesNotContain("second-password-2");
  }

  @Test
  void a_jira_token_from_a_secret_is_sent_as_a_bearer_token_and_a_value_set_again_is_sent_at_the_next_poll() {
    secrets.set("jsm-token", "jira-token-number-one", "alice");
    Change c = external("jsm", "CAB-41");
    server.jira("CAB-41", "Awaiting approval");

    assertThat(itsm.pollDue()).isOne();
    secrets.set("jsm-token", "jira-token-number-two", "alice");
    clock.advance(Duration.ofMinutes(1));
    server.jira("CAB-41", "Declined");
    assertThat(itsm.pollDue()).isOne();

    assertThat(server.requests).extracting(ItsmServer.Request::authorization)
        .containsExactly("Bearer jira-token-number-one", "Bearer jira-token-number-two");
    assertThat(fixture.changes.get(c.key()).state()).isEqualTo(ChangeState.REJECTED);
    assertThat(answered(c)).doesNotContain("jira-token-number-one").doesNotContain("jira-token-number-two");
  }

  @Test
  void a_credential_secret_that_is_not_set_fails_that_poll_with_the_reason_on_the_external_status_and_the_next_poll_uses_it_once_set() {
    Change c = external("snow", "CHG0040002");
    server.serviceNow("CHG0040002", "approved");

    assertThat(itsm.pollDue()).isOne();

    Change waiting = fixture.changes.get(c.key());
    assertThat(waiting.state()).isEqualTo(ChangeState.ASSESSED);
    String reason = "the password for snow is the secret \"snow-password\" (gantry.itsm.systems.snow.password-secret), "
        + "which cannot be given: secret \"snow-password\" is not set";
    assertThat(fixture.changes.records().externalStatus(waiting.id()).error()).startsWith(reason);
    assertThat(fixture.changes.history(waiting).getLast().reason()).startsWith("no answer: " + reason);
    assertThat(server.requests).as("nothing was sent without the credential").isEmpty();

    secrets.set("snow-password", "set-at-last-3", "alice");
    clock.advance(Duration.ofMinutes(1));
    assertThat(itsm.pollDue()).isOne();
    assertThat(fixture.changes.get(c.key()).state()).isEqualTo(ChangeState.AUTHORIZED);
    assertThat(server.requests).extracting(ItsmServer.Request::authorization)
        .containsExactly(basic("gantry", "set-at-last-3"));
    assertThat(answered(c)).doesNotContain("set-at-last-3");
  }

  private static Throwable bound(Map<String, String> properties) {
    return catchThrowable(() -> new Binder(new MapConfigurationPropertySource(properties))
        .bind("gantry.itsm", ItsmSettings.class));
  }

  private static StartupProblem problem(Throwable t) {
    for (Throwable cause = t; cause != null; cause = cause.getCause()) {
      if (cause instanceof StartupProblem p) {
        return p;
      }
    }
    throw new AssertionError("no StartupProblem in " + t, t);
  }

  @Test
  void a_system_given_a_password_and_a_password_secret_or_a_token_and_a_token_secret_does_not_start_saying_so() {
    Map<String, String> base = Map.of("gantry.itsm.systems.snow.type", "servicenow",
        "gantry.itsm.systems.snow.url", "https://example.service-now.com", "gantry.itsm.systems.snow.username", "gantry");

    var both = new java.util.HashMap<>(base);
    both.put("gantry.itsm.systems.snow.password", "plain-password");
    both.put("gantry.itsm.systems.snow.password-secret", "snow-password");
    assertThat(problem(bound(both))).hasMessage("gantry.itsm.systems.snow.password and "
        + "gantry.itsm.systems.snow.password-secret are both set: give the password once, as the name of a secret "
        + "(password-secret) or as a value (password)");

    var tokens = new java.util.HashMap<>(base);
    tokens.put("gantry.itsm.systems.snow.token", "plain-token");
    tokens.put("gantry.itsm.systems.snow.token-secret", "snow-token");
    assertThat(problem(bound(tokens))).hasMessageStartingWith("gantry.itsm.systems.snow.token and "
        + "gantry.itsm.systems.snow.token-secret are both set");

    var badName = new java.util.HashMap<>(base);
    badName.put("gantry.itsm.systems.snow.password-secret", "${secret:snow-password}");
    assertThat(problem(bound(badName))).hasMessageStartingWith("gantry.itsm.systems.snow.password-secret is the name "
        + "of a secret");

    var named = new java.util.HashMap<>(base);
    named.put("gantry.itsm.systems.snow.password-secret", "snow-password");
    var settings = new Binder(new MapConfigurationPropertySource(named)).bind("gantry.itsm", ItsmSettings.class).get();
    assertThat(settings.systems().get("snow").passwordSecret()).isEqualTo("snow-password");
    assertThat(settings.systems().get("snow").password()).isNull();
  }

  @Test
  void spring_reads_a_secret_reference_in_its_own_properties_as_a_placeholder_so_credentials_name_secrets_instead() {
    var environment = new StandardEnvironment();
    environment.getPropertySources().addFirst(new MapPropertySource("test",
        Map.of("gantry.itsm.systems.snow.password", "${secret:snow-password}")));

    assertThat(environment.getProperty("gantry.itsm.systems.snow.password"))
        .as("the property \"secret\" is not set, so its default, the secret's name, is the password")
        .isEqualTo("snow-password");
  }
}
