package io.gantry.change;

import io.gantry.deployment.Deployment;
import io.gantry.deployment.DeploymentEvent;
import io.gantry.deployment.DeploymentGate;
import io.gantry.deployment.DeploymentState;
import io.gantry.deployment.Deployments;
import io.gantry.model.Stage;
import io.gantry.release.ReleaseRun;
import io.gantry.release.Releases;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * Holds a deployment back until a change authorizes it. A stage with {@code authorization: change}
 * needs an authorized change whose scope and planned time cover the deployment; a stage with
 * {@code authorization: approval} gets a change of its own for the deployment, approved under the
 * stage's rule. When it passes, the change is implementing and the deployment linked to it; when the
 * change's deployments have all ended, the change is closed with what they came to.
 */
@Component
@Order(10)
public class ChangeGate implements DeploymentGate {

  private final Changes changes;
  private final Deployments deployments;
  private final Function<Long, Optional<ReleaseRun.Members>> releases;

  @Autowired
  public ChangeGate(Changes changes, Deployments deployments, Releases releases) {
    this(changes, deployments, releases::membership);
  }

  /** With the release memberships of the caller's choosing (tests without releases: none). */
  public ChangeGate(Changes changes, Deployments deployments,
      Function<Long, Optional<ReleaseRun.Members>> releases) {
    this.changes = changes;
    this.deployments = deployments;
    this.releases = releases;
  }

  @Override
  public Verdict check(Deployment d, Stage stage, Instant now) {
    return switch (stage.authorization()) {
      case AUTOMATIC -> Verdict.PASS;
      case CHANGE -> {
        changes.expireOverdue();
        yield covered(d, now);
      }
      case APPROVAL -> {
        changes.expireOverdue();
        yield approved(d, stage, now);
      }
    };
  }

  private Verdict covered(Deployment d, Instant now) {
    ChangeRecords records = changes.records();
    // Changes meant for a time before the deployment was asked for say nothing about it.
    List<Change> relevant = records.open(d.environment()).stream().filter(c -> c.forDeployment() == null)
        .filter(c -> c.covers(d.component(), d.environment()))
        .filter(c -> c.plannedEnd() == null || c.plannedEnd().isAfter(d.requestedAt()))
        .sorted(Comparator.comparing(Change::id)).toList();
    Optional<Change> linked = relevant.stream().filter(c -> records.linked(c.id(), d.id())).findFirst();
    Optional<Change> usable = linked.filter(c -> c.state().authorizes())
        .or(() -> relevant.stream().filter(c -> c.state().authorizes() && Changes.within(c, now)).findFirst());
    if (usable.isPresent()) {
      implement(usable.get(), d, now);
      return Verdict.PASS;
    }
    String scope = d.component() + " in " + d.environment();
    Optional<Change> pending = relevant.stream().filter(c -> c.state() == ChangeState.NEW
        || c.state() == ChangeState.ASSESSED || (c.state().authorizes() && now.isBefore(c.plannedStart())))
        .findFirst();
    if (pending.isPresent()) {
      Change c = pending.get();
      String what = switch (c.state()) {
        case NEW -> "change " + c.key() + " to be submitted for approval (it covers " + scope + ")";
        case ASSESSED -> "change " + c.key() + " to be approved: " + (c.external() == null ? changes.progress(c)
            : "decided in " + c.external().system() + " (" + c.external().reference() + ")");
        default -> "change " + c.key() + " to start at its planned start " + c.plannedStart();
      };
      return new Verdict.Wait(DeploymentEvent.WaitKind.CHANGE, what, c.state().authorizes() ? c.plannedStart() : null);
    }
    Optional<Change> rejected = relevant.stream().filter(c -> c.state() == ChangeState.REJECTED)
        .max(Comparator.comparing(Change::id));
    if (rejected.isPresent()) {
      return new Verdict.Fail("change " + rejected.get().key() + " covering " + scope + " was "
          + rejected.get().outcome());
    }
    Optional<Change> ended = relevant.stream().filter(c -> c.state().authorizes()).findFirst();
    if (ended.isPresent()) {
      return new Verdict.Fail("change " + ended.get().key() + " covering " + scope + " ended at its planned end "
          + ended.get().plannedEnd() + " and no longer authorizes deployments");
    }
    return new Verdict.Wait(DeploymentEvent.WaitKind.CHANGE, "an authorized change covering " + scope + " now "
        + "(stage " + d.stage() + " needs one; none is recorded)", null);
  }

  private Verdict approved(Deployment d, Stage stage, Instant now) {
    // the deployments of a release run under one change: the one created for its first member
    Optional<ReleaseRun.Members> release = releases.apply(d.id());
    Deployment anchor = release.map(m -> m.of(ReleaseRun.Purpose.DEPLOY).getFirst().deployment())
        .map(deployments::get).orElse(d);
    Change c = changes.records().forDeployment(anchor.id())
        .orElseGet(() -> changes.tx().execute(s -> release.isPresent()
            ? changes.createForRelease(release.get(), release.get().of(ReleaseRun.Purpose.DEPLOY).stream()
                .map(m -> deployments.get(m.deployment())).toList(), stage)
            : changes.createForDeployment(d, stage)));
    if (c.state().authorizes()) {
      implement(c, d, now);
      return Verdict.PASS;
    }
    return switch (c.state()) {
      case REJECTED -> new Verdict.Fail("change " + c.key() + " was " + c.outcome());
      case CANCELLED -> new Verdict.Fail("change " + c.key() + " was " + c.outcome());
      default -> new Verdict.Wait(DeploymentEvent.WaitKind.APPROVAL, "approval of change " + c.key() + ": "
          + changes.progress(c), null);
    };
  }

