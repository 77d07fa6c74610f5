package io.gantry.deployment;

import io.gantry.catalog.ComponentVersion;
import io.gantry.catalog.Library;
import io.gantry.environment.Target;
import io.gantry.environment.Targets;
import io.gantry.execution.Slot;
import io.gantry.model.Stage;
import io.gantry.model.Step;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The blue-green strategy. Each target has two slots, {@code blue} and {@code green}, folders of their
 * own in the component's folder; the slot that serves is the one the {@code live} link names and the
 * record keeps ({@code live_slots}). On each target the version is installed into the idle slot with
 * the stage's steps, run with the slot's variables while the live slot keeps serving; the acceptance
 * checks run against the idle slot, then its analysis when the strategy declares one ({@link Analyses});
 * then one switch step moves {@code live} to it (and runs the declared switch command). The slot that
 * served before is left as it is, so a rollback is a switch back, not a reinstall. The slot a target takes is recorded when it starts, so a restarted engine carries on in
 * the same one.
 */
final class BlueGreen {

  /** The phase of the acceptance checks run against the idle slot before its switch. */
  static final String IDLE_CHECK = "idle-check";
  /** The phase of the one switch step per target. */
  static final String SWITCH = "switch";
  /** The phase of the switch back to the slot that served before, in a rollback. */
  static final String SWITCH_BACK = "switch-back";
  /** What a switch's step run records as its type. */
  static final String SWITCH_KIND = "switch";

  /** The switch of a stage that declares no switch command: the link alone. */
  private static final Step.Shell LINK_ONLY = new Step.Shell("switch", null, null, null, null, null, null, null);

  private final Deployments deployments;
  private final BlueGreenRecords records;
  private final Library library;
  private final Targets targets;
  private final TransactionTemplate tx;
  private final Clock clock;
  private final Progress progress;
  private final StepsOnTarget steps;
  private final Analyses analyses;

  BlueGreen(Deployments deployments, BlueGreenRecords records, Library library, Targets targets,
      TransactionTemplate tx, Clock clock, Progress progress, StepsOnTarget steps, Analyses analyses) {
    this.analyses = analyses;
    this.deployments = deployments;
    this.records = records;
    this.library = library;
    this.targets = targets;
    this.tx = tx;
    this.clock = clock;
    this.progress = progress;
    this.steps = steps;
  }

  /** Whether the deployment installs into slots: a deployment (not a removal) of a blue-green stage. */
  static boolean applies(Deployment d, Plan plan) {
    return d.kind() == Deployment.Kind.DEPLOY && plan.stage().strategy().type() == Stage.Strategy.Type.BLUE_GREEN
        && plan.stage().strategy().blueGreen() != null;
  }

  /** The command of a switch step (null: the link alone). */
  static Step.Shell command(Step step) {
    Step.Shell shell = (Step.Shell) step;
    return shell.command() == null ? null : shell;
  }

  static Slot slot(Plan plan, String name) {
    Stage.Slots slots = plan.stage().strategy().blueGreen().slots();
    return new Slot(name, (Slot.BLUE.equals(name) ? slots.blue() : slots.green()).port());
  }

  /** The slot the deployment took on the target, if it has started there. */
  Optional<Slot> slotOf(Deployment d, Plan plan, String target) {
    return records.slotRun(d.id(), target).map(r -> slot(plan, r.slot()));
  }

  private List<Step> switchSteps(Plan plan) {
    Step declared = plan.stage().strategy().blueGreen().switchStep();
    return List.of(declared == null ? LINK_ONLY : declared);
  }

