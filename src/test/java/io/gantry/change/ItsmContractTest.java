package io.gantry.change;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.deployment.Deployment;
import io.gantry.deployment.DeploymentState;
import io.gantry.deployment.Engine;
import io.gantry.shared.ConflictException;
import io.gantry.shared.InvalidInputException;
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
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Changes decided in ServiceNow and Jira Service Management, asked over real HTTP of a local server
 * that answers in their APIs' shapes: pending then approved, rejected, and no answer until the
 * timeout; on both databases.
 */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
class ItsmContractTest {

  private final TestDatabase database;
  private final MutableClock clock = new MutableClock(Clock.systemUTC().instant());
  private ItsmServer server;
  private ChangeFixture fixture;
  private Changes changes;
  private ItsmPolling itsm;
  private Engine engine;

  @TempDir
  Path home;

  ItsmContractTest(TestDatabase database) {
    this.database = database;
  }

  @BeforeEach
  void setUp() throws Exception {
    server = new ItsmServer();
    var settings = new ItsmSettings(Map.of(
        "snow", new ItsmSettings.ItsmSystem(ItsmSettings.Type.SERVICENOW, server.url() + "/", "gantry", "s3cret", null,
            null, Duration.ofMinutes(1), Duration.ofHours(1), Duration.ofMillis(300)),
        "jsm", new ItsmSettings.ItsmSystem(ItsmSettings.Type.JIRA, server.url(), null, null, "jira-token",
            Map.of("Waiting for CAB", "pending"), Duration.ofMinutes(1), Duration.ofHours(1),
            Duration.ofMillis(300))));
    fixture = new ChangeFixture(database.create(), clock, home, settings).configured();
    changes = fixture.changes;
    itsm = fixture.itsm();
    engine = fixture.engine();
  }

  @AfterEach
  void tearDown() {
    server.close();
  }

  private Change external(String system, String reference) {
    Changes.NewChange n = fixture.change("normal", List.of("shop/web"), "production");
    Change c = changes.create(new Changes.NewChange(n.title(), n.type(), n.risk(), n.impact(), n.plannedStart(),
        n.plannedEnd(), n.implementationPlan(), n.backoutPlan(), n.testPlan(), n.services(), n.components(),
        n.environments(), null, new Change.External(system, reference)), "alice");
    return changes.submit(c.key(), "alice");
  }

  private Deployment run(Deployment d) {
    engine.runDue();
    return fixture.deployments.get(d.id());
  }

  @Test
  void a_servicenow_change_pending_then_approved_authorizes_the_change_and_the_waiting_deployment_runs() {
    Deployment d = fixture.deploy("shop/web", "production", "alice");
    Change c = external("snow", "CHG0030001");
    server.serviceNow("CHG0030001", "requested");

    assertThat(itsm.pollDue()).isOne();
    assertThat(changes.get(c.key()).state()).isEqualTo(ChangeState.ASSESSED);
    assertThat(itsm.pollDue()).as("the next poll is a minute away").isZero();
    assertThat(run(d).state()).isEqualTo(DeploymentState.REQUESTED);
    clock.advance(Duration.ofMinutes(1));
    server.serviceNow("CHG0030001", "approved");
    assertThat(itsm.pollDue()).isOne();

    Change authorized = changes.get(c.key());
    assertThat(authorized.state()).isEqualTo(ChangeState.AUTHORIZED);
    assertThat(authorized.outcome()).isNull();
    assertThat(changes.history(authorized)).filteredOn(e -> e.kind() == ChangeEntry.Kind.EXTERNAL)
        .extracting(ChangeEntry::reason).containsExactly(
            "snow says CHG0030001 is \"requested\" (pending)", "snow says CHG0030001 is \"approved\" (approved)");
    assertThat(changes.history(authorized).getLast().reason())
        .isEqualTo("authorized: approved in snow (CHG0030001 is \"approved\")");
    var request = server.requests.getFirst();
    assertThat(request.method()).isEqualTo("GET");
    assertThat(request.uri().getPath()).isEqualTo("/api/now/table/change_request");
    assertThat(request.uri().getQuery())
        .isEqualTo("sysparm_query=number=CHG0030001&sysparm_fields=number,state,approval");
    assertThat(request.authorization()).isEqualTo("Basic "
        + Base64.getEncoder().encodeToString("gantry:s3cret".getBytes(StandardCharsets.UTF_8)));
    assertThat(itsm.pollDue()).as("a decided change is not asked about again").isZero();
    assertThat(run(d).state()).isEqualTo(DeploymentState.SUCCEEDED);
  }

  @Test
  void a_servicenow_rejection_rejects_the_change_and_fails_the_waiting_deployment() {
    Deployment d = fixture.deploy("shop/web", "production", "alice");
    Change c = external("snow", "CHG0030002");
    server.serviceNow("CHG0030002", "rejected");

    itsm.pollDue();

    Change rejected = changes.get(c.key());
    assertThat(rejected.state()).isEqualTo(ChangeState.REJECTED);
    assertThat(rejected.outcome()).isEqualTo("rejected in snow (CHG0030002 is \"rejected\")");
    Deployment failed = run(d);
    assertThat(failed.state()).isEqualTo(DeploymentState.FAILED);
    assertThat(failed.outcome()).contains(c.key()).contains("rejected in snow");
  }

