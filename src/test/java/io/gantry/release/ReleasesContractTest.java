package io.gantry.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.catalog.ComponentRef;
import io.gantry.deployment.Deployment;
import io.gantry.deployment.DeploymentEvent;
import io.gantry.deployment.DeploymentGate;
import io.gantry.deployment.DeploymentState;
import io.gantry.model.Stage;
import io.gantry.shared.ConflictException;
import io.gantry.shared.Finding;
import io.gantry.shared.InvalidInputException;
import io.gantry.shared.NotFoundException;
import io.gantry.testing.TestDatabase;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A release is deployed as one: its members one at a time in dependency order, and the failure policy
 * of the stage where one fails decides for the whole set. Real shell steps on a local target, on H2
 * and on PostgreSQL.
 */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
class ReleasesContractTest {

  private static final Map<String, List<String>> VERSIONS = Map.of(
      "db", List.of("3.0.0", "3.1.0", "4.0.0"),
      "web", List.of("2.0.0", "2.1.0"),
      "app-config", List.of("1.0.0", "1.1.0"));

  private final TestDatabase database;
  @TempDir java.nio.file.Path home;

  ReleasesContractTest(TestDatabase database) {
    this.database = database;
  }

  private ReleaseFixture fixture(String failing, String policy) {
    return new ReleaseFixture(database.create(), Clock.systemUTC(), home)
        .configured(ReleaseFixture.step(failing), policy, VERSIONS);
  }

  private List<String> log(ReleaseFixture f) throws Exception {
    return Files.exists(f.log()) ? Files.readAllLines(f.log()) : List.of();
  }

  private static List<DeploymentState> states(Releases.RunView view, ReleaseRun.Purpose purpose) {
    return view.members().stream().filter(m -> m.member().purpose() == purpose)
        .map(m -> m.deployment().state()).toList();
  }

  @Test
  void members_run_one_at_a_time_in_dependency_order_whatever_order_they_were_given_in() throws Exception {
    ReleaseFixture f = fixture("none", "stop");
    Release r = f.releases.create("shop-2026.11", "November", List.of("shop/app-config@1.0.0", "shop/web@2.0.0",
        "shop/db@3.0.0"), "alice");
    assertThat(r.items()).extracting(Release.Item::toString)
        .containsExactly("shop/db@3.0.0", "shop/web@2.0.0", "shop/app-config@1.0.0");

    ReleaseRun run = f.releases.deploy("shop-2026.11", "qa", null, null, null, "bob");
    f.runAll();

    Releases.RunView view = f.releases.run(run.id());
    assertThat(view.run().state()).isEqualTo(ReleaseRun.State.SUCCEEDED);
    assertThat(view.run().outcome()).startsWith("every member deployed: shop/db@3.0.0");
    assertThat(log(f)).containsExactly("3.0.0", "2.0.0", "1.0.0");
    assertThat(states(view, ReleaseRun.Purpose.DEPLOY)).containsOnly(DeploymentState.SUCCEEDED).hasSize(3);
    // the later members waited for the earlier ones, recorded as waits for the release
    long last = view.members().get(2).deployment().id();
    assertThat(f.deployments.events(last, 0)).anyMatch(e -> e.kind() == DeploymentEvent.Kind.WAIT
        && e.waitingFor() == DeploymentEvent.WaitKind.RELEASE && e.message().contains("release shop-2026.11"));
    // each member started only after the one before it had ended
    for (int i = 1; i < 3; i++) {
      Deployment before = view.members().get(i - 1).deployment();
      Deployment after = view.members().get(i).deployment();
      assertThat(after.startedAt()).isAfterOrEqualTo(before.finishedAt());
    }
    assertThat(view.history()).extracting(ReleaseRun.Entry::state)
        .containsExactly(ReleaseRun.State.RUNNING, ReleaseRun.State.SUCCEEDED);
  }

  @Test
  void with_the_stop_policy_a_failed_member_stops_the_rest_and_those_before_it_stay() throws Exception {
    ReleaseFixture f = fixture("2.0.0", "stop");
    f.releases.create("r1", null, List.of("shop/db@3.0.0", "shop/web@2.0.0", "shop/app-config@1.0.0"), "alice");
    ReleaseRun run = f.releases.deploy("r1", "qa", "first release", null, null, "bob");
    f.runAll();

    Releases.RunView view = f.releases.run(run.id());
    assertThat(view.run().state()).isEqualTo(ReleaseRun.State.FAILED);
    assertThat(states(view, ReleaseRun.Purpose.DEPLOY))
        .containsExactly(DeploymentState.SUCCEEDED, DeploymentState.FAILED, DeploymentState.CANCELLED);
    assertThat(view.members().get(2).deployment().outcome())
        .contains("release r1 to qa (run #" + run.id() + ") stopped", "shop/web@2.0.0", "ended failed");
    assertThat(view.run().outcome()).contains("shop/web@2.0.0", "ended failed", "the members after it did not run",
        "is stop", "shop/db@3.0.0 (#");
    assertThat(log(f)).containsExactly("3.0.0");
    assertThat(f.deployments.currentVersions("qa", new ComponentRef("shop", "db"))).containsEntry("q1", "3.0.0");
  }