  /**
   * A target's work: the steps in the idle slot, the acceptance checks against it, then the switch.
   * What succeeded is left in {@code pending} for the caller's commit that ends the target, with the
   * switch's record and the target's new live slot.
   */
  StepResult runTarget(Deployment d, Plan plan, TargetRun run, Target target, ComponentVersion version,
      PendingWrites pending) {
    Optional<BlueGreenRecords.SlotRun> chosen = records.slotRun(d.id(), run.target());
    Slot slot;
    if (chosen.isPresent()) {
      slot = slot(plan, chosen.get().slot());
    } else {
      Optional<BlueGreenRecords.Live> live = records.live(run.target(), d.component());
      slot = slot(plan, live.map(l -> Slot.other(l.slot())).orElse(Slot.BLUE));
      Instant now = clock.instant();
      String why = live.map(l -> "installs " + d.version() + " into the idle slot " + slot.name() + " (port "
          + slot.port() + ") of " + run.target() + " while " + l.slot() + " (" + l.version() + ") serves")
          .orElse("installs " + d.version() + " into slot " + slot.name() + " (port " + slot.port() + ") of "
              + run.target() + ", the first slot there");
      // written in the commit that starts the target's first step: a restart finds the same slot
      pending.add(() -> {
        records.choose(d.id(), run.target(), slot.name(), live.orElse(null), now);
        deployments.record(d.id(), DeploymentEvent.Kind.LOG, run.target(), null, "gantry", why, now);
      });
    }
    StepResult ran = steps.run(d, run, target, Engine.EXECUTE, plan.steps(d), version, slot, plan, pending);
    if (ran.failure() != null || ran.waitFor() != null) {
      return ran;
    }
    if (!plan.stage().acceptance().isEmpty()) {
      StepResult checked = steps.run(d, run, target, IDLE_CHECK, plan.stage().acceptance(), version, slot, plan,
          pending);
      if (checked.failure() != null) {
        return StepResult.failed("acceptance check on the idle slot " + slot.name() + " failed (nothing was "
            + "switched): " + checked.failure());
      }
      if (checked.waitFor() != null) {
        return checked;
      }
    }
    Stage.Analysis analysis = plan.stage().strategy().blueGreen().analysis();
    if (analysis != null) {
      StepResult analysed = analyse(d, plan, run, slot, analysis, pending);
      if (analysed != null) {
        return analysed;
      }
    }
    StepResult switched = steps.run(d, run, target, SWITCH, switchSteps(plan), version, slot, plan, pending);
    if (switched.failure() != null || switched.waitFor() != null) {
      return switched;
    }
    Optional<BlueGreenRecords.SlotRun> took = records.slotRun(d.id(), run.target());
    String before = took.map(BlueGreenRecords.SlotRun::previousSlot).orElse(null);
    Instant now = clock.instant();
    pending.add(() -> {
      records.switched(d.id(), run.target(), d.component(), slot.name(), d.version(), false, now);
      deployments.record(d.id(), DeploymentEvent.Kind.SWITCH, run.target(), SWITCH, "gantry", "switched "
          + run.target() + " to slot " + slot.name() + " (port " + slot.port() + "), " + d.version() + " is live"
          + (before == null ? "" : "; " + before + " is kept as it is for an instant switch back"), now);
    });
    return switched;
  }

  /** The step-run phase of round N of an idle slot's analysis checks, before the N. */
  static final String IDLE_ANALYSIS = "idle-analysis-";

  /**
   * The analysis of the target's idle slot, after its acceptance checks and before its switch: null once it
   * passed (the switch follows), a failure when it failed (nothing is switched), or a wait for its next round
   * (the target keeps its place and no worker waits). Its checks run against the idle slot; its metrics'
   * {@code ${targets}} is the target, {@code ${slot}} and {@code ${port}} the idle slot's.
   */
  private StepResult analyse(Deployment d, Plan plan, TargetRun run, Slot slot, Stage.Analysis analysis,
      PendingWrites pending) {
    // the slot's steps and checks are written before the analysis starts, so its rounds find them done
    pending.flush();
    Analyses.Subject subject = new Analyses.Subject(AnalysisRecords.idleSlot(run.target()), "analysis of the idle "
        + "slot " + slot.name() + " on " + run.target(), analysis, List.of(run), "targets", List.of(),
        Map.of("slot", slot.name(), "port", String.valueOf(slot.port())), target -> slot, IDLE_ANALYSIS,
        DeploymentEvent.WaitKind.SWITCH_ANALYSIS, 1);
    return switch (analyses.advance(d, subject, (passed, outcome) -> {})) {
      case Analyses.Outcome.Passed p -> null;
      case Analyses.Outcome.Failed f -> StepResult.failed(f.outcome() + " (nothing was switched)");
      case Analyses.Outcome.Waits w -> new StepResult(w.what(), w.kind(), null, w.at());
      case Analyses.Outcome.Aborted a -> StepResult.failed("aborted during the analysis of the idle slot "
          + slot.name() + " (nothing was switched)");
    };
  }

