package io.gantry.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.catalog.ComponentRef;
import io.gantry.catalog.Library;
import io.gantry.identity.Actor;
import io.gantry.identity.Role;
import io.gantry.identity.Users;
import io.gantry.shared.ConflictException;
import io.gantry.shared.InvalidInputException;
import io.gantry.testing.MutableClock;
import io.gantry.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.security.access.AccessDeniedException;

/** Manual steps signed off against their checklist, and approval steps decided by people, on both databases. */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
class PeopleStepsContractTest {

  private final TestDatabase database;
  private TestDatabase.Instance db;
  private Deployments deployments;
  private DeploymentRequests requests;
  private DeploymentDecisions decisions;
  private Engine engine;
  private final MutableClock clock = new MutableClock(Clock.systemUTC().instant());
  private EngineFixture fixture;

  @TempDir
  Path home;

  PeopleStepsContractTest(TestDatabase database) {
    this.database = database;
  }

  static final String CONFIG = """
      apiVersion: gantry.io/v1
      kind: Environment
      metadata: {name: site}
      spec: {purpose: production, owner: infra}
      ---
      apiVersion: gantry.io/v1
      kind: Target
      metadata: {name: rack-b4}
      spec: {environment: site, kind: site, location: "DC1 rack B4"}
      ---
      apiVersion: gantry.io/v1
      kind: Service
      metadata: {name: net}
      spec: {owner: infra}
      ---
      apiVersion: gantry.io/v1
      kind: Component
      metadata: {name: router}
      spec: {service: net, type: hardware, requiredAttributes: [serialNumber]}
      ---
      apiVersion: gantry.io/v1
      kind: DeploymentModel
      metadata: {name: hardware}
      spec:
        appliesTo: {componentTypes: [hardware]}
        stages:
          - name: install
            environment: site
            steps:
              - name: verify-site
                type: manual
                instructions: Verify the site
                checklist: [Power, Cooling]
                role: deployment-practitioner
              - {name: go-ahead, type: approval, role: deployment-manager, count: 1}
      """;

  @BeforeEach
  void setUp() {
    db = database.create();
    fixture = new EngineFixture(db, clock, home);
    Library library = fixture.library;
    Users users = fixture.users;
    deployments = fixture.deployments;
    requests = fixture.requests;
    decisions = fixture.decisions;
    engine = fixture.engine();
    fixture.apply(CONFIG);
    users.create("bob", null, EnumSet.of(Role.DEPLOYMENT_PRACTITIONER), Actor.GANTRY);
    users.create("carol", null, EnumSet.of(Role.DEPLOYMENT_MANAGER), Actor.GANTRY);
    users.create("dave", null, EnumSet.of(Role.DEPLOYMENT_MANAGER), Actor.GANTRY);
    library.push(new Library.Push(new ComponentRef("net", "router"), "1", Map.of("serialNumber", "FTX1"), List.of(),
        List.of()), "alice");
  }

  @Test
  void a_requirement_that_cannot_be_checked_on_a_site_fails_environment_verification_instead_of_passing_unchecked() {
    fixture.apply(CONFIG.replace("  appliesTo: {componentTypes: [hardware]}\n",
        "  appliesTo: {componentTypes: [hardware]}\n  targetRequirements: [{type: free-disk, minimumMb: 100}]\n"));

    Deployment d = requests.request(new DeploymentRequests.Request("net/router", "1", "site", null, "new router"),
        "alice");
    engine.runDue();
    d = deployments.get(d.id());

    assertThat(d.state()).isEqualTo(DeploymentState.FAILED);
    assertThat(d.outcome()).startsWith("environment verification: target rack-b4:")
        .contains("the model requires free disk space, which cannot be checked on a site");
  }

