package io.gantry.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.catalog.ComponentRef;
import io.gantry.catalog.Library;
import io.gantry.events.StoredEvent;
import io.gantry.shared.StaleUpdateException;
import io.gantry.testing.MutableClock;
import io.gantry.testing.TestDatabase;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A CDEvent exists if and only if the state it reports was committed: written by the engine's repository in the
 * transaction that writes the state, so a transaction that rolls back takes its events with it. On both databases.
 */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
class CdEventsTransactionContractTest {

  private final TestDatabase database;
  private final MutableClock clock = new MutableClock(Clock.systemUTC().instant());
  private TestDatabase.Instance db;
  private EngineFixture fixture;

  @TempDir
  java.nio.file.Path home;

  CdEventsTransactionContractTest(TestDatabase database) {
    this.database = database;
  }

  @BeforeEach
  void setUp() {
    db = database.create();
    fixture = new EngineFixture(db, clock, home);
    fixture.apply(CdEventsSchemaTest.CONFIG);
    fixture.library.push(new Library.Push(new ComponentRef("shop", "web"), "1.0.0", Map.of(),
        List.of(new Library.Upload("run.sh", () -> new java.io.ByteArrayInputStream("echo ok\n".getBytes(
            java.nio.charset.StandardCharsets.UTF_8)))), List.of()),
        "alice");
  }

  private List<String> types() {
    return fixture.events.written().stream().map(StoredEvent::type).toList();
  }

  @Test
  void a_transition_committed_writes_its_event_and_one_rolled_back_by_a_stale_update_leaves_none() {
    Deployment d = fixture.requests.request(new DeploymentRequests.Request("shop/web", "1.0.0", "qa", null, null),
        "bob");
    List<String> before = types();
    assertThat(before).endsWith("dev.cdevents.pipelinerun.queued.0.3.0");

    // the first move of the deployment is its start, then a second writer with the row it read before fails
    assertThatThrownBy(() -> db.transactions().executeWithoutResult(s -> {
      fixture.deployments.transition(d, DeploymentState.PLANNED, "gantry", "planned", clock.instant());
      fixture.deployments.transition(d, DeploymentState.CANCELLED, "bob", "stale", clock.instant());
    })).isInstanceOf(StaleUpdateException.class);

    assertThat(types()).isEqualTo(before);
    assertThat(fixture.deployments.get(d.id()).state()).isEqualTo(DeploymentState.REQUESTED);

    db.transactions().executeWithoutResult(s ->
        fixture.deployments.transition(d, DeploymentState.PLANNED, "gantry", "planned", clock.instant()));
    assertThat(types()).hasSize(before.size() + 1).endsWith("dev.cdevents.pipelinerun.started.0.3.0");
  }

  @Test
  void a_step_recorded_in_a_transaction_that_rolls_back_leaves_no_task_run_event() {
    Deployment d = fixture.requests.request(new DeploymentRequests.Request("shop/web", "1.0.0", "qa", null, null),
        "bob");
    db.transactions().executeWithoutResult(s -> fixture.deployments.addTargetRun(d.id(), "t1", 0, null));
    TargetRun run = fixture.deployments.targetRuns(d.id()).getFirst();
    List<String> before = types();

    assertThatThrownBy(() -> db.transactions().executeWithoutResult(s -> {
      StepRun step = fixture.deployments.startStep(run, Engine.EXECUTE, 0, "install", "artifact.install", false, 1,
          clock.instant());
      fixture.deployments.finishStep(step, run, StepRunState.SUCCEEDED, null, null, clock.instant());
      throw new IllegalStateException("the engine fails before it commits");
    })).isInstanceOf(IllegalStateException.class).hasMessageContaining("before it commits");

    assertThat(types()).isEqualTo(before);
    assertThat(fixture.deployments.stepRuns(run)).isEmpty();
  }
}