  @Test
  void with_the_rollback_policy_the_members_deployed_before_the_failure_go_back_dependents_first() throws Exception {
    ReleaseFixture f = fixture("1.1.0", "rollback");
    f.releases.create("r1", null, List.of("shop/db@3.0.0", "shop/web@2.0.0", "shop/app-config@1.0.0"), "alice");
    f.releases.create("r2", null, List.of("shop/db@3.1.0", "shop/web@2.1.0", "shop/app-config@1.1.0"), "alice");
    f.releases.deploy("r1", "qa", null, null, null, "bob");
    f.runAll();
    Files.delete(f.log());

    ReleaseRun run = f.releases.deploy("r2", "qa", null, null, null, "bob");
    f.runAll();

    Releases.RunView view = f.releases.run(run.id());
    assertThat(view.run().state()).isEqualTo(ReleaseRun.State.ROLLED_BACK);
    // app-config 1.1.0 failed and its own stage rolled its target back to 1.0.0; then web and db went
    // back, web (which requires db) first
    assertThat(log(f)).containsExactly("3.1.0", "2.1.0", "1.0.0", "2.0.0", "3.0.0");
    assertThat(states(view, ReleaseRun.Purpose.DEPLOY))
        .containsExactly(DeploymentState.SUCCEEDED, DeploymentState.SUCCEEDED, DeploymentState.ROLLED_BACK);
    List<Releases.Member> rollbacks = view.members().stream()
        .filter(m -> m.member().purpose() == ReleaseRun.Purpose.ROLLBACK).toList();
    assertThat(rollbacks).extracting(m -> m.deployment().component().component() + "@" + m.deployment().version())
        .containsExactly("web@2.0.0", "db@3.0.0");
    assertThat(rollbacks).allMatch(m -> m.deployment().state() == DeploymentState.SUCCEEDED);
    assertThat(rollbacks.get(0).member().rollsBack()).isEqualTo(view.members().get(1).deployment().id());
    assertThat(view.history()).extracting(ReleaseRun.Entry::state).contains(ReleaseRun.State.ROLLING_BACK,
        ReleaseRun.State.ROLLED_BACK);
    assertThat(view.history()).anyMatch(e -> e.state() == ReleaseRun.State.ROLLING_BACK
        && e.message().contains("failure policy of stage qa is rollback"));
    for (var expected : Map.of("db", "3.0.0", "web", "2.0.0", "app-config", "1.0.0").entrySet()) {
      assertThat(f.deployments.currentVersions("qa", new ComponentRef("shop", expected.getKey())))
          .as(expected.getKey()).containsEntry("q1", expected.getValue());
    }
  }

  @Test
  void a_first_release_rolled_back_removes_the_members_that_had_no_version_before() throws Exception {
    ReleaseFixture f = fixture("1.0.0", "rollback");
    f.releases.create("r1", null, List.of("shop/db@3.0.0", "shop/web@2.0.0", "shop/app-config@1.0.0"), "alice");
    ReleaseRun run = f.releases.deploy("r1", "qa", null, null, null, "bob");
    f.runAll();

    Releases.RunView view = f.releases.run(run.id());
    assertThat(view.run().state()).isEqualTo(ReleaseRun.State.ROLLED_BACK);
    assertThat(log(f)).containsExactly("3.0.0", "2.0.0", "removed-2.0.0", "removed-3.0.0");
    assertThat(view.members().stream().filter(m -> m.member().purpose() == ReleaseRun.Purpose.ROLLBACK)
        .map(m -> m.deployment().kind())).containsOnly(Deployment.Kind.UNDEPLOY);
    assertThat(f.deployments.currentVersions("qa", new ComponentRef("shop", "db"))).isEmpty();
    assertThat(f.deployments.currentVersions("qa", new ComponentRef("shop", "web"))).isEmpty();
  }

  @Test
  void cancelling_a_run_cancels_the_members_that_have_not_started() throws Exception {
    ReleaseFixture f = fixture("none", "stop");
    f.releases.create("r1", null, List.of("shop/db@3.0.0", "shop/web@2.0.0"), "alice");
    ReleaseRun run = f.releases.deploy("r1", "qa", null, Instant.now().plus(Duration.ofHours(1)), null, "bob");
    f.runAll();
    assertThat(f.releases.run(run.id()).run().state()).isEqualTo(ReleaseRun.State.RUNNING);

    assertThatThrownBy(() -> f.releases.cancel(run.id(), " ", "bob")).isInstanceOf(InvalidInputException.class);
    ReleaseRun cancelled = f.releases.cancel(run.id(), "the vendor withdrew 2.0.0", "bob");
    f.runAll();

    assertThat(cancelled.state()).isEqualTo(ReleaseRun.State.CANCELLED);
    assertThat(cancelled.outcome()).contains("the vendor withdrew 2.0.0", "no member had been deployed");
    Releases.RunView view = f.releases.run(run.id());
    assertThat(states(view, ReleaseRun.Purpose.DEPLOY)).containsOnly(DeploymentState.CANCELLED);
    assertThat(log(f)).isEmpty();
    assertThatThrownBy(() -> f.releases.cancel(run.id(), "again", "bob")).isInstanceOf(ConflictException.class)
        .hasMessageContaining("has ended (cancelled)");
  }

