package io.gantry.release;

import io.gantry.deployment.Deployment;
import io.gantry.deployment.DeploymentEvent;
import io.gantry.deployment.DeploymentGate;
import io.gantry.deployment.DeploymentState;
import io.gantry.deployment.Deployments;
import io.gantry.model.Stage;
import java.time.Instant;
import java.util.Optional;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * Runs the members of a release one at a time in dependency order: a member waits for those before
 * it, and does not run (it is cancelled) once one of them has ended other than succeeded or the run
 * was cancelled. Rollbacks of a run go one at a time too, dependents first. When a deployment of a
 * run ends, the run is carried on (its end, or its rollback).
 *
 * <p>First among the gates: a member waits its turn before a change or a window is asked for it.
 */
@Component
@Order(5)
public class ReleaseGate implements DeploymentGate {

  private final Releases releases;
  private final Deployments deployments;

  public ReleaseGate(Releases releases, Deployments deployments) {
    this.releases = releases;
    this.deployments = deployments;
  }

  @Override
  public Verdict check(Deployment d, Stage stage, Instant now) {
    Optional<ReleaseRun.Members> membership = releases.membership(d.id());
    if (membership.isEmpty()) {
      return Verdict.PASS;
    }
    ReleaseRun run = membership.get().run();
    ReleaseRun.Member me = membership.get().members().stream()
        .filter(m -> m.deployment() != null && m.deployment() == d.id()).findFirst().orElseThrow();
    String name = "release " + run.release() + " to " + run.environment() + " (run #" + run.id() + ")";
    if (me.purpose() == ReleaseRun.Purpose.DEPLOY) {
      if (run.cancelRequested() != null) {
        return new Verdict.Cancel(name + " was cancelled: " + run.cancelRequested());
      }
      if (run.state() != ReleaseRun.State.RUNNING) {
        return new Verdict.Cancel(name + " is " + run.state().id() + "; its remaining members do not run");
      }
    }
    for (ReleaseRun.Member earlier : membership.get().of(me.purpose())) {
      if (earlier.position() >= me.position() || earlier.deployment() == null) {
        continue;
      }
      Deployment before = deployments.get(earlier.deployment());
      if (!before.state().isFinal()) {
        return new Verdict.Wait(DeploymentEvent.WaitKind.RELEASE, "deployment #" + before.id() + " ("
            + Releases.label(before) + "), before it in " + name + (me.purpose() == ReleaseRun.Purpose.DEPLOY
                ? " (members run one at a time, each after those it requires)"
                : " (rollbacks run one at a time, dependents first)"), null);
      }
      if (me.purpose() == ReleaseRun.Purpose.DEPLOY && before.state() != DeploymentState.SUCCEEDED) {
        return new Verdict.Cancel(name + " stopped: deployment #" + before.id() + " (" + Releases.label(before)
            + ") before it ended " + Releases.state(before)
            + ", so the members after it do not run");
      }
    }
    return Verdict.PASS;
  }

  @Override
  public void finished(Deployment d, Instant now) {
    releases.membership(d.id()).ifPresent(m -> releases.reconcile(m.run().id()));
  }
}