  @Test
  void a_servicenow_system_that_never_answers_leaves_the_change_rejected_for_want_of_a_decision_after_the_timeout() {
    Deployment d = fixture.deploy("shop/web", "production", "alice");
    Change c = external("snow", "CHG0030003");
    server.hold();

    itsm.pollDue();
    Change waiting = changes.get(c.key());
    assertThat(waiting.state()).isEqualTo(ChangeState.ASSESSED);
    assertThat(changes.history(waiting).getLast().reason()).startsWith("no answer: no answer from 127.0.0.1")
        .contains("within PT0.3S");
    clock.advance(Duration.ofMinutes(59));
    itsm.pollDue();
    assertThat(changes.get(c.key()).state()).isEqualTo(ChangeState.ASSESSED);
    clock.advance(Duration.ofMinutes(1));
    itsm.pollDue();

    Change rejected = changes.get(c.key());
    assertThat(rejected.state()).isEqualTo(ChangeState.REJECTED);
    assertThat(rejected.outcome()).startsWith("rejected for want of a decision: snow gave none on CHG0030003 "
        + "within PT1H of submission (last: no answer from 127.0.0.1");
    assertThat(run(d).outcome()).contains("rejected for want of a decision");
    assertThat(server.requests).hasSize(3);
  }

  @Test
  void a_due_poll_another_server_is_asking_about_is_left_to_it_and_the_tool_is_asked_once() throws Exception {
    Change c = external("snow", "CHG0030009");
    server.hold();
    ItsmPolling other = fixture.itsm();

    var asking = java.util.concurrent.CompletableFuture.supplyAsync(itsm::pollDue);
    java.time.Instant deadline = java.time.Instant.now().plusSeconds(10);
    while (server.requests.isEmpty()) {
      assertThat(java.time.Instant.now()).as("the first server asks the tool").isBefore(deadline);
      Thread.sleep(5);
    }
    assertThat(other.pollDue()).as("the second server leaves the poll the first one took").isZero();
    assertThat(asking.get()).isOne();
    assertThat(other.pollDue()).as("the answer (none) set the next poll a minute away").isZero();

    assertThat(server.requests).hasSize(1);
    assertThat(changes.history(changes.get(c.key()))).filteredOn(e -> e.kind() == ChangeEntry.Kind.EXTERNAL)
        .hasSize(1);
  }

  @Test
  void two_servers_polling_at_once_ask_the_tool_once_about_each_due_change() throws Exception {
    List<Change> due = new java.util.ArrayList<>();
    for (int i = 0; i < 8; i++) {
      due.add(external("snow", "CHG004000" + i));
    }
    server.serviceNow("any", "requested");
    ItsmPolling other = fixture.itsm();
    var start = new java.util.concurrent.CountDownLatch(1);
    var one = java.util.concurrent.CompletableFuture.supplyAsync(() -> awaitThen(start, itsm::pollDue));
    var two = java.util.concurrent.CompletableFuture.supplyAsync(() -> awaitThen(start, other::pollDue));
    start.countDown();

    assertThat(one.get() + two.get()).as("changes asked about by the two servers together").isEqualTo(due.size());
    assertThat(server.requests).hasSize(due.size());
    for (Change c : due) {
      assertThat(changes.history(changes.get(c.key()))).filteredOn(e -> e.kind() == ChangeEntry.Kind.EXTERNAL)
          .as("what %s heard", c.key()).hasSize(1);
    }
  }