  /**
   * The rollback of a blue-green deployment: each target whose switch started is switched back to the
   * slot that served before it (its folder untouched, so nothing is installed); a target that never
   * switched still serves from its live slot, and needs nothing.
   */
  Optional<Instant> switchBack(Deployment d, Plan plan) {
    List<String> problems = new ArrayList<>();
    for (TargetRun run : deployments.targetRuns(d.id())) {
      if (run.state() == TargetRunState.PENDING || run.state() == TargetRunState.SKIPPED
          || run.state() == TargetRunState.ROLLED_BACK) {
        continue;
      }
      Optional<BlueGreenRecords.SlotRun> slotRun = records.slotRun(d.id(), run.target());
      boolean switchStarted = deployments.stepRuns(run).stream().anyMatch(s -> s.phase().equals(SWITCH));
      String before = slotRun.map(BlueGreenRecords.SlotRun::previousSlot).orElse(null);
      TargetRun rolling = run.state() == TargetRunState.ROLLING_BACK ? run
          : tx.execute(s -> deployments.transition(run, TargetRunState.ROLLING_BACK, switchStarted && before != null
              ? "switching back to slot " + before : "nothing to switch back", clock.instant()));
      if (!switchStarted) {
        String kept = before == null ? "nothing was switched on " + run.target()
            : "the live slot " + before + " was never switched away from on " + run.target() + " and serves as before";
        tx.executeWithoutResult(s -> deployments.transition(rolling, TargetRunState.ROLLED_BACK, kept,
            clock.instant()));
        continue;
      }
      if (before == null) {
        problems.add(run.target() + " had no slot serving before this deployment to switch back to");
        tx.executeWithoutResult(s -> deployments.transition(rolling, TargetRunState.FAILED, "no slot served before "
            + "this deployment on " + run.target() + ", so there is none to switch back to", clock.instant()));
        continue;
      }
      Target target = targets.find(run.target()).orElse(null);
      if (target == null) {
        problems.add(run.target() + " no longer exists");
        continue;
      }
      String previousVersion = slotRun.get().previousVersion();
      ComponentVersion previous = library.get(d.component(), previousVersion);
      Slot back = slot(plan, before);
      PendingWrites pending = progress.writes();
      StepResult result = steps.run(d, rolling, target, SWITCH_BACK, switchSteps(plan), previous, back, plan,
          pending);
      if (result.waitFor() != null) {
        pending.flush();
        return progress.waitFor(d, result);
      }
      pending.writeWith(() -> {
        Instant now = clock.instant();
        if (result.failure() == null) {
          records.switched(d.id(), run.target(), d.component(), back.name(), previousVersion, true, now);
          deployments.record(d.id(), DeploymentEvent.Kind.SWITCH, run.target(), SWITCH_BACK, "gantry",
              "switched " + run.target() + " back to slot " + back.name() + " (port " + back.port() + "), "
                  + previousVersion + " is live again", now);
        }
        deployments.transition(rolling, result.failure() == null ? TargetRunState.ROLLED_BACK
            : TargetRunState.FAILED, result.failure() == null ? "runs " + previousVersion + " again in slot "
            + back.name() : "switch back failed: " + result.failure(), now);
      });
      if (result.failure() != null) {
        problems.add(run.target() + ": " + result.failure());
      }
    }
    if (problems.isEmpty()) {
      progress.move(d, DeploymentState.ROLLED_BACK, "every target touched serves from the slot it served from "
          + "before");
    } else {
      progress.move(d, DeploymentState.FAILED, "switch back incomplete: " + String.join("; ", problems));
    }
    return Optional.empty();
  }
}
