package io.gantry.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import io.gantry.capability.AssessmentPeriod;
import io.gantry.capability.Criterion;
import io.gantry.capability.Evidence;
import io.gantry.capability.Judgement;
import io.gantry.catalog.ComponentDefinition;
import io.gantry.catalog.ComponentType;
import io.gantry.catalog.Components;
import io.gantry.catalog.ServiceDefinition;
import io.gantry.catalog.Services;
import io.gantry.identity.Actor;
import io.gantry.identity.Role;
import io.gantry.identity.Users;
import io.gantry.model.ModelAgreements.Decision;
import io.gantry.shared.ConflictException;
import io.gantry.shared.InvalidInputException;
import io.gantry.shared.NotFoundException;
import io.gantry.shared.PageRequest;
import io.gantry.testing.MutableClock;
import io.gantry.testing.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.security.access.AccessDeniedException;

/**
 * A model's owner and reviewers agree its new versions before they come into force, and the people a version
 * concerns are told when it does, against H2 and PostgreSQL alike.
 */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
class ModelAgreementContractTest {

  private final TestDatabase database;
  private final MutableClock clock = MutableClock.at("2026-11-26T10:00:00Z");
  private Models models;
  private ModelAgreements agreements;
  private ModelNotices notices;

  ModelAgreementContractTest(TestDatabase database) {
    this.database = database;
  }

  @BeforeEach
  void setUp() {
    TestDatabase.Instance db = database.create();
    Users users = new Users(db.jdbc(), clock);
    for (String name : List.of("alice", "bob", "carol", "dave", "erin", "sam")) {
      users.create(name, null, Set.of(Role.DEPLOYMENT_PRACTITIONER), Actor.named("admin"));
    }
    users.create("frank", null, Set.of(Role.AUDITOR), Actor.named("admin"));
    new Services(db.jdbc(), clock).create(new ServiceDefinition("shop", null, "sam", Map.of()));
    new Services(db.jdbc(), clock).create(new ServiceDefinition("stock", null, "nobody-by-that-name", Map.of()));
    Components components = new Components(db.jdbc(), clock);
    components.create(new ComponentDefinition("shop", "web", ComponentType.SOFTWARE, null, null, null, null, null));
    components.create(new ComponentDefinition("stock", "db", ComponentType.DATA, null, null, null, null, null));
    notices = new ModelNotices(db.jdbc(), clock);
    models = new Models(db.jdbc(), clock, notices);
    agreements = new ModelAgreements(models, db.jdbc(), db.transactions(), clock);
  }

  /** The software model, owned by alice with bob reviewing, erin and the auditors as stakeholders. */
  static ModelDefinition software(String command, String owner, List<String> reviewers) {
    ModelDefinition base = ModelsContractTest.model("deployment-manager", Stage.Strategy.Type.ROLLING);
    var stage = base.spec().stages().getFirst();
    var step = new Step.Shell("restart", new TimeSpan("30s"), true, List.of(), command, null, Map.of(), 0);
    var changed = new Stage(stage.name(), stage.environment(), stage.authorization(), stage.approvers(),
        stage.windows(), stage.strategy(), stage.entryCriteria(), List.of(step), stage.acceptance(),
        stage.exitCriteria(), stage.failurePolicy(), stage.notifications(), stage.removeSteps());
    return new ModelDefinition("software", "In-house software", Map.of(), new DeploymentModelSpec(
        base.spec().appliesTo(), null, null, List.of(changed), base.spec().triggers(), owner, reviewers,
        owner == null ? List.of() : List.of("user:erin", "role:auditor")));
  }

  private ModelVersion propose(String command, String author) {
    DeploymentModel current = models.get("software");
    models.update(software(command, "alice", List.of("bob")), current.rowVersion(), author, "restart faster");
    return models.proposal("software").orElseThrow();
  }

