package io.gantry.change;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.deployment.Deployment;
import io.gantry.deployment.DeploymentEvent;
import io.gantry.deployment.DeploymentState;
import io.gantry.deployment.Engine;
import io.gantry.shared.ConflictException;
import io.gantry.shared.Finding;
import io.gantry.shared.InvalidInputException;
import io.gantry.testing.MutableClock;
import io.gantry.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.security.access.AccessDeniedException;

/** Changes, their approval rules and the change gate holding deployments back, on both databases. */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
class ChangesContractTest {

  private final TestDatabase database;
  private final MutableClock clock = new MutableClock(Clock.systemUTC().instant());
  private ChangeFixture fixture;
  private Changes changes;
  private Engine engine;
  private TestDatabase.Instance db;

  @TempDir
  Path home;

  ChangesContractTest(TestDatabase database) {
    this.database = database;
  }

  @BeforeEach
  void setUp() {
    db = database.create();
    fixture = new ChangeFixture(db, clock, home);
    changes = fixture.changes;
    engine = fixture.engine();
  }

  private Deployment run(Deployment d) {
    engine.runDue();
    return fixture.deployments.get(d.id());
  }

  private List<DeploymentEvent> waits(Deployment d) {
    return fixture.deployments.events(d.id(), 0).stream().filter(e -> e.kind() == DeploymentEvent.Kind.WAIT).toList();
  }

  private Change submitted(Changes.NewChange n, String requester) {
    return changes.submit(changes.create(n, requester).key(), requester);
  }

