package io.gantry.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.catalog.ComponentRef;
import io.gantry.catalog.Library;
import io.gantry.identity.Access;
import io.gantry.identity.Actor;
import io.gantry.identity.Role;
import io.gantry.model.Models;
import io.gantry.testing.MutableClock;
import io.gantry.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Clock;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a deployment waits for from people, read ahead for the console: offered to those whose roles the
 * decision will accept, and not to the others, on H2 (the same queries run on both databases through the
 * deployment pages' browser test and the contract tests of the decisions themselves).
 */
class AwaitedActionsTest {

  private final MutableClock clock = new MutableClock(Clock.systemUTC().instant());
  private EngineFixture fixture;
  private AwaitedActions awaited;
  private Engine engine;

  @TempDir
  Path home;

  @BeforeEach
  void setUp() {
    TestDatabase.Instance db = TestDatabase.H2.create();
    fixture = new EngineFixture(db, clock, home);
    engine = fixture.engine();
    fixture.apply(PeopleStepsContractTest.CONFIG);
    fixture.users.create("bob", null, EnumSet.of(Role.DEPLOYMENT_PRACTITIONER), Actor.GANTRY);
    fixture.users.create("carol", null, EnumSet.of(Role.DEPLOYMENT_MANAGER), Actor.GANTRY);
    fixture.users.create("dave", null, EnumSet.of(Role.DEPLOYMENT_MANAGER), Actor.GANTRY);
    fixture.library.push(new Library.Push(new ComponentRef("net", "router"), "1", Map.of("serialNumber", "FTX1"),
        List.of(), List.of()), "alice");
    awaited = new AwaitedActions(fixture.deployments, new Models(db.jdbc(), clock),
        new Access(fixture.users, db.jdbc()), db.jdbc());
  }

  @Test
  void a_manual_step_is_offered_to_a_holder_of_its_role_with_its_checklist_and_to_no_one_else() {
    Deployment d = fixture.requests.request(new DeploymentRequests.Request("net/router", "1", "site", null,
        "new router"), "dave");
    engine.runDue();
    d = fixture.deployments.get(d.id());

    assertThat(awaited.of(d, "bob")).singleElement().satisfies(a -> {
      assertThat(a.kind()).isEqualTo(AwaitedActions.Kind.SIGNOFF);
      assertThat(a.target()).isEqualTo("rack-b4");
      assertThat(a.step()).isEqualTo("verify-site");
      assertThat(a.checklist()).containsExactly("Power", "Cooling");
      assertThat(a.allowed()).isTrue();
    });
    assertThat(awaited.of(d, "carol")).singleElement().satisfies(a -> {
      assertThat(a.allowed()).isFalse();
      assertThat(a.refusal()).contains("deployment-practitioner");
    });
    assertThat(awaited.workOf("bob")).extracting(w -> w.deployment().id()).containsExactly(d.id());
    assertThat(awaited.workOf("carol")).isEmpty();
    assertThat(awaited.mayAbort(d, "carol")).isTrue();
    assertThat(awaited.mayCancel(d, "carol")).as("it executes: too late to cancel").isFalse();
  }

  @Test
  void an_approval_is_not_offered_to_the_requester_nor_twice_to_one_who_decided() {
    Deployment d = fixture.requests.request(new DeploymentRequests.Request("net/router", "1", "site", null,
        "new router"), "dave");
    engine.runDue();
    fixture.decisions.decide(d.id(), new DeploymentDecisions.Request("rack-b4", "verify-site", "signoff", "done",
        List.of("Power", "Cooling")), "bob");
    engine.runDue();
    Deployment waiting = fixture.deployments.get(d.id());

    assertThat(awaited.of(waiting, "carol")).singleElement().satisfies(a -> {
      assertThat(a.kind()).isEqualTo(AwaitedActions.Kind.APPROVAL);
      assertThat(a.allowed()).isTrue();
    });
    assertThat(awaited.of(waiting, "dave")).singleElement().satisfies(a -> {
      assertThat(a.allowed()).isFalse();
      assertThat(a.refusal()).contains("requester");
    });
    assertThat(awaited.workOf("dave")).isEmpty();
    assertThat(awaited.workOf("carol")).hasSize(1);
  }
}