  @Test
  void a_new_version_of_an_owned_model_is_only_proposed_until_the_owner_and_every_reviewer_have_agreed() {
    Instant created = clock.instant();
    models.create(software("restart v1", "alice", List.of("bob")), "carol", "first");
    clock.advance(Duration.ofHours(1));

    ModelVersion v2 = propose("restart v2", "carol");

    assertThat(v2.number()).isEqualTo(2);
    assertThat(v2.state()).isEqualTo(ModelVersionState.PROPOSED);
    assertThat(v2.signers()).containsExactly("alice", "bob");
    assertThat(v2.inForceAt()).isNull();
    assertThat(models.get("software").currentVersion()).isEqualTo(1);
    assertThat(models.get("software").definition().spec().stages().getFirst().steps().getFirst())
        .isInstanceOfSatisfying(Step.Shell.class, s -> assertThat(s.command()).isEqualTo("restart v1"));

    clock.advance(Duration.ofMinutes(10));
    assertThat(agreements.decide("software", 2, "alice", Decision.AGREE, "reads well").state())
        .isEqualTo(ModelVersionState.PROPOSED);
    assertThat(models.get("software").currentVersion()).isEqualTo(1);

    clock.advance(Duration.ofMinutes(10));
    Instant agreed = clock.instant();
    ModelVersion after = agreements.decide("software", 2, "bob", Decision.AGREE, "tested on staging");

    assertThat(after.state()).isEqualTo(ModelVersionState.IN_FORCE);
    assertThat(after.inForceAt()).isEqualTo(agreed);
    assertThat(after.inForceNote()).isEqualTo("in force: agreed by alice, bob");
    assertThat(models.get("software").currentVersion()).isEqualTo(2);
    assertThat(models.version("software", 1).state()).isEqualTo(ModelVersionState.SUPERSEDED);
    assertThat(models.inForceSince("software", 2)).contains(agreed);
    assertThat(models.inForceSince("software", 1)).contains(created);
    assertThat(models.version("software", 1).inForceNote())
        .isEqualTo("in force on apply: the first version of the model");
    assertThat(models.version("software", 1).author()).isEqualTo("carol");
    assertThat(agreements.of("software", 2)).extracting(ModelAgreements.Agreement::user,
        ModelAgreements.Agreement::decision, ModelAgreements.Agreement::comment).containsExactly(
            tuple("alice", Decision.AGREE, "reads well"), tuple("bob", Decision.AGREE, "tested on staging"));
  }

  @Test
  void one_rejection_ends_the_proposal_and_the_version_in_force_stays() {
    models.create(software("restart v1", "alice", List.of("bob")), "carol", "first");
    propose("restart v2", "carol");
    clock.advance(Duration.ofMinutes(5));

    ModelVersion rejected = agreements.decide("software", 2, "bob", Decision.REJECT, "restarts drop sessions");

    assertThat(rejected.state()).isEqualTo(ModelVersionState.REJECTED);
    assertThat(rejected.endedAt()).isEqualTo(clock.instant());
    assertThat(models.get("software").currentVersion()).isEqualTo(1);
    assertThat(models.version("software", 1).state()).isEqualTo(ModelVersionState.IN_FORCE);
    assertThat(models.inForceSince("software", 2)).isEmpty();
    assertThatThrownBy(() -> agreements.decide("software", 2, "alice", Decision.AGREE, "too late"))
        .isInstanceOf(ConflictException.class).hasMessageContaining("is rejected, not a proposal");
    assertThat(models.proposal("software")).isEmpty();
  }

  @Test
  void nobody_decides_on_their_own_proposal_nor_on_one_they_are_not_named_for() {
    models.create(software("restart v1", "alice", List.of("bob")), "carol", "first");
    propose("restart v2", "carol");

    assertThatThrownBy(() -> agreements.decide("software", 2, "carol", Decision.AGREE, "mine is good"))
        .isInstanceOf(AccessDeniedException.class).hasMessageContaining("may not decide on their own proposal");
    assertThatThrownBy(() -> agreements.decide("software", 2, "dave", Decision.AGREE, "fine by me"))
        .isInstanceOf(AccessDeniedException.class)
        .hasMessageContaining("awaits the agreement of alice, bob; dave is not one of them");
    assertThatThrownBy(() -> agreements.decide("software", 2, "dave", Decision.REJECT, "no"))
        .isInstanceOf(AccessDeniedException.class);
    assertThatThrownBy(() -> agreements.decide("software", 2, "alice", Decision.AGREE, " "))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("comment");
    agreements.decide("software", 2, "alice", Decision.AGREE, "fine");
    assertThatThrownBy(() -> agreements.decide("software", 2, "alice", Decision.AGREE, "again"))
        .isInstanceOf(ConflictException.class).hasMessageContaining("alice has already decided");
    assertThat(agreements.of("software", 2)).hasSize(1);
    assertThat(models.get("software").currentVersion()).isEqualTo(1);

    // the owner's own proposal could never be agreed: it is refused, and nothing changes
    long rowVersion = models.get("software").rowVersion();
    assertThatThrownBy(() -> models.update(software("restart v3", "alice", List.of("bob")), rowVersion, "alice",
        "mine")).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("alice must agree a new version of model software");
    assertThat(models.proposal("software")).get().extracting(ModelVersion::number).isEqualTo(2);
  }