  @Test
  void a_normal_change_to_production_under_a_2_of_3_rule_lets_the_waiting_deployment_run_after_two_other_approvals() {
    fixture.configured();
    Deployment d = fixture.deploy("shop/web", "production", "alice");
    assertThat(run(d).state()).isEqualTo(DeploymentState.REQUESTED);
    assertThat(waits(d).getLast().message()).contains("an authorized change covering shop/web in production");

    Change c = submitted(fixture.change("normal", List.of("shop/web"), "production"), "alice");
    assertThat(c.rules()).containsExactly(new ApprovalRule(List.of("deployment-manager", "service-owner"), 2, true));
    assertThatThrownBy(() -> changes.approve(c.key(), "alice", "mine")).isInstanceOf(AccessDeniedException.class)
        .hasMessageContaining("alice requested " + c.key()).hasMessageContaining("separation of duties");
    assertThat(db.count("change_approvals")).isZero();

    assertThat(changes.approve(c.key(), "carol", "plan reviewed").state()).isEqualTo(ChangeState.ASSESSED);
    assertThat(run(d).state()).isEqualTo(DeploymentState.REQUESTED);
    assertThat(waits(d).getLast().message()).contains(c.key() + " to be approved: 1 of 2 approvals");
    assertThat(changes.approve(c.key(), "dave", "owner agrees").state()).isEqualTo(ChangeState.AUTHORIZED);

    Deployment done = run(d);

    assertThat(done.state()).as(done.outcome()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(waits(d)).extracting(DeploymentEvent::waitingFor).containsOnly(DeploymentEvent.WaitKind.CHANGE);
    Change closed = changes.get(c.key());
    assertThat(closed.state()).isEqualTo(ChangeState.CLOSED);
    assertThat(closed.closureCode()).isEqualTo(Change.ClosureCode.SUCCESSFUL);
    assertThat(changes.deployments(closed)).containsExactly(d.id());
    assertThat(changes.history(closed)).filteredOn(e -> e.kind() == ChangeEntry.Kind.TRANSITION)
        .extracting(ChangeEntry::to).containsExactly(ChangeState.NEW, ChangeState.ASSESSED, ChangeState.AUTHORIZED,
            ChangeState.IMPLEMENTING, ChangeState.CLOSED);
    assertThat(changes.history(closed)).filteredOn(e -> e.kind() == ChangeEntry.Kind.DECISION)
        .extracting(ChangeEntry::actor, ChangeEntry::reason).containsExactly(
            org.assertj.core.groups.Tuple.tuple("carol", "approved by carol: plan reviewed"),
            org.assertj.core.groups.Tuple.tuple("dave", "approved by dave: owner agrees"));
    assertThat(changes.decisions(closed)).extracting(ChangeDecision::approver).containsExactly("carol", "dave");
  }

  @Test
  void a_change_stays_authorized_while_a_later_gate_holds_its_deployment_and_implements_when_it_starts() {
    fixture.configured();
    java.util.concurrent.atomic.AtomicBoolean windowOpen = new java.util.concurrent.atomic.AtomicBoolean();
    // after the change gate, as the schedule's window gate is
    fixture.gates.add(new io.gantry.deployment.DeploymentGate() {
      @Override
      public Verdict check(Deployment d, io.gantry.model.Stage stage, Instant now) {
        return windowOpen.get() ? Verdict.PASS
            : new Verdict.Wait(DeploymentEvent.WaitKind.WINDOW, "the window of stage production", null);
      }
    });
    Change c = submitted(fixture.change("normal", List.of("shop/web"), "production"), "alice");
    changes.approve(c.key(), "carol", "ok");
    changes.approve(c.key(), "dave", "ok");
    Deployment d = fixture.deploy("shop/web", "production", "alice");

    assertThat(run(d).state()).isEqualTo(DeploymentState.REQUESTED);
    assertThat(waits(d).getLast().waitingFor()).isEqualTo(DeploymentEvent.WaitKind.WINDOW);
    Change held = changes.get(c.key());
    assertThat(held.state()).isEqualTo(ChangeState.AUTHORIZED);
    assertThat(changes.deployments(held)).containsExactly(d.id());

    windowOpen.set(true);
    clock.advance(Duration.ofSeconds(10));
    assertThat(run(d).state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(changes.history(changes.get(c.key()))).filteredOn(e -> e.kind() == ChangeEntry.Kind.TRANSITION)
        .extracting(ChangeEntry::to).containsExactly(ChangeState.NEW, ChangeState.ASSESSED, ChangeState.AUTHORIZED,
            ChangeState.IMPLEMENTING, ChangeState.CLOSED);
  }

  @Test
  void a_rejected_change_fails_the_waiting_deployment_with_the_reason() {
    fixture.configured();
    Deployment d = fixture.deploy("shop/web", "production", "alice");
    run(d);
    Change c = submitted(fixture.change("normal", List.of("shop/web"), "production"), "alice");

    Change rejected = changes.reject(c.key(), "carol", "no back-out tested");
    Deployment failed = run(d);

    assertThat(rejected.state()).isEqualTo(ChangeState.REJECTED);
    assertThat(failed.state()).isEqualTo(DeploymentState.FAILED);
    assertThat(failed.outcome()).contains(c.key()).contains("rejected by carol: no back-out tested");
    assertThat(waits(d)).extracting(DeploymentEvent::waitingFor).containsOnly(DeploymentEvent.WaitKind.CHANGE);
    assertThat(fixture.deployments.events(d.id(), 0).getLast().message()).isEqualTo(failed.outcome());
  }

  @Test
  void a_change_with_an_unknown_service_component_or_environment_or_an_end_before_its_start_is_refused_naming_the_field() {
    fixture.configured();
    Changes.NewChange good = fixture.change("normal", List.of("shop/web"), "production");
    Instant start = good.plannedStart();
    List<Case> cases = List.of(
        new Case("services[0]", "\"nowhere\" does not exist", n -> with(n, List.of("nowhere"), n.components(),
            n.environments(), n.plannedEnd(), n.type(), n.emergencyReason())),
        new Case("components[1]", "\"shop/cart\" does not exist", n -> with(n, n.services(),
            List.of("shop/web", "shop/cart"), n.environments(), n.plannedEnd(), n.type(), n.emergencyReason())),
        new Case("components[0]", "use SERVICE/COMPONENT", n -> with(n, n.services(), List.of("web"), n.environments(),
            n.plannedEnd(), n.type(), n.emergencyReason())),
        new Case("environments[0]", "\"mars\" does not exist", n -> with(n, n.services(), n.components(),
            List.of("mars"), n.plannedEnd(), n.type(), n.emergencyReason())),
        new Case("plannedEnd", "is not after the planned start", n -> with(n, n.services(), n.components(),
            n.environments(), start.minusSeconds(60), n.type(), n.emergencyReason())),
        new Case("components", "name the services or components", n -> with(n, List.of(), List.of(),
            n.environments(), n.plannedEnd(), n.type(), n.emergencyReason())),
        new Case("type", "\"urgent\" is not allowed", n -> with(n, n.services(), n.components(), n.environments(),
            n.plannedEnd(), "urgent", n.emergencyReason())),
        new Case("emergencyReason", "must state why", n -> with(n, n.services(), n.components(), n.environments(),
            n.plannedEnd(), "emergency", null)),
        new Case("type", "standardChanges: true", n -> with(n, n.services(), n.components(), n.environments(),
            n.plannedEnd(), "standard", null)));
    for (Case c : cases) {
      assertThatThrownBy(() -> changes.create(c.edit().apply(good), "alice")).as(c.field())
          .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.findings())
              .anySatisfy(f -> {
                assertThat(f.field()).isEqualTo(c.field());
                assertThat(f.message()).contains(c.message());
              }));
    }
    assertThat(db.count("changes")).isZero();
    assertThat(db.count("change_history")).isZero();
  }

