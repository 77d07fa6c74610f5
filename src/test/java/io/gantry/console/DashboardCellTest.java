package io.gantry.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.catalog.ComponentRef;
import io.gantry.deployment.Deployment;
import io.gantry.deployment.DeploymentEvent;
import io.gantry.deployment.DeploymentMatrix;
import io.gantry.deployment.DeploymentState;
import io.gantry.environment.Environment;
import io.gantry.environment.EnvironmentDefinition;
import io.gantry.environment.Purpose;
import io.gantry.identity.Access;
import io.gantry.identity.Scope;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How the dashboard words a cell of the matrix, and in which order it puts the environments. */
class DashboardCellTest {

  private static final Instant NOW = Instant.parse("2026-03-02T12:00:00Z");
  private static final ComponentRef WEB = new ComponentRef("shop", "web");

  private static DeploymentMatrix.Entry entry(long id, String version, DeploymentState state) {
    return new DeploymentMatrix.Entry(id, version, Deployment.Kind.DEPLOY, state, NOW.minusSeconds(600),
        NOW.minusSeconds(590), state.isFinal() ? NOW.minusSeconds(300) : null, null);
  }

  private static DeploymentMatrix.Active active(long id, DeploymentState state, DeploymentEvent.WaitKind wait,
      Instant plannedStart) {
    return new DeploymentMatrix.Active(id, "2.0", Deployment.Kind.DEPLOY, state, NOW, plannedStart, wait,
        wait == null ? null : "something", wait == null ? null : NOW);
  }

  @Test
  void a_failed_upgrade_keeps_the_running_version_and_names_the_failed_one_in_words_not_colour_alone() {
    var cell = new DeploymentMatrix.Cell("prod", WEB, entry(2, "1.1", DeploymentState.FAILED),
        entry(1, "1.0", DeploymentState.SUCCEEDED), List.of());

    DashboardPage.Cell shown = DashboardController.cell(Access.Reach.EVERYWHERE, "prod", WEB, cell, NOW);

    assertThat(shown.version()).isEqualTo("1.0");
    assertThat(shown.status()).isEqualTo("Failed");
    assertThat(shown.tone()).isEqualTo("failed");
    assertThat(shown.lastVersion()).isEqualTo("1.1");
    assertThat(shown.lastId()).isEqualTo(2L);
    assertThat(shown.when()).isEqualTo("5m ago");
    assertThat(shown.markers()).isEmpty();
  }

  @Test
  void work_under_way_is_marked_running_waiting_for_what_planned_or_queued() {
    List<DeploymentMatrix.Active> under = new ArrayList<>(List.of(
        active(3, DeploymentState.EXECUTING, null, null),
        active(4, DeploymentState.REQUESTED, DeploymentEvent.WaitKind.APPROVAL, null),
        active(5, DeploymentState.REQUESTED, null, NOW.plusSeconds(86_400)),
        active(6, DeploymentState.REQUESTED, null, null),
        active(7, DeploymentState.REQUESTED, null, null)));
    var cell = new DeploymentMatrix.Cell("prod", WEB, entry(7, "2.0", DeploymentState.REQUESTED),
        entry(1, "1.0", DeploymentState.SUCCEEDED), under);

    DashboardPage.Cell shown = DashboardController.cell(Access.Reach.EVERYWHERE, "prod", WEB, cell, NOW);

    assertThat(shown.status()).isEqualTo("Queued");
    assertThat(shown.tone()).isEqualTo("under-way");
    assertThat(shown.markers()).extracting(DashboardPage.Marker::text).containsExactly(
        "Running #3 2.0 (Executing)", "Waiting #4 2.0 for an approval", "Planned #5 2.0 for 2026-03-03 12:00 UTC",
        "Queued: 2");
  }

  @Test
  void a_cell_outside_the_readers_scopes_tells_nothing_of_it() {
    var cell = new DeploymentMatrix.Cell("prod", WEB, entry(2, "1.1", DeploymentState.FAILED), null, List.of());
    var reach = new Access.Reach(false, List.of(new Scope("shop", "qa")));

    DashboardPage.Cell shown = DashboardController.cell(reach, "prod", WEB, cell, NOW);

    assertThat(shown.seen()).isFalse();
    assertThat(shown.lastId()).isNull();
    assertThat(shown.version()).isNull();
  }

  private static Environment environment(String name, Purpose purpose, String... promotesTo) {
    return new Environment(1, new EnvironmentDefinition(name, null, purpose, false, "ops", List.of(promotesTo), null),
        0, NOW, NOW);
  }

  @Test
  void environments_come_in_the_order_versions_are_promoted_through_them() {
    List<String> order = DashboardController.PromotionOrder.of(List.of(
        environment("prod", Purpose.PRODUCTION),
        environment("alpha", Purpose.OTHER, "prod"),
        environment("dev", Purpose.DEVELOPMENT, "test"),
        environment("test", Purpose.TEST, "prod"),
        environment("sandbox", Purpose.DEVELOPMENT)));

    assertThat(order).containsExactly("dev", "sandbox", "test", "alpha", "prod");
  }
}