  @Test
  void a_model_without_an_owner_takes_each_new_version_at_once_and_its_history_says_why() {
    models.create(software("restart v1", null, List.of()), "carol", "first");
    clock.advance(Duration.ofHours(1));

    models.update(software("restart v2", null, List.of()), models.get("software").rowVersion(), "carol", "faster");

    ModelVersion v2 = models.version("software", 2);
    assertThat(v2.state()).isEqualTo(ModelVersionState.IN_FORCE);
    assertThat(v2.inForceAt()).isEqualTo(clock.instant());
    assertThat(v2.inForceNote()).isEqualTo("in force on apply: the model has no owner");
    assertThat(models.get("software").currentVersion()).isEqualTo(2);
    assertThat(models.proposals()).isEmpty();

    // naming an owner in a model without one is itself in force at once; from then on, versions are proposed
    models.update(software("restart v3", "alice", List.of()), models.get("software").rowVersion(), "carol", "owned");
    assertThat(models.version("software", 3).state()).isEqualTo(ModelVersionState.IN_FORCE);
    models.update(software("restart v4", "alice", List.of()), models.get("software").rowVersion(), "carol", "v4");
    assertThat(models.version("software", 4).state()).isEqualTo(ModelVersionState.PROPOSED);
    assertThat(models.version("software", 4).signers()).containsExactly("alice");
  }

  @Test
  void applying_the_proposed_text_again_makes_no_second_proposal_and_another_text_replaces_it() {
    models.create(software("restart v1", "alice", List.of("bob")), "carol", "first");
    propose("restart v2", "carol");
    long rowVersion = models.get("software").rowVersion();

    models.update(software("restart v2", "alice", List.of("bob")), rowVersion, "dave", "same again");

    assertThat(models.versions("software")).hasSize(2);
    assertThat(models.get("software").rowVersion()).isEqualTo(rowVersion);

    propose("restart v3", "carol");
    assertThat(models.versions("software")).extracting(ModelVersion::number, ModelVersion::state).containsExactly(
        tuple(3, ModelVersionState.PROPOSED), tuple(2, ModelVersionState.WITHDRAWN),
        tuple(1, ModelVersionState.IN_FORCE));
    assertThat(models.version("software", 3).diff()).contains("--- software v1").contains("+++ software v3");

    // going back to the text in force withdraws the proposal
    models.update(software("restart v1", "alice", List.of("bob")), models.get("software").rowVersion(), "carol",
        "back");
    assertThat(models.version("software", 3).state()).isEqualTo(ModelVersionState.WITHDRAWN);
    assertThat(models.versions("software")).hasSize(3);
    assertThat(models.get("software").currentVersion()).isEqualTo(1);
  }