  private record Case(String field, String message, UnaryOperator<Changes.NewChange> edit) {}

  private static Changes.NewChange with(Changes.NewChange n, List<String> services, List<String> components,
      List<String> environments, Instant end, String type, String emergencyReason) {
    return new Changes.NewChange(n.title(), type, n.risk(), n.impact(), n.plannedStart(), end,
        n.implementationPlan(), n.backoutPlan(), n.testPlan(), services, components, environments, emergencyReason,
        n.external());
  }

  @Test
  void approvals_by_someone_without_the_role_by_the_requester_twice_or_on_a_change_not_awaiting_approval_are_refused() {
    fixture.configured();
    Change fresh = changes.create(fixture.change("normal", List.of("shop/web"), "production"), "alice");

    assertThatThrownBy(() -> changes.approve(fresh.key(), "carol", null)).isInstanceOf(ConflictException.class)
        .hasMessageContaining("not awaiting approval (it is new; submit it first)");
    changes.submit(fresh.key(), "alice");
    assertThatThrownBy(() -> changes.approve(fresh.key(), "bob", null)).isInstanceOf(AccessDeniedException.class)
        .hasMessageContaining("needs one of the roles deployment-manager, service-owner")
        .hasMessageContaining("bob holds deployment-practitioner");
    assertThatThrownBy(() -> changes.approve(fresh.key(), "alice", null)).isInstanceOf(AccessDeniedException.class)
        .hasMessageContaining("separation of duties");
    assertThatThrownBy(() -> changes.reject(fresh.key(), "carol", " ")).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("a rejection needs a reason");
    assertThat(db.count("change_approvals")).isZero();
    long entries = db.count("change_history");

    changes.approve(fresh.key(), "carol", null);
    assertThatThrownBy(() -> changes.approve(fresh.key(), "carol", null)).isInstanceOf(ConflictException.class)
        .hasMessageContaining("carol has already decided on " + fresh.key());
    assertThatThrownBy(() -> changes.reject(fresh.key(), "carol", "changed my mind"))
        .isInstanceOf(ConflictException.class);
    changes.approve(fresh.key(), "dave", null);
    assertThatThrownBy(() -> changes.approve(fresh.key(), "erin", null)).isInstanceOf(ConflictException.class)
        .hasMessageContaining("not awaiting approval (it is authorized)");
    assertThatThrownBy(() -> changes.approve("CHG-999", "erin", null))
        .isInstanceOf(io.gantry.shared.NotFoundException.class);
    assertThatThrownBy(() -> changes.approve("change-1", "erin", null)).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("not a change key");

    assertThat(db.count("change_approvals")).isEqualTo(2);
    assertThat(db.count("change_history")).isEqualTo(entries + 3);
  }