  @Test
  void a_manual_step_that_requires_evidence_is_signed_off_only_once_a_file_is_attached_and_the_file_is_kept()
      throws Exception {
    fixture.apply(CONFIG.replace("checklist: [Power, Cooling]", "checklist: [Power, Cooling]\n"
        + " ".repeat(10) + "evidenceRequired: true"));
    Deployment d = requests.request(new DeploymentRequests.Request("net/router", "1", "site", null, "new router"),
        "dave");
    engine.runDue();
    assertThat(deployments.events(d.id(), 0)).filteredOn(e -> e.kind() == DeploymentEvent.Kind.WAIT)
        .extracting(DeploymentEvent::waitingFor).containsExactly(DeploymentEvent.WaitKind.MANUAL);
    var signoff = new DeploymentDecisions.Request("rack-b4", "verify-site", "signoff", "done",
        List.of("Power", "Cooling"));

    assertThatThrownBy(() -> decisions.decide(d.id(), signoff, "bob")).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("requires evidence");
    assertThatThrownBy(() -> decisions.attach(d.id(), "rack-b4", "go-ahead", "photo.jpg",
        new java.io.ByteArrayInputStream(new byte[] {1}), "bob")).isInstanceOf(ConflictException.class);
    assertThatThrownBy(() -> decisions.attach(d.id(), "rack-b4", "verify-site", "photo.jpg",
        new java.io.ByteArrayInputStream(new byte[] {1}), "carol")).isInstanceOf(AccessDeniedException.class);
    assertThatThrownBy(() -> decisions.attach(d.id(), "rack-b4", "verify-site", "../photo.jpg",
        new java.io.ByteArrayInputStream(new byte[] {1}), "bob")).isInstanceOf(InvalidInputException.class);
    assertThat(deployments.evidence(d.id())).isEmpty();

    byte[] photo = "a photo of the rack".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    Evidence e = decisions.attach(d.id(), "rack-b4", "verify-site", "rack-b4.jpg", new java.io.ByteArrayInputStream(
        photo), "bob");
    decisions.decide(d.id(), signoff, "bob");
    engine.runDue();

    assertThat(e.size()).isEqualTo(photo.length);
    assertThat(deployments.evidence(d.id())).extracting(Evidence::fileName, Evidence::uploadedBy)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("rack-b4.jpg", "bob"));
    try (var in = decisions.open(e)) {
      assertThat(in.readAllBytes()).isEqualTo(photo);
    }
    assertThat(deployments.events(d.id(), 0)).anySatisfy(x -> assertThat(x.message())
        .startsWith("evidence attached: rack-b4.jpg"));
    assertThat(deployments.events(d.id(), 0)).filteredOn(x -> x.kind() == DeploymentEvent.Kind.WAIT)
        .extracting(DeploymentEvent::waitingFor).containsExactly(DeploymentEvent.WaitKind.MANUAL,
            DeploymentEvent.WaitKind.APPROVAL);
  }

  private void runLater() {
    clock.advance(Duration.ofSeconds(10));
    engine.runDue();
  }

  @Test
  void a_manual_step_waits_until_signed_off_with_every_item_ticked_then_an_approval_lets_it_finish() {
    Deployment d = requests.request(new DeploymentRequests.Request("net/router", "1", "site", null, "new router"),
        "dave");
    engine.runDue();
    assertThat(deployments.get(d.id()).state()).isEqualTo(DeploymentState.EXECUTING);
    long events = deployments.events(d.id(), 0).size();
    runLater();
    assertThat(deployments.events(d.id(), 0)).as("waiting adds nothing to the record").hasSize((int) events);
    assertThat(deployments.events(d.id(), 0)).anySatisfy(e -> {
      assertThat(e.kind()).isEqualTo(DeploymentEvent.Kind.WAIT);
      assertThat(e.message()).contains("verify-site on rack-b4").contains("Power");
    });

    assertThatThrownBy(() -> decisions.decide(d.id(), new DeploymentDecisions.Request("rack-b4", "verify-site",
        "signoff", "done", List.of("Power")), "bob")).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("not ticked: Cooling");
    assertThatThrownBy(() -> decisions.decide(d.id(), new DeploymentDecisions.Request("rack-b4", "verify-site",
        "signoff", "done", List.of("Power", "Cooling")), "carol")).isInstanceOf(AccessDeniedException.class)
        .hasMessageContaining("deployment-practitioner");
    assertThatThrownBy(() -> decisions.decide(d.id(), new DeploymentDecisions.Request("rack-b4", "go-ahead",
        "approve", "ok", List.of()), "carol")).isInstanceOf(ConflictException.class)
        .hasMessageContaining("not waiting for step go-ahead");

    decisions.decide(d.id(), new DeploymentDecisions.Request("rack-b4", "verify-site", "signoff",
        "site checked with the facilities team", List.of("Power", "Cooling")), "bob");
    engine.runDue();
    assertThat(deployments.events(d.id(), 0)).anySatisfy(e -> assertThat(e.message())
        .contains("signed off by bob"));

    assertThatThrownBy(() -> decisions.decide(d.id(), new DeploymentDecisions.Request("rack-b4", "go-ahead",
        "approve", "mine", List.of()), "dave")).isInstanceOf(AccessDeniedException.class)
        .hasMessageContaining("requester");
    assertThatThrownBy(() -> decisions.decide(d.id(), new DeploymentDecisions.Request("rack-b4", "go-ahead",
        "approve", "ok", List.of()), "bob")).isInstanceOf(AccessDeniedException.class);
    decisions.decide(d.id(), new DeploymentDecisions.Request("rack-b4", "go-ahead", "approve", "go", List.of()),
        "carol");
    engine.runDue();

    Deployment done = deployments.get(d.id());
    assertThat(done.state()).as(done.outcome()).isEqualTo(DeploymentState.SUCCEEDED);
  }

  @Test
  void a_manual_step_that_names_no_role_is_signed_off_by_the_stages_approvers_never_by_an_auditor_or_supplier() {
    fixture.apply(CONFIG.replace("role: deployment-practitioner\n", "evidenceRequired: false\n")
        .replace("environment: site\n", "environment: site\n      approvers: {roles: [service-owner]}\n"));
    fixture.users.create("audrey", null, EnumSet.of(Role.AUDITOR), Actor.GANTRY);
    fixture.users.create("sam", null, EnumSet.of(Role.SUPPLIER), Actor.GANTRY);
    fixture.users.create("olga", null, EnumSet.of(Role.SERVICE_OWNER), Actor.GANTRY);
    Deployment d = requests.request(new DeploymentRequests.Request("net/router", "1", "site", null, "new router"),
        "dave");
    engine.runDue();
    DeploymentDecisions.Request signOff = new DeploymentDecisions.Request("rack-b4", "verify-site", "signoff", "done",
        List.of("Power", "Cooling"));

    for (String stranger : List.of("audrey", "sam", "bob")) {
      assertThatThrownBy(() -> decisions.decide(d.id(), signOff, stranger)).as(stranger)
          .isInstanceOf(AccessDeniedException.class).hasMessageContaining("service-owner");
    }
    decisions.decide(d.id(), signOff, "olga");
    engine.runDue();
    assertThat(deployments.events(d.id(), 0)).anySatisfy(e -> assertThat(e.message()).contains("signed off by olga"));
  }

  @Test
  void without_a_role_or_stage_approvers_a_manual_step_is_signed_off_by_those_who_run_deployments() {
    fixture.apply(CONFIG.replace("role: deployment-practitioner\n", "evidenceRequired: false\n"));
    fixture.users.create("audrey", null, EnumSet.of(Role.AUDITOR), Actor.GANTRY);
    fixture.users.create("desk", null, EnumSet.of(Role.SERVICE_DESK), Actor.GANTRY);
    Deployment d = requests.request(new DeploymentRequests.Request("net/router", "1", "site", null, "new router"),
        "dave");
    engine.runDue();
    DeploymentDecisions.Request signOff = new DeploymentDecisions.Request("rack-b4", "verify-site", "signoff", "done",
        List.of("Power", "Cooling"));

    for (String stranger : List.of("audrey", "desk")) {
      assertThatThrownBy(() -> decisions.decide(d.id(), signOff, stranger)).as(stranger)
          .isInstanceOf(AccessDeniedException.class)
          .hasMessageContaining("deployment-manager").hasMessageContaining("deployment-practitioner");
    }
    decisions.decide(d.id(), signOff, "bob");
  }

  @Test
  void a_rejected_approval_fails_the_deployment_with_who_rejected_it_and_why() {
    Deployment d = requests.request(new DeploymentRequests.Request("net/router", "1", "site", null, null), "dave");
    engine.runDue();
    decisions.decide(d.id(), new DeploymentDecisions.Request("rack-b4", "verify-site", "signoff", "ok",
        List.of("Power", "Cooling")), "bob");
    engine.runDue();
    decisions.decide(d.id(), new DeploymentDecisions.Request("rack-b4", "go-ahead", "reject",
        "the UPS is being replaced this week", List.of()), "carol");
    engine.runDue();

    Deployment done = deployments.get(d.id());
    assertThat(done.state()).isEqualTo(DeploymentState.FAILED);
    assertThat(done.outcome()).contains("rejected by carol: the UPS is being replaced this week");
  }
}
