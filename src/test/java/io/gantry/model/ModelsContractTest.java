package io.gantry.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.shared.StaleUpdateException;
import io.gantry.testing.MutableClock;
import io.gantry.testing.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Deployment models and their version history, against H2 and PostgreSQL alike. */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
class ModelsContractTest {

  private final TestDatabase database;
  private Models models;
  private final MutableClock clock = MutableClock.at("2026-11-26T10:00:00Z");

  ModelsContractTest(TestDatabase database) {
    this.database = database;
  }

  @BeforeEach
  void setUp() {
    models = new Models(database.create().jdbc(), clock);
  }

  static ModelDefinition model(String owner, Stage.Strategy.Type strategy) {
    var step = new Step.Shell("restart", new TimeSpan("30s"), true, List.of(), "systemctl restart app", null,
        Map.of(), 0);
    var stage = new Stage("production", "production", Stage.Authorization.CHANGE,
        new Stage.Approvers(List.of(owner), 2, true), List.of(), new Stage.Strategy(strategy, "25%", 4, null),
        List.of(new Criterion.StageSucceeded("staging")), List.of(step), List.of(), List.of(), null, List.of(),
        List.of());
    return new ModelDefinition("software", "In-house software", Map.of(),
        new DeploymentModelSpec(new DeploymentModelSpec.AppliesTo(List.of("software"), null, null), null, null,
            List.of(stage), List.of(new Trigger.VersionRegistered("production"))));
  }

  @Test
  void a_new_model_starts_at_version_one_with_its_author_reason_and_text() {
    models.create(model("deployment-manager", Stage.Strategy.Type.ROLLING), "alice", "first model");

    DeploymentModel m = models.get("software");
    assertThat(m.currentVersion()).isEqualTo(1);
    assertThat(ModelDocuments.render(m.definition()))
        .isEqualTo(ModelDocuments.render(model("deployment-manager", Stage.Strategy.Type.ROLLING)));
    ModelVersion v1 = models.version("software", 1);
    assertThat(v1.author()).isEqualTo("alice");
    assertThat(v1.reason()).isEqualTo("first model");
    assertThat(v1.text()).contains("type: rolling").contains("command: systemctl restart app");
    assertThat(v1.digest()).startsWith("sha256:");
    assertThat(v1.diff()).contains("+++ software v1");
  }

  @Test
  void every_change_adds_a_version_with_a_diff_from_the_one_before() {
    models.create(model("deployment-manager", Stage.Strategy.Type.ROLLING), "alice", "first");
    clock.advance(Duration.ofHours(1));
    DeploymentModel current = models.get("software");
    models.update(model("deployment-manager", Stage.Strategy.Type.ALL_AT_ONCE), current.rowVersion(), "bob",
        "rolling was too slow");

    assertThat(models.versions("software")).extracting(ModelVersion::number, ModelVersion::author)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(2, "bob"), org.assertj.core.groups.Tuple.tuple(1, "alice"));
    ModelVersion v2 = models.version("software", 2);
    assertThat(v2.createdAt()).isEqualTo(clock.instant());
    assertThat(v2.diff()).containsPattern("(?m)^-\\s+type: rolling$").containsPattern("(?m)^\\+\\s+type: all-at-once$");
    assertThat(models.diff("software", 1, 2)).isEqualTo(v2.diff());
  }

  @Test
  void a_change_based_on_a_stale_row_version_is_refused_and_adds_no_version() {
    models.create(model("a", Stage.Strategy.Type.ROLLING), "alice", "first");
    DeploymentModel stale = models.get("software");
    models.update(model("b", Stage.Strategy.Type.ROLLING), stale.rowVersion(), "bob", "second");

    assertThatThrownBy(() -> models.update(model("c", Stage.Strategy.Type.ROLLING), stale.rowVersion(), "carol", "x"))
        .isInstanceOf(StaleUpdateException.class);
    assertThat(models.versions("software")).hasSize(2);
  }

  @Test
  void a_retired_model_keeps_its_history_and_can_be_declared_again() {
    models.create(model("a", Stage.Strategy.Type.ROLLING), "alice", "first");
    models.retire("software", models.get("software").rowVersion(), "bob", "replaced");

    DeploymentModel retired = models.get("software");
    assertThat(retired.retired()).isTrue();
    assertThat(retired.definition()).isNull();
    assertThat(models.version("software", 2).diff()).contains("-spec:");

    models.update(model("a", Stage.Strategy.Type.ROLLING), retired.rowVersion(), "carol", "back");
    assertThat(models.get("software").retired()).isFalse();
    assertThat(models.get("software").currentVersion()).isEqualTo(3);
  }
}