  @Test
  void an_approval_request_nobody_decides_expires_after_72_hours_and_fails_the_deployment_waiting_for_it() {
    fixture.configured();
    Deployment d = fixture.deploy("shop/web", "production", "alice");
    Change c = submitted(fixture.change("normal", List.of("shop/web"), "production"), "alice");
    changes.approve(c.key(), "carol", null);

    clock.advance(Duration.ofHours(72).minusSeconds(1));
    assertThat(changes.expireOverdue()).isZero();
    clock.advance(Duration.ofSeconds(1));
    assertThat(changes.expireOverdue()).isOne();

    Change expired = changes.get(c.key());
    assertThat(expired.state()).isEqualTo(ChangeState.REJECTED);
    assertThat(expired.outcome()).startsWith("expired: the approval request").contains("PT72H")
        .contains("1 of 2 approvals");
    assertThat(changes.history(expired).getLast().actor()).isEqualTo("gantry");
    assertThatThrownBy(() -> changes.approve(c.key(), "dave", null)).isInstanceOf(ConflictException.class);
    Deployment failed = run(d);
    assertThat(failed.state()).isEqualTo(DeploymentState.FAILED);
    assertThat(failed.outcome()).contains(c.key()).contains("expired");
  }

  @Test
  void two_servers_expiring_at_once_reject_each_overdue_approval_request_once() throws Exception {
    fixture.configured();
    List<Change> overdue = new java.util.ArrayList<>();
    for (int i = 0; i < 8; i++) {
      overdue.add(submitted(fixture.change("normal", List.of("shop/web"), "production"), "alice"));
    }
    clock.advance(Duration.ofHours(72));
    var start = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.Callable<Integer> expire = () -> {
      start.await();
      return changes.expireOverdue();
    };
    var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
    try {
      var one = pool.submit(expire);
      var two = pool.submit(expire);
      start.countDown();
      assertThat(one.get() + two.get()).as("requests expired by the two together").isEqualTo(overdue.size());
    } finally {
      pool.shutdownNow();
    }
    for (Change c : overdue) {
      assertThat(changes.history(changes.get(c.key())))
          .filteredOn(e -> e.kind() == ChangeEntry.Kind.TRANSITION && e.to() == ChangeState.REJECTED)
          .as("rejections of %s", c.key()).hasSize(1);
    }
  }

  @Test
  void an_authorized_change_stops_covering_deployments_after_its_planned_end() {
    fixture.configured();
    Deployment waiting = fixture.deploy("shop/web", "production", "alice");
    Change c = submitted(fixture.change("normal", List.of("shop/web"), "production"), "alice");
    changes.approve(c.key(), "carol", null);
    changes.approve(c.key(), "dave", null);

    clock.advance(Duration.ofHours(1));
    Deployment failed = run(waiting);
    Deployment later = fixture.deploy("shop/web", "production", "alice");
    run(later);

    assertThat(failed.state()).isEqualTo(DeploymentState.FAILED);
    assertThat(failed.outcome()).contains(c.key()).contains("ended at its planned end");
    assertThat(fixture.deployments.get(later.id()).state()).isEqualTo(DeploymentState.REQUESTED);
    assertThat(waits(later).getLast().message()).contains("none is recorded");
    assertThat(changes.get(c.key()).state()).isEqualTo(ChangeState.AUTHORIZED);
  }