  @Test
  void a_version_in_force_is_told_to_its_stakeholders_and_the_owners_of_the_services_using_it_who_read_it() {
    models.create(software("restart v1", "alice", List.of("bob")), "carol", "first");
    assertThat(notices.ofVersion("software", 1)).extracting(ModelNotices.Notice::user, ModelNotices.Notice::why)
        .containsExactlyInAnyOrder(tuple("erin", "stakeholder of model software"),
            tuple("frank", "stakeholder of model software (role:auditor)"),
            tuple("sam", "owner of service shop, which uses model software"));
    propose("restart v2", "carol");
    agreements.decide("software", 2, "alice", Decision.AGREE, "reads well");
    assertThat(notices.ofVersion("software", 2)).isEmpty();
    clock.advance(Duration.ofMinutes(1));
    agreements.decide("software", 2, "bob", Decision.AGREE, "tested on staging");

    var inbox = notices.inbox("sam", false, new PageRequest(0, 50)).items();
    assertThat(inbox).extracting(ModelNotices.Notice::version).containsExactly(2, 1);
    ModelNotices.Notice told = inbox.getFirst();
    assertThat(told.reason()).isEqualTo("restart faster");
    assertThat(told.author()).isEqualTo("carol");
    assertThat(told.diff()).containsPattern("(?m)^-\\s+command: restart v1$")
        .containsPattern("(?m)^\\+\\s+command: restart v2$");
    assertThat(told.decisions()).extracting(ModelNotices.Decision::user, ModelNotices.Decision::comment)
        .containsExactly(tuple("alice", "reads well"), tuple("bob", "tested on staging"));
    assertThat(told.readAt()).isNull();
    assertThat(told.createdAt()).isEqualTo(clock.instant());

    clock.advance(Duration.ofMinutes(3));
    Instant read = clock.instant();
    assertThat(notices.read("sam", told.id()).readAt()).isEqualTo(read);
    clock.advance(Duration.ofMinutes(3));
    assertThat(notices.read("sam", told.id()).readAt()).as("the first reading is kept").isEqualTo(read);
    assertThatThrownBy(() -> notices.read("erin", told.id())).isInstanceOf(NotFoundException.class);
    assertThat(notices.inbox("sam", true, new PageRequest(0, 50)).items()).extracting(ModelNotices.Notice::version)
        .containsExactly(1);
    assertThat(notices.ofVersion("software", 2)).extracting(ModelNotices.Notice::user, ModelNotices.Notice::readAt)
        .containsExactlyInAnyOrder(tuple("erin", null), tuple("frank", null), tuple("sam", read));
    assertThat(notices.inbox("carol", false, new PageRequest(0, 50)).items()).isEmpty();
  }

  @Test
  void the_assessment_reads_which_models_have_owners_and_follow_agreed_versions() {
    models.create(software("restart v1", "alice", List.of("bob")), "carol", "first");
    ModelDefinition plain = ModelsContractTest.model("deployment-manager", Stage.Strategy.Type.ROLLING);
    models.create(new ModelDefinition("data", null, Map.of(), plain.spec()), "carol", "first");
    clock.advance(Duration.ofHours(1));
    Instant start = clock.instant().minus(Duration.ofDays(1));
    ModelResponsibility responsibility = new ModelResponsibility(models);

    Evidence before = responsibility.evidence(Criterion.APPROACH_DEFINED_AND_AGREED,
        new AssessmentPeriod(start, clock.instant()));
    assertThat(before.judgement()).isEqualTo(Judgement.NOT_MET);
    assertThat(before.reason()).contains("0 of 2 models").contains("data v1 (no owner)")
        .contains("software v1 (not agreed)");

    propose("restart v2", "carol");
    clock.advance(Duration.ofMinutes(1));
    assertThat(responsibility.summary(clock.instant()).proposalsWaiting()).isEqualTo(1);
    agreements.decide("software", 2, "alice", Decision.AGREE, "ok");
    agreements.decide("software", 2, "bob", Decision.AGREE, "ok");
    clock.advance(Duration.ofMinutes(1));
    AssessmentPeriod period = new AssessmentPeriod(start, clock.instant());

    Evidence agreed = responsibility.evidence(Criterion.APPROACH_DEFINED_AND_AGREED, period);
    assertThat(agreed.judgement()).isEqualTo(Judgement.PARTLY_MET);
    assertThat(agreed.reason()).isEqualTo("1 of 2 models follow an agreed version with an owner; short: data v1 "
        + "(no owner)");
    assertThat(agreed.facts()).contains("1 of 2 models have an owner", "0 proposals were awaiting agreement");
    Evidence owners = responsibility.evidence(Criterion.APPROACH_RESPONSIBILITY, period);
    assertThat(owners.judgement()).isEqualTo(Judgement.PARTLY_MET);
    assertThat(owners.reason()).contains("short: data (no owner)");

    models.retire("data", models.get("data").rowVersion(), "carol", "not used");
    clock.advance(Duration.ofMinutes(1));
    AssessmentPeriod later = new AssessmentPeriod(start, clock.instant());
    assertThat(responsibility.evidence(Criterion.APPROACH_DEFINED_AND_AGREED, later).judgement())
        .isEqualTo(Judgement.MET);
    assertThat(responsibility.evidence(Criterion.APPROACH_RESPONSIBILITY, later).judgement())
        .isEqualTo(Judgement.MET);
    // judged as the models stood at the end of the period, not as they stand now
    assertThat(responsibility.evidence(Criterion.APPROACH_DEFINED_AND_AGREED, period).judgement())
        .isEqualTo(Judgement.PARTLY_MET);
  }
}