  private static int awaitThen(java.util.concurrent.CountDownLatch start, java.util.function.IntSupplier poll) {
    try {
      start.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return poll.getAsInt();
  }

  @Test
  void a_jira_change_awaiting_approval_then_approved_is_authorized_asking_with_the_bearer_token() {
    Change c = external("jsm", "ITSM-7");
    server.jira("ITSM-7", "Awaiting approval");

    itsm.pollDue();
    assertThat(changes.get(c.key()).state()).isEqualTo(ChangeState.ASSESSED);
    clock.advance(Duration.ofMinutes(1));
    server.jira("ITSM-7", "Waiting for CAB");
    itsm.pollDue();
    assertThat(changes.get(c.key()).state()).isEqualTo(ChangeState.ASSESSED);
    clock.advance(Duration.ofMinutes(1));
    server.jira("ITSM-7", "Awaiting implementation");
    itsm.pollDue();

    assertThat(changes.get(c.key()).state()).isEqualTo(ChangeState.AUTHORIZED);
    var request = server.requests.getFirst();
    assertThat(request.uri().getPath()).isEqualTo("/rest/api/3/issue/ITSM-7");
    assertThat(request.uri().getQuery()).isEqualTo("fields=status");
    assertThat(request.authorization()).isEqualTo("Bearer jira-token");
  }

  @Test
  void a_jira_change_declined_is_rejected() {
    Change c = external("jsm", "ITSM-8");
    server.jira("ITSM-8", "Declined");

    itsm.pollDue();

    assertThat(changes.get(c.key()).state()).isEqualTo(ChangeState.REJECTED);
    assertThat(changes.get(c.key()).outcome()).isEqualTo("rejected in jsm (ITSM-8 is \"Declined\")");
  }

  @Test
  void a_jira_system_that_never_answers_leaves_the_change_rejected_after_the_timeout() {
    Change c = external("jsm", "ITSM-9");
    server.hold();

    itsm.pollDue();
    clock.advance(Duration.ofHours(1));
    itsm.pollDue();

    Change rejected = changes.get(c.key());
    assertThat(rejected.state()).isEqualTo(ChangeState.REJECTED);
    assertThat(rejected.outcome()).contains("jsm gave none on ITSM-9 within PT1H");
  }

  @Test
  void a_jira_answer_without_a_status_or_an_unknown_issue_is_recorded_and_the_change_keeps_waiting() {
    Change c = external("jsm", "ITSM-10");
    server.answer(404, "{\"errorMessages\":[\"Issue does not exist\"]}");

    itsm.pollDue();
    clock.advance(Duration.ofMinutes(1));
    server.answer(200, "{\"key\":\"ITSM-10\",\"fields\":{}}");
    itsm.pollDue();

    Change waiting = changes.get(c.key());
    assertThat(waiting.state()).isEqualTo(ChangeState.ASSESSED);
    assertThat(changes.history(waiting)).filteredOn(e -> e.kind() == ChangeEntry.Kind.EXTERNAL)
        .extracting(ChangeEntry::reason).containsExactly("no answer: ITSM-10 was not found (HTTP 404)",
            "no answer: issue ITSM-10 has no status in the answer");
  }

  @Test
  void an_answer_of_more_than_a_mebibyte_is_refused_unread_and_the_change_keeps_waiting() {
    Change c = external("jsm", "ITSM-12");
    String padding = "x".repeat(ItsmClient.BODY_LIMIT);
    server.answer(200, "{\"key\":\"ITSM-12\",\"padding\":\"" + padding + "\",\"fields\":{\"status\":"
        + "{\"name\":\"Awaiting implementation\"}}}");

    itsm.pollDue();

    Change waiting = changes.get(c.key());
    assertThat(waiting.state()).isEqualTo(ChangeState.ASSESSED);
    assertThat(changes.history(waiting).getLast().reason())
        .startsWith("no answer: the ITSM server answered with more than 1 MiB (HTTP 200 from /rest/api/3/issue/ITSM-12)");
  }

  @Test
  void a_callback_asks_at_once_or_carries_the_state_and_is_refused_for_a_change_not_awaiting_a_decision() {
    Change asked = external("snow", "CHG0030004");
    server.serviceNow("CHG0030004", "approved");

    assertThat(itsm.pollNow(asked.key()).state()).isEqualTo(ChangeState.AUTHORIZED);
    assertThat(server.requests).hasSize(1);
    assertThatThrownBy(() -> itsm.pollNow(asked.key())).isInstanceOf(ConflictException.class)
        .hasMessageContaining("not awaiting a decision");

    Change told = external("jsm", "ITSM-11");
    assertThatThrownBy(() -> itsm.report(told.key(), "Sideways", "jira")).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("state-mapping");
    assertThat(itsm.report(told.key(), "Declined", "jira").state()).isEqualTo(ChangeState.REJECTED);
    assertThat(server.requests).hasSize(1);
  }

  @Test
  void an_answer_about_another_change_than_the_one_asked_about_is_not_taken() {
    Change snow = external("snow", "CHG0030005");
    Change jira = external("jsm", "ITSM-13");
    server.serviceNow("CHG0039999", "approved");
    itsm.pollNow(snow.key());
    server.jira("ITSM-99", "Approved");
    itsm.pollNow(jira.key());

    assertThat(changes.get(snow.key()).state()).isEqualTo(ChangeState.ASSESSED);
    assertThat(changes.get(jira.key()).state()).isEqualTo(ChangeState.ASSESSED);
    assertThat(changes.history(changes.get(snow.key())).getLast().reason())
        .contains("about change_request CHG0039999, not CHG0030005");
    assertThat(changes.history(changes.get(jira.key())).getLast().reason()).contains("about issue ITSM-99, not ITSM-13");
  }

  @Test
  void an_external_reference_not_in_the_tools_own_form_is_refused_before_anything_is_asked() {
    assertThatThrownBy(() -> external("snow", "CHG0030001^ORnumberISNOTEMPTY"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("external.reference")
        .hasMessageContaining("CHG and seven or more digits");
    assertThatThrownBy(() -> external("jsm", "../../myself")).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("a Jira issue key");
    assertThat(server.requests).isEmpty();
  }
}