  @Test
  void a_run_whose_member_ended_while_no_server_took_note_is_carried_on_by_the_sweep() throws Exception {
    ReleaseFixture f = fixture("none", "stop");
    // as if the server stopped right after each member ended: the gate orders the members but the
    // run is not told of their ends
    f.gates.clear();
    f.gates.add(new DeploymentGate() {
      @Override
      public Verdict check(Deployment d, Stage stage, Instant now) {
        return f.gate.check(d, stage, now);
      }
    });
    f.releases.create("r1", null, List.of("shop/db@3.0.0", "shop/web@2.0.0"), "alice");
    ReleaseRun run = f.releases.deploy("r1", "qa", null, null, null, "bob");
    f.runAll();
    assertThat(f.releases.run(run.id()).run().state()).isEqualTo(ReleaseRun.State.RUNNING);
    assertThat(log(f)).containsExactly("3.0.0", "2.0.0");

    f.releases.reconcileAll();

    assertThat(f.releases.run(run.id()).run().state()).isEqualTo(ReleaseRun.State.SUCCEEDED);
    f.releases.reconcileAll();
    assertThat(f.releases.run(run.id()).history()).hasSize(2);
  }

  @Test
  void bad_releases_are_refused_naming_each_wrong_member_and_nothing_is_recorded() {
    ReleaseFixture f = fixture("none", "stop");
    record Case(String name, List<String> members, String field, String message) {}
    List<Case> cases = List.of(
        new Case("Bad Name", List.of("shop/db@3.0.0"), "name", "lowercase"),
        new Case("r", List.of(), "members", "at least one component version"),
        new Case("r", List.of("shop/db"), "members[0]", "is not service/component@version"),
        new Case("r", List.of("shop/cache@1.0.0"), "members[0]", "there is no component shop/cache"),
        new Case("r", List.of("shop/db@9.9.9"), "members[0]", "no version 9.9.9 of shop/db"),
        new Case("r", List.of("shop/db@3.0.0", "shop/db@3.1.0"), "members[1]", "already in the release"),
        new Case("r", List.of("shop/db@4.0.0", "shop/web@2.0.0"), "members[1]",
            "shop/web@2.0.0 requires shop/db >=3.0.0, <4.0.0, but the release has shop/db@4.0.0"));
    for (Case c : cases) {
      assertThatThrownBy(() -> f.releases.create(c.name(), null, c.members(), "alice")).as(c.field())
          .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.findings())
              .anyMatch(x -> x.field().equals(c.field()) && x.message().contains(c.message())));
    }
    assertThat(f.db.count("releases")).isZero();
    assertThat(f.db.count("release_items")).isZero();

    f.releases.create("r1", null, List.of("shop/db@3.0.0"), "alice");
    assertThatThrownBy(() -> f.releases.create("r1", null, List.of("shop/db@3.1.0"), "alice"))
        .isInstanceOf(ConflictException.class).hasMessageContaining("a release never changes");
    assertThat(f.releases.get("r1").items()).extracting(Release.Item::version).containsExactly("3.0.0");
  }

  @Test
  void a_run_is_refused_whole_for_an_unknown_release_or_environment_or_while_the_same_runs_there() {
    ReleaseFixture f = fixture("none", "stop");
    f.releases.create("r1", null, List.of("shop/db@3.0.0", "shop/web@2.0.0"), "alice");
    assertThatThrownBy(() -> f.releases.deploy("r9", "qa", null, null, null, "bob"))
        .isInstanceOf(NotFoundException.class).hasMessageContaining("r9");
    assertThatThrownBy(() -> f.releases.deploy("r1", "mars", null, null, null, "bob"))
        .isInstanceOf(NotFoundException.class).hasMessageContaining("mars");
    assertThatThrownBy(() -> f.releases.deploy("r1", "qa", null, null, 500, "bob"))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.findings())
            .extracting(Finding::field).contains("members[0].priority"));
    assertThat(f.db.count("release_runs")).isZero();
    assertThat(f.db.count("deployments")).isZero();

    ReleaseRun run = f.releases.deploy("r1", "qa", null, Instant.now().plus(Duration.ofHours(1)), null, "bob");
    assertThatThrownBy(() -> f.releases.deploy("r1", "qa", null, null, null, "bob"))
        .isInstanceOf(ConflictException.class).hasMessageContaining("already being deployed to qa (run #" + run.id());
    assertThat(f.db.count("deployments")).isEqualTo(2);
  }
}
