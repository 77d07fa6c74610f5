package io.gantry.change;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.catalog.ComponentRef;
import io.gantry.catalog.Library;
import io.gantry.deployment.Deployment;
import io.gantry.deployment.DeploymentEvent;
import io.gantry.deployment.DeploymentState;
import io.gantry.deployment.Engine;
import io.gantry.release.ReleaseRun;
import io.gantry.release.Releases;
import io.gantry.testing.MutableClock;
import io.gantry.testing.TestDatabase;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** A release runs under one change: one approval for the whole set, one closure for what it came to. */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
class ReleaseChangeContractTest {

  private final TestDatabase database;
  private final MutableClock clock = new MutableClock(Clock.systemUTC().instant());
  @TempDir Path home;

  ReleaseChangeContractTest(TestDatabase database) {
    this.database = database;
  }

  private ChangeFixture fixture(String productionStep, String policy) {
    ChangeFixture f = new ChangeFixture(database.create(), clock, home).configured(productionStep, policy);
    for (String component : List.of("web", "api")) {
      f.library.push(new Library.Push(new ComponentRef("shop", component), "2.0.0", Map.of(), List.of(
          new Library.Upload("run.sh", () -> new ByteArrayInputStream("echo ok\n".getBytes()))), List.of()), "alice");
    }
    return f;
  }

  private static List<Deployment> members(Releases.RunView view, ReleaseRun.Purpose purpose) {
    return view.members().stream().filter(m -> m.member().purpose() == purpose).map(Releases.Member::deployment)
        .toList();
  }

  @Test
  void a_release_into_a_stage_that_needs_approval_gets_one_change_for_all_its_members() {
    ChangeFixture f = fixture("echo ok > out.txt", "stop");
    Engine engine = f.engine();
    f.releases.create("shop-r1", null, List.of("shop/web@1.0.0", "shop/api@1.0.0"), "bob");
    ReleaseRun run = f.releases.deploy("shop-r1", "preprod", null, null, null, "bob");
    engine.runDue();

    assertThat(f.db.count("changes")).as("one change for the release").isEqualTo(1);
    Releases.RunView waiting = f.releases.run(run.id());
    Change c = f.changes.records().forDeployment(members(waiting, ReleaseRun.Purpose.DEPLOY).getFirst().id())
        .orElseThrow();
    assertThat(c.title()).contains("approval of release shop-r1 to preprod", "shop/web@1.0.0", "shop/api@1.0.0");
    assertThat(c.components()).extracting(ComponentRef::toString).containsExactlyInAnyOrder("shop/web", "shop/api");
    assertThat(members(waiting, ReleaseRun.Purpose.DEPLOY)).extracting(Deployment::state)
        .containsOnly(DeploymentState.REQUESTED);
    assertThat(f.deployments.events(members(waiting, ReleaseRun.Purpose.DEPLOY).get(1).id(), 0))
        .filteredOn(e -> e.kind() == DeploymentEvent.Kind.WAIT).extracting(DeploymentEvent::waitingFor)
        .containsOnly(DeploymentEvent.WaitKind.RELEASE);

    f.changes.approve(c.key(), "carol", "both reviewed");
    engine.runDue();

    Releases.RunView done = f.releases.run(run.id());
    assertThat(done.run().state()).isEqualTo(ReleaseRun.State.SUCCEEDED);
    assertThat(f.db.count("changes")).isEqualTo(1);
    Change closed = f.changes.get(c.key());
    assertThat(closed.state()).isEqualTo(ChangeState.CLOSED);
    assertThat(closed.closureCode()).isEqualTo(Change.ClosureCode.SUCCESSFUL);
    assertThat(f.changes.deployments(closed)).containsExactlyElementsOf(
        members(done, ReleaseRun.Purpose.DEPLOY).stream().map(Deployment::id).toList());
  }

  private static Change authorized(ChangeFixture f, List<String> components) {
    Change c = f.changes.create(f.change("normal", components, "production"), "alice");
    f.changes.submit(c.key(), "alice");
    f.changes.approve(c.key(), "carol", "ok");
    return f.changes.approve(c.key(), "dave", "ok");
  }

  @Test
  void a_release_rolled_back_under_a_production_change_closes_it_as_backed_out() {
    ChangeFixture f = fixture("[ $GANTRY_VERSION != 2.0.0 ] && echo ok > out.txt", "rollback");
    f.library.push(new Library.Push(new ComponentRef("shop", "api"), "1.5.0", Map.of(), List.of(
        new Library.Upload("run.sh", () -> new ByteArrayInputStream("echo ok\n".getBytes()))), List.of()), "alice");
    Engine engine = f.engine();
    Change before = authorized(f, List.of("shop/web", "shop/api"));
    f.deploy("shop/web", "production", "bob");
    f.deploy("shop/api", "production", "bob");
    engine.runDue();
    assertThat(f.changes.get(before.key()).closureCode()).isEqualTo(Change.ClosureCode.SUCCESSFUL);

    Change c = authorized(f, List.of("shop/web", "shop/api"));
    f.releases.create("r2", null, List.of("shop/api@1.5.0", "shop/web@2.0.0"), "bob");
    ReleaseRun run = f.releases.deploy("r2", "production", null, null, null, "bob");
    engine.runDue();

    Releases.RunView view = f.releases.run(run.id());
    assertThat(view.run().state()).as(view.run().outcome()).isEqualTo(ReleaseRun.State.ROLLED_BACK);
    assertThat(members(view, ReleaseRun.Purpose.DEPLOY)).extracting(Deployment::state)
        .containsExactly(DeploymentState.SUCCEEDED, DeploymentState.ROLLED_BACK);
    assertThat(members(view, ReleaseRun.Purpose.ROLLBACK)).extracting(d -> d.component() + "@" + d.version(),
        Deployment::state).containsExactly(org.assertj.core.groups.Tuple.tuple("shop/api@1.0.0",
            DeploymentState.SUCCEEDED));
    Change closed = f.changes.get(c.key());
    assertThat(closed.state()).isEqualTo(ChangeState.CLOSED);
    assertThat(closed.closureCode()).isEqualTo(Change.ClosureCode.BACKED_OUT);
    assertThat(f.changes.deployments(closed)).containsAll(view.members().stream()
        .map(m -> m.deployment().id()).toList());
  }
}