  /**
   * Links the deployment to the change that lets it pass. The change becomes implementing only when
   * the deployment starts ({@link #started}): until then other gates (a window, a freeze) may still hold
   * it, and the change stays authorized.
   */
  private void implement(Change change, Deployment d, Instant now) {
    changes.tx().executeWithoutResult(s -> {
      ChangeRecords records = changes.records();
      Change c = records.get(change.id());
      if (!records.linked(c.id(), d.id())) {
        records.link(c.id(), d.id(), now);
        records.history(c.id(), now, ChangeEntry.Kind.LINK, null, null, Changes.SYSTEM, "deployment #" + d.id()
            + " (" + d.component() + "@" + d.version() + " to " + d.environment() + ") runs under this change");
      }
    });
  }

  @Override
  public void started(Deployment d, Instant now) {
    ChangeRecords records = changes.records();
    for (Change linked : records.linkedTo(d.id())) {
      changes.tx().executeWithoutResult(s -> {
        Change c = records.get(linked.id());
        if (c.state() != ChangeState.IMPLEMENTING && c.state().canBecome(ChangeState.IMPLEMENTING)) {
          records.transition(c, ChangeState.IMPLEMENTING, ChangeRecords.ClosureCodeOrNull.NONE, Changes.SYSTEM,
              "implementing: deployment #" + d.id() + " started", now);
        }
      });
    }
  }

  @Override
  public void finished(Deployment d, Instant now) {
    ChangeRecords records = changes.records();
    // a release's change closes when the run has ended, whichever of its deployments ended last
    java.util.Set<Long> related = new java.util.LinkedHashSet<>(List.of(d.id()));
    releases.apply(d.id()).ifPresent(m -> related.addAll(m.deployments()));
    java.util.Set<Long> changeIds = new java.util.LinkedHashSet<>();
    related.forEach(id -> records.linkedTo(id).forEach(c -> changeIds.add(c.id())));
    for (long linked : changeIds) {
      changes.tx().executeWithoutResult(s -> closeIfDone(records.get(linked), now));
    }
    records.forDeployment(d.id()).filter(c -> c.state().canBecome(ChangeState.CANCELLED)).ifPresent(c ->
        changes.tx().executeWithoutResult(s -> records.transition(records.get(c.id()), ChangeState.CANCELLED,
            ChangeRecords.ClosureCodeOrNull.NONE, Changes.SYSTEM, "cancelled: deployment #" + d.id() + " ended "
                + d.state().name().toLowerCase() + (c.state().authorizes()
                    ? " before it started: the change was authorized but never implemented"
                    : " before the change was decided"), now)));
  }

  private void closeIfDone(Change c, Instant now) {
    if (c.state() != ChangeState.IMPLEMENTING) {
      return;
    }
    List<Deployment> linked = changes.records().linkedDeployments(c.id()).stream().map(deployments::get).toList();
    if (linked.stream().anyMatch(x -> !x.state().isFinal())) {
      return;
    }
    List<ReleaseRun> runs = linked.stream().map(x -> releases.apply(x.id())).flatMap(Optional::stream)
        .map(ReleaseRun.Members::run).distinct().toList();
    if (runs.stream().anyMatch(r -> !r.state().isFinal())) {
      return;
    }
    // Within its planned time the change stays open for the deployments of its scope still to come.
    if (Changes.within(c, now) && changes.unfinishedInScope(c).stream().anyMatch(x -> !x.requestedAt()
        .isAfter(c.plannedEnd()))) {
      return;
    }
    Change.ClosureCode code = runs.stream().anyMatch(r -> r.state() == ReleaseRun.State.ROLLED_BACK)
        ? Change.ClosureCode.BACKED_OUT
        : runs.stream().anyMatch(r -> r.state() != ReleaseRun.State.SUCCEEDED) ? Change.ClosureCode.FAILED
        : linked.stream().allMatch(x -> x.state() == DeploymentState.SUCCEEDED) ? Change.ClosureCode.SUCCESSFUL
        : linked.stream().anyMatch(x -> x.state() == DeploymentState.ROLLED_BACK) ? Change.ClosureCode.BACKED_OUT
            : Change.ClosureCode.FAILED;
    changes.records().transition(c, ChangeState.CLOSED, new ChangeRecords.ClosureCodeOrNull(code), Changes.SYSTEM,
        "closed " + code.id() + ": " + runs.stream().map(r -> "release " + r.release() + " (run #" + r.id() + ") "
            + r.state().id() + ", ").collect(java.util.stream.Collectors.joining()) + linked.stream()
            .map(x -> "deployment #" + x.id() + " " + x.state().name().toLowerCase())
            .reduce((a, b) -> a + ", " + b).orElse(""), now);
  }
}