  @Test
  void a_deployment_waits_for_the_planned_start_of_its_authorized_change_and_a_service_wide_change_covers_each_component() {
    fixture.configured();
    Instant start = clock.instant().plus(Duration.ofHours(1));
    Change c = submitted(new Changes.NewChange("shop release", "normal", "low", "low", start,
        start.plus(Duration.ofHours(2)), "deploy", "redeploy", "smoke", List.of("shop"), List.of(),
        List.of("production"), null, null), "alice");
    changes.approve(c.key(), "carol", null);
    changes.approve(c.key(), "dave", null);
    Deployment api = fixture.deploy("shop/api", "production", "alice");
    Deployment web = fixture.deploy("shop/web", "production", "alice");

    run(api);
    assertThat(waits(api).getLast().message()).contains(c.key() + " to start at its planned start " + start);
    clock.set(start);
    engine.runDue();

    assertThat(fixture.deployments.get(api.id()).state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(fixture.deployments.get(web.id()).state()).isEqualTo(DeploymentState.SUCCEEDED);
    Change closed = changes.get(c.key());
    assertThat(changes.deployments(closed)).containsExactlyInAnyOrder(api.id(), web.id());
    assertThat(closed.state()).isEqualTo(ChangeState.CLOSED);
    assertThat(closed.closureCode()).isEqualTo(Change.ClosureCode.SUCCESSFUL);
  }

  @Test
  void a_change_whose_deployment_fails_is_closed_as_failed() {
    fixture.configured("exit 3", "stop");
    Change c = submitted(fixture.change("normal", List.of("shop/web"), "production"), "alice");
    changes.approve(c.key(), "carol", null);
    changes.approve(c.key(), "dave", null);

    Deployment d = run(fixture.deploy("shop/web", "production", "alice"));

    assertThat(d.state()).isEqualTo(DeploymentState.FAILED);
    Change closed = changes.get(c.key());
    assertThat(closed.state()).isEqualTo(ChangeState.CLOSED);
    assertThat(closed.closureCode()).isEqualTo(Change.ClosureCode.FAILED);
    assertThat(closed.outcome()).contains("deployment #" + d.id() + " failed");
  }

  @Test
  void a_standard_change_is_authorized_at_once_where_the_stage_allows_it_and_refused_where_it_does_not() {
    fixture.configured();

    Change standard = changes.create(fixture.change("standard", List.of("shop/web"), "qa"), "bob");

    assertThat(standard.state()).isEqualTo(ChangeState.AUTHORIZED);
    assertThat(standard.rules()).isEmpty();
    assertThat(changes.history(standard).getLast().reason())
        .contains("pre-authorized by model software stage qa");
    assertThatThrownBy(() -> changes.create(fixture.change("standard", List.of("shop/web"), "production"), "bob"))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.findings())
            .extracting(Finding::field).containsExactly("type"))
        .hasMessageContaining("not allowed by model software stage production");
    assertThat(db.count("changes")).isOne();
  }

  @Test
  void an_emergency_change_needs_one_deployment_manager_covers_its_deployment_and_is_listed_until_reviewed() {
    fixture.configured();
    Change c = submitted(fixture.change("emergency", List.of("shop/web"), "production"), "alice");
    assertThat(c.rules()).containsExactly(new ApprovalRule(List.of("deployment-manager"), 1, true));
    assertThatThrownBy(() -> changes.approve(c.key(), "dave", null)).isInstanceOf(AccessDeniedException.class);

    assertThat(changes.approve(c.key(), "carol", "go").state()).isEqualTo(ChangeState.AUTHORIZED);
    Deployment d = fixture.deploy("shop/web", "production", "alice");
    assertThat(changes.emergencyCovering(d)).contains(new Changes.EmergencyCover(c.key(), "orders fail since 09:12"));
    assertThat(changes.emergencyCovering(fixture.deploy("shop/api", "production", "alice"))).isEmpty();
    assertThatThrownBy(() -> changes.review(c.key(), "carol", "fine", null)).isInstanceOf(ConflictException.class)
        .hasMessageContaining("reviewed after it closes");

    assertThat(run(d).state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(changes.get(c.key()).state()).isEqualTo(ChangeState.CLOSED);
    assertThat(changes.emergenciesWithoutReview()).extracting(Change::key).containsExactly(c.key());
    var audit = new ChangeAuditFindings(changes);
    var period = new io.gantry.metrics.Period(c.requestedAt().minusSeconds(60), c.requestedAt().plusSeconds(60));
    assertThat(audit.findings(period, io.gantry.metrics.MetricsFilter.NONE)).singleElement()
        .satisfies(a -> assertThat(a.subject()).isEqualTo("change " + c.key()));
    assertThat(audit.findings(period, new io.gantry.metrics.MetricsFilter(null, "test", null, null))).isEmpty();
    assertThatThrownBy(() -> changes.review(c.key(), "carol", "", null)).isInstanceOf(InvalidInputException.class);

    Review review = changes.review(c.key(), "carol", "root cause: expired certificate", "monitor expiry");

    assertThat(review.reviewer()).isEqualTo("carol");
    assertThat(changes.emergenciesWithoutReview()).isEmpty();
    assertThat(audit.findings(period, io.gantry.metrics.MetricsFilter.NONE)).isEmpty();
    assertThat(changes.review(changes.get(c.key()))).contains(review);
    assertThatThrownBy(() -> changes.review(c.key(), "carol", "again", null)).isInstanceOf(ConflictException.class);
  }

  @Test
  void a_stage_with_authorization_approval_gets_one_change_per_deployment_and_runs_once_it_is_approved() {
    fixture.configured();
    Deployment d = fixture.deploy("shop/web", "preprod", "bob");

    run(d);
    clock.advance(Duration.ofSeconds(5));
    run(d);

    assertThat(db.count("changes")).isOne();
    Change c = changes.list(null, null, "preprod", null, null, io.gantry.shared.PageRequest.all()).items().getFirst();
    assertThat(c.forDeployment()).isEqualTo(d.id());
    assertThat(c.state()).isEqualTo(ChangeState.ASSESSED);
    assertThat(c.requestedBy()).isEqualTo("bob");
    assertThat(waits(d)).extracting(DeploymentEvent::waitingFor).containsOnly(DeploymentEvent.WaitKind.APPROVAL);
    assertThat(waits(d).getLast().message()).contains("approval of change " + c.key() + ": 0 of 1 approvals");
    assertThatThrownBy(() -> changes.approve(c.key(), "bob", null)).isInstanceOf(AccessDeniedException.class);

    changes.approve(c.key(), "carol", null);

    assertThat(run(d).state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(changes.get(c.key()).closureCode()).isEqualTo(Change.ClosureCode.SUCCESSFUL);

    Deployment other = fixture.deploy("shop/api", "preprod", "bob");
    run(other);
    Change second = changes.list(null, null, "preprod", null, null, io.gantry.shared.PageRequest.all()).items()
        .getFirst();
    changes.reject(second.key(), "erin", "freeze week");
    Deployment failed = run(other);
    assertThat(failed.state()).isEqualTo(DeploymentState.FAILED);
    assertThat(failed.outcome()).contains(second.key()).contains("rejected by erin: freeze week");
  }

  @Test
  void the_change_of_a_deployment_cancelled_while_a_later_gate_held_it_is_cancelled_as_authorized_but_never_implemented() {
    fixture.configured();
    fixture.gates.add(new io.gantry.deployment.DeploymentGate() {
      @Override
      public Verdict check(Deployment d, io.gantry.model.Stage stage, Instant now) {
        return new Verdict.Wait(DeploymentEvent.WaitKind.WINDOW, "the window of stage preprod", null);
      }
    });
    Deployment d = fixture.deploy("shop/web", "preprod", "bob");
    run(d);
    Change c = changes.list(null, null, "preprod", null, null, io.gantry.shared.PageRequest.all()).items().getFirst();
    changes.approve(c.key(), "carol", null);
    clock.advance(Duration.ofSeconds(5));
    assertThat(run(d).state()).isEqualTo(DeploymentState.REQUESTED);
    assertThat(changes.get(c.key()).state()).isEqualTo(ChangeState.AUTHORIZED);

    fixture.requests.cancel(d.id(), "moved to next week", "bob");

    Change after = changes.get(c.key());
    assertThat(after.state()).isEqualTo(ChangeState.CANCELLED);
    assertThat(changes.history(after).getLast().reason()).isEqualTo("cancelled: deployment #" + d.id()
        + " ended cancelled before it started: the change was authorized but never implemented");
  }

  @Test
  void a_cancelled_change_needs_a_reason_and_no_longer_lets_deployments_run() {
    fixture.configured();
    Change c = submitted(fixture.change("normal", List.of("shop/web"), "production"), "alice");
    changes.approve(c.key(), "carol", null);
    changes.approve(c.key(), "dave", null);

    assertThatThrownBy(() -> changes.cancel(c.key(), "alice", null)).isInstanceOf(InvalidInputException.class);
    assertThat(changes.get(c.key()).state()).isEqualTo(ChangeState.AUTHORIZED);
    changes.cancel(c.key(), "alice", "release moved");
    Deployment d = run(fixture.deploy("shop/web", "production", "alice"));

    assertThat(d.state()).isEqualTo(DeploymentState.REQUESTED);
    assertThat(changes.get(c.key()).outcome()).isEqualTo("cancelled by alice: release moved");
    assertThatThrownBy(() -> changes.cancel(c.key(), "alice", "again")).isInstanceOf(ConflictException.class);
  }
}
