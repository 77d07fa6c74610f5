package io.gantry.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.catalog.ComponentRef;
import io.gantry.catalog.Library;
import io.gantry.identity.Actor;
import io.gantry.identity.Role;
import io.gantry.shared.ConflictException;
import io.gantry.shared.InvalidInputException;
import io.gantry.testing.MutableClock;
import io.gantry.testing.TestDatabase;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.security.access.AccessDeniedException;

/**
 * Deployment verification by a person: a stage's {@code acceptance} holds a manual step in which someone confirms
 * the service works, with a checklist and evidence, after the steps changed the target and before the deployment
 * succeeds; a person who finds it does not work rejects it, and the failure policy rolls the target back.
 */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
class ManualAcceptanceContractTest {

  static final String CONFIG = """
      apiVersion: gantry.io/v1
      kind: Environment
      metadata: {name: staging}
      spec: {purpose: test, owner: qa-team}
      ---
      apiVersion: gantry.io/v1
      kind: Target
      metadata: {name: s1}
      spec: {environment: staging, kind: local, path: s1}
      ---
      apiVersion: gantry.io/v1
      kind: Service
      metadata: {name: shop}
      spec: {owner: team-shop}
      ---
      apiVersion: gantry.io/v1
      kind: Component
      metadata: {name: web}
      spec: {service: shop, type: software}
      ---
      apiVersion: gantry.io/v1
      kind: DeploymentModel
      metadata: {name: software}
      spec:
        appliesTo: {componentTypes: [software]}
        stages:
          - name: staging
            environment: staging
            steps:
              - {name: install, type: artifact.install, destination: releases}
            acceptance:
              - name: service-works
                type: manual
                instructions: Open the shop, buy one item and check the receipt
                checklist: [checkout works, receipt mailed]
                evidenceRequired: true
                role: deployment-practitioner
            failurePolicy: {action: rollback}
      """;

  private final TestDatabase database;
  private final MutableClock clock = new MutableClock(Clock.systemUTC().instant());
  private EngineFixture fixture;
  private Engine engine;

  @TempDir
  Path home;

  ManualAcceptanceContractTest(TestDatabase database) {
    this.database = database;
  }

  @BeforeEach
  void setUp() {
    fixture = new EngineFixture(database.create(), clock, home);
    engine = fixture.engine();
    fixture.apply(CONFIG);
    fixture.users.create("quinn", null, EnumSet.of(Role.DEPLOYMENT_PRACTITIONER), Actor.GANTRY);
    fixture.users.create("rita", null, EnumSet.of(Role.DEPLOYMENT_PRACTITIONER), Actor.GANTRY);
    fixture.users.create("sam", null, EnumSet.of(Role.SERVICE_OWNER), Actor.GANTRY);
    for (String version : List.of("1.0.0", "2.0.0")) {
      fixture.library.push(new Library.Push(new ComponentRef("shop", "web"), version, Map.of(), List.of(
          new Library.Upload("VERSION", () -> new ByteArrayInputStream(version.getBytes(StandardCharsets.UTF_8)))),
          List.of()), "alice");
    }
  }

  private Deployment deploy(String version) {
    Deployment d = fixture.requests.request(new DeploymentRequests.Request("shop/web", version, "staging", null, null),
        "bob");
    engine.runDue();
    return fixture.deployments.get(d.id());
  }

  private DeploymentDecisions.Request signoff(List<String> ticked) {
    return new DeploymentDecisions.Request("s1", "service-works", "signoff", "bought a mug, receipt came", ticked);
  }

  private void attach(Deployment d, String actor) {
    fixture.decisions.attach(d.id(), "s1", "service-works", "receipt.png",
        new ByteArrayInputStream("a receipt".getBytes(StandardCharsets.UTF_8)), actor);
  }

  private String current() throws Exception {
    return Files.readSymbolicLink(home.resolve("targets/s1/shop.web/current")).getFileName().toString();
  }

  private void accept(Deployment d) {
    attach(d, "quinn");
    fixture.decisions.decide(d.id(), signoff(List.of("checkout works", "receipt mailed")), "quinn");
    engine.runDue();
  }

