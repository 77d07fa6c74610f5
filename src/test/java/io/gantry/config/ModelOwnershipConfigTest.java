package io.gantry.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import io.gantry.catalog.ComponentVersions;
import io.gantry.catalog.Components;
import io.gantry.catalog.Services;
import io.gantry.catalog.TrustedKeys;
import io.gantry.config.Plan.Action;
import io.gantry.config.Plan.Change;
import io.gantry.environment.Environments;
import io.gantry.environment.Targets;
import io.gantry.identity.Actor;
import io.gantry.identity.Role;
import io.gantry.identity.RoleBindings;
import io.gantry.identity.Users;
import io.gantry.model.ModelVersion;
import io.gantry.model.ModelVersionState;
import io.gantry.model.Models;
import io.gantry.shared.Finding;
import io.gantry.shared.InvalidInputException;
import io.gantry.testing.MutableClock;
import io.gantry.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** A model's owner, reviewers and stakeholders as configuration declares them, against H2 and PostgreSQL alike. */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
class ModelOwnershipConfigTest {

  private static final String MODEL = "in-house-software";

  private final TestDatabase database;
  private final MutableClock clock = MutableClock.at("2026-11-26T10:00:00Z");
  private TestDatabase.Instance db;
  private Models models;
  private ConfigService config;

  ModelOwnershipConfigTest(TestDatabase database) {
    this.database = database;
  }

  @BeforeEach
  void setUp() {
    db = database.create();
    models = new Models(db.jdbc(), clock);
    Users users = new Users(db.jdbc(), clock);
    for (String name : List.of("alice", "bob", "carol")) {
      users.create(name, null, Set.of(Role.DEPLOYMENT_MANAGER), Actor.named("admin"));
    }
    config = new ConfigService(new ConfigLoader(), new ConfigInterpreter(), new Environments(db.jdbc(), clock),
        new Targets(db.jdbc(), clock), new Services(db.jdbc(), clock), new Components(db.jdbc(), clock),
        new ComponentVersions(db.jdbc()), models, new TrustedKeys(db.jdbc(), clock), db.transactions(), db.jdbc(),
        clock, new RoleBindings(db.jdbc(), clock), users);
  }

  @Test
  void an_owner_reviewer_or_stakeholder_that_names_no_user_or_role_is_refused_with_its_place_and_nothing_changes() {
    List<ConfigFile> badRole = edit(examples(), t -> owned(t, "alice", "[bob]", "[user:carol, role:wizard]"));
    assertThatThrownBy(() -> config.apply(badRole, "owners", "carol")).isInstanceOfSatisfying(
        InvalidInputException.class, e -> assertThat(e.findings()).singleElement().satisfies(f -> {
          assertThat(f.field()).isEqualTo("spec.stakeholders[1]");
          assertThat(f.message()).contains("wizard");
          assertThat(f.location().file()).endsWith("in-house-software.yaml");
        }));

    List<ConfigFile> unknown = edit(examples(), t -> owned(t, "nobody", "[bob, alice]", "[user:ghost, role:auditor]"));
    assertThatThrownBy(() -> config.apply(unknown, "owners", "carol")).isInstanceOfSatisfying(
        InvalidInputException.class, e -> {
          assertThat(e.findings()).extracting(Finding::field, Finding::message).containsExactlyInAnyOrder(
              tuple("spec.owner", "there is no user \"nobody\"; create it first (gantry user create nobody)"),
              tuple("spec.stakeholders[0]", "there is no user \"ghost\"; create it first (gantry user create ghost)"));
          assertThat(e.findings()).allSatisfy(f -> assertThat(f.location().line()).isPositive());
        });

    List<ConfigFile> ownerReviews = edit(examples(), t -> owned(t, "alice", "[alice]", "[]"));
    assertThatThrownBy(() -> config.apply(ownerReviews, "owners", "carol")).isInstanceOfSatisfying(
        InvalidInputException.class, e -> assertThat(e.findings()).extracting(Finding::field)
            .containsExactly("spec.reviewers[0]"));
    assertThat(db.count("deployment_models")).isZero();
  }

  @Test
  void an_owned_model_changed_in_the_files_is_proposed_once_and_plan_says_it_awaits_agreement() {
    List<ConfigFile> first = edit(examples(), t -> owned(t, "alice", "[bob]", "[user:carol]"));
    config.apply(first, "first configuration", "carol");
    assertThat(models.version(MODEL, 1).state()).isEqualTo(ModelVersionState.IN_FORCE);
    clock.advance(Duration.ofHours(1));
    List<ConfigFile> changed = edit(first, t -> replaceOnce(t, "smoke-test.sh, timeout: 1m",
        "smoke-test.sh, timeout: 5m"));

    Plan plan = config.plan(changed);
    assertThat(plan.changes()).singleElement().satisfies(c -> {
      assertThat(c.action()).isEqualTo(Action.UPDATE);
      assertThat(c.details()).contains("(a proposal: in force once alice, bob agree)");
    });

    Plan applied = config.apply(changed, "smoke tests got slower", "carol");
    assertThat(applied.summary().update()).isEqualTo(1);
    assertThat(applied.notes()).containsExactly("DeploymentModel in-house-software: version 2, proposed by carol, "
        + "awaits the agreement of alice, bob (gantry models versions in-house-software)");
    assertThat(models.get(MODEL).currentVersion()).isEqualTo(1);
    assertThat(models.proposal(MODEL)).get().extracting(ModelVersion::number).isEqualTo(2);

    Plan again = config.plan(changed);
    assertThat(again.changes()).isEmpty();
    assertThat(again.notes()).singleElement().asString().contains("version 2, proposed by carol");
    Plan reapplied = config.apply(changed, "again", "bob");
    assertThat(reapplied.changes()).isEmpty();
    assertThat(models.versions(MODEL)).extracting(ModelVersion::number, ModelVersion::state).containsExactly(
        tuple(2, ModelVersionState.PROPOSED), tuple(1, ModelVersionState.IN_FORCE));

    // the files back at the version in force: the proposal is withdrawn
    Plan back = config.plan(first);
    assertThat(back.changes()).singleElement().extracting(Change::details).asList()
        .contains("(withdraws the proposal awaiting agreement)");
    config.apply(first, "keep 1m", "carol");
    assertThat(models.version(MODEL, 2).state()).isEqualTo(ModelVersionState.WITHDRAWN);
    assertThat(config.plan(first).changes()).isEmpty();
    assertThat(config.plan(first).notes()).isEmpty();
  }

  private static String owned(String text, String owner, String reviewers, String stakeholders) {
    return replaceOnce(text, "spec:\n  appliesTo:", "spec:\n  owner: " + owner + "\n  reviewers: " + reviewers
        + "\n  stakeholders: " + stakeholders + "\n  appliesTo:");
  }

  private static List<ConfigFile> examples() {
    return ConfigFiles.read(Path.of("examples/config")).stream()
        .map(f -> new ConfigFile(f.name().replace('\\', '/'), f.content())).toList();
  }

  private static List<ConfigFile> edit(List<ConfigFile> files, UnaryOperator<String> change) {
    return files.stream().map(f -> f.name().endsWith("/" + MODEL + ".yaml") ? new ConfigFile(f.name(),
        change.apply(f.content())) : f).toList();
  }

  private static String replaceOnce(String text, String from, String to) {
    int at = text.indexOf(from);
    assertThat(at).as("\"%s\" is in the text", from).isNotNegative();
    return text.substring(0, at) + to + text.substring(at + from.length());
  }
}