  @Test
  void a_deployment_succeeds_only_once_a_person_confirmed_the_service_works_with_every_item_and_evidence()
      throws Exception {
    Deployment d = deploy("1.0.0");

    assertThat(d.state()).as("deployment verification").isEqualTo(DeploymentState.VERIFYING);
    assertThat(current()).as("the steps ran before the person is asked").isEqualTo("1.0.0");
    assertThat(fixture.deployments.events(d.id(), 0)).filteredOn(e -> e.kind() == DeploymentEvent.Kind.WAIT)
        .singleElement().satisfies(e -> {
          assertThat(e.waitingFor()).isEqualTo(DeploymentEvent.WaitKind.MANUAL);
          assertThat(e.message()).contains("service-works on s1").contains("Open the shop")
              .contains("checkout works; receipt mailed").contains("attach evidence");
        });
    assertThatThrownBy(() -> fixture.decisions.decide(d.id(), signoff(List.of("checkout works", "receipt mailed")),
        "quinn")).isInstanceOf(InvalidInputException.class).hasMessageContaining("requires evidence");
    attach(d, "quinn");
    assertThatThrownBy(() -> fixture.decisions.decide(d.id(), signoff(List.of("checkout works")), "quinn"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("not ticked: receipt mailed");
    assertThatThrownBy(() -> fixture.decisions.decide(d.id(), signoff(List.of("checkout works", "receipt mailed")),
        "sam")).as("a service owner holds no deployment-practitioner role").isInstanceOf(AccessDeniedException.class);

    fixture.decisions.decide(d.id(), signoff(List.of("checkout works", "receipt mailed")), "quinn");
    assertThatThrownBy(() -> fixture.decisions.decide(d.id(), new DeploymentDecisions.Request("s1", "service-works",
        "reject", "too late", List.of()), "rita")).as("the first decision ends the step")
        .isInstanceOf(ConflictException.class).hasMessageContaining("already signed off by quinn");
    engine.runDue();

    Deployment done = fixture.deployments.get(d.id());
    assertThat(done.state()).as(done.outcome()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(fixture.deployments.evidence(d.id())).extracting(Evidence::fileName, Evidence::uploadedBy)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("receipt.png", "quinn"));
    assertThat(fixture.deployments.events(d.id(), 0)).extracting(DeploymentEvent::message)
        .anySatisfy(m -> assertThat(m).startsWith("evidence attached: receipt.png"))
        .anySatisfy(m -> assertThat(m).contains("signed off by quinn: bought a mug, receipt came"));
    assertThat(fixture.deployments.decisions(d.id(), "s1", "service-works")).singleElement()
        .satisfies(x -> assertThat(x.checklist()).containsExactly("checkout works", "receipt mailed"));
  }

  @Test
  void a_person_who_finds_the_service_broken_rejects_it_and_the_failure_policy_rolls_the_target_back()
      throws Exception {
    accept(deploy("1.0.0"));
    Deployment d = deploy("2.0.0");
    assertThat(current()).isEqualTo("2.0.0");

    assertThatThrownBy(() -> fixture.decisions.decide(d.id(), new DeploymentDecisions.Request("s1", "service-works",
        "reject", "checkout answers 500", List.of("checkout works")), "quinn"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("a rejection ticks no checklist items");
    assertThatThrownBy(() -> fixture.decisions.decide(d.id(), new DeploymentDecisions.Request("s1", "service-works",
        "approve", "fine", List.of()), "quinn")).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("sign it off, or reject it");
    assertThatThrownBy(() -> fixture.decisions.decide(d.id(), new DeploymentDecisions.Request("s1", "service-works",
        "reject", "checkout answers 500", List.of()), "sam")).isInstanceOf(AccessDeniedException.class);
    fixture.decisions.decide(d.id(), new DeploymentDecisions.Request("s1", "service-works", "reject",
        "checkout answers 500", List.of()), "quinn");
    engine.runDue();

    Deployment done = fixture.deployments.get(d.id());
    assertThat(done.state()).as(done.outcome()).isEqualTo(DeploymentState.ROLLED_BACK);
    assertThat(fixture.deployments.events(d.id(), 0)).extracting(DeploymentEvent::message)
        .anySatisfy(m -> assertThat(m).contains("rejected by quinn: checkout answers 500"));
    assertThat(current()).as("the version before runs again").isEqualTo("1.0.0");
  }
}
