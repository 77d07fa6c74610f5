package io.gantry.deployment;

import io.gantry.catalog.Library;
import io.gantry.catalog.VersionStatus;
import io.gantry.environment.Target;
import io.gantry.environment.Targets;
import io.gantry.execution.TargetAccess;
import io.gantry.model.Criterion;
import io.gantry.model.Stage;
import io.gantry.model.Step;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Planning: the deployment waits for its planned start, its turn in the queue of its environment and
 * component, and its gates; its stage's entry criteria are checked; then the targets that can take
 * its steps are chosen and put in batches as the strategy says.
 */
final class Planning {

  private static final Logger log = LoggerFactory.getLogger(Planning.class);

  private final Deployments deployments;
  private final Library library;
  private final Targets targets;
  private final Function<Target, TargetAccess> access;
  private final TransactionTemplate tx;
  private final Clock clock;
  private final Supplier<List<DeploymentGate>> gates;
  private final Progress progress;

  Planning(Deployments deployments, Library library, Targets targets, Function<Target, TargetAccess> access,
      TransactionTemplate tx, Clock clock, Supplier<List<DeploymentGate>> gates, Progress progress) {
    this.deployments = deployments;
    this.library = library;
    this.targets = targets;
    this.access = access;
    this.tx = tx;
    this.clock = clock;
    this.gates = gates;
    this.progress = progress;
  }

  Optional<Instant> run(Deployment d, Plan plan) {
    Instant now = clock.instant();
    if (d.plannedStart() != null && d.plannedStart().isAfter(now)) {
      return progress.waitFor(d, DeploymentEvent.WaitKind.SCHEDULE, "its planned start at " + d.plannedStart(),
          d.plannedStart());
    }
    List<Deployment> queue = deployments.queue(d.environment(), d.component(), now);
    List<Deployment> ahead = queue.subList(0, Math.max(0, queue.stream().map(Deployment::id).toList().indexOf(d.id())));
    if (!ahead.isEmpty()) {
      return progress.waitFor(d, DeploymentEvent.WaitKind.LOCK, "deployment #" + ahead.getFirst().id() + " of "
          + d.component() + " in " + d.environment() + " (deployments to one environment and component run one at a "
          + "time; " + ahead.size() + " ahead in the queue)", null);
    }
    Stage stage = plan.stage();
    for (DeploymentGate gate : gates.get()) {
      switch (gate.check(d, stage, now)) {
        case DeploymentGate.Verdict.Pass pass -> {}
        case DeploymentGate.Verdict.Wait wait -> {
          return progress.waitFor(d, wait.kind(), wait.what(), wait.lookAgainAt());
        }
        case DeploymentGate.Verdict.Fail failure -> {
          return progress.fail(d, failure.reason());
        }
        case DeploymentGate.Verdict.Cancel cancel -> {
          progress.move(d, DeploymentState.CANCELLED, "cancelled: " + cancel.reason());
          return Optional.empty();
        }
      }
    }
    for (Criterion criterion : stage.entryCriteria()) {
      String unmet = unmet(criterion, d, plan);
      if (unmet != null) {
        return progress.fail(d, "entry criterion not met: " + unmet);
      }
    }
    List<Step> steps = plan.steps(d);
    Map<String, String> current = deployments.currentVersions(d.environment(), d.component());
    boolean undeploy = d.kind() == Deployment.Kind.UNDEPLOY;
    List<Target> chosen = targets.in(d.environment()).stream()
        .filter(t -> steps.stream().allMatch(access.apply(t)::runs))
        .filter(t -> !undeploy || current.containsKey(t.name())).toList();
    if (chosen.isEmpty()) {
      return progress.fail(d, undeploy
          ? d.component() + " is on no target of " + d.environment() + "; nothing to remove"
          : "environment " + d.environment() + " has no target that can run the steps of stage " + stage.name());
    }
    // an undeploy removes the component: there is nothing to try out on a canary first
    List<List<Target>> batches = undeploy && stage.strategy().type() == Stage.Strategy.Type.CANARY
        ? batches(chosen, new Stage.Strategy(stage.strategy().batchSize() == null ? Stage.Strategy.Type.ALL_AT_ONCE
            : Stage.Strategy.Type.ROLLING, stage.strategy().batchSize(), null, null))
        : batches(chosen, stage.strategy());
    Boolean planned = tx.execute(s -> {
      // planners of one environment and component take turns here, so two can never both think they are first
      deployments.lockQueue(d.environment(), d.component());
      List<Deployment> inQueue = deployments.queue(d.environment(), d.component(), clock.instant());
      if (!inQueue.isEmpty() && inQueue.getFirst().id() != d.id()) {
        return false;
      }
      for (int b = 0; b < batches.size(); b++) {
        for (Target t : batches.get(b)) {
          deployments.addTargetRun(d.id(), t.name(), b, current.get(t.name()));
        }
      }
      deployments.transition(deployments.get(d.id()), DeploymentState.PLANNED, "gantry", "model " + d.model() + " v"
          + d.modelVersion() + ", stage " + stage.name() + ": " + chosen.size() + " target(s) in " + batches.size()
          + " batch(es), " + stage.strategy().type().name().toLowerCase().replace('_', '-'), clock.instant());
      return true;
    });
    if (!Boolean.TRUE.equals(planned)) {
      return progress.waitFor(d, DeploymentEvent.WaitKind.LOCK, "another deployment of " + d.component() + " in "
          + d.environment() + " that went ahead", null);
    }
    for (DeploymentGate gate : gates.get()) {
      try {
        gate.started(d, clock.instant());
      } catch (RuntimeException e) {
        log.error("{} could not take note that deployment {} started", gate.getClass().getSimpleName(), d.id(), e);
      }
    }
    return Optional.empty();
  }

  static List<List<Target>> batches(List<Target> chosen, Stage.Strategy strategy) {
    if (strategy.type() == Stage.Strategy.Type.ALL_AT_ONCE || strategy.type() == Stage.Strategy.Type.BLUE_GREEN) {
      // blue-green: every target in one batch, each switched once its idle slot is verified
      return List.of(chosen);
    }
    if (strategy.type() == Stage.Strategy.Type.CANARY) {
      // the canary first (batch 0), then the rest in batches of batchSize, all together without one
      int canary = Canary.size(chosen.size(), strategy.canary().share());
      List<List<Target>> out = new ArrayList<>();
      out.add(chosen.subList(0, canary));
      out.addAll(batches(chosen.subList(canary, chosen.size()), new Stage.Strategy(
          strategy.batchSize() == null ? Stage.Strategy.Type.ALL_AT_ONCE : Stage.Strategy.Type.ROLLING,
          strategy.batchSize(), null, null)));
      return out.stream().filter(b -> !b.isEmpty()).toList();
    }
    String size = strategy.batchSize() == null ? "1" : strategy.batchSize();
    int n = size.endsWith("%")
        ? Math.max(1, (int) Math.ceil(chosen.size() * Integer.parseInt(size.substring(0, size.length() - 1)) / 100.0))
        : Integer.parseInt(size);
    List<List<Target>> out = new ArrayList<>();
    for (int i = 0; i < chosen.size(); i += n) {
      out.add(chosen.subList(i, Math.min(chosen.size(), i + n)));
    }
    return out;
  }

  /**
   * What an entry criterion finds missing; null when it is met, or when it is a check or a person's
   * confirmation, which {@link StageCriteria} meets once the target environment is verified.
   */
  private String unmet(Criterion criterion, Deployment d, Plan plan) {
    return switch (criterion) {
      case Criterion.StageSucceeded s -> {
        String env = plan.model().spec().stages().stream().filter(x -> x.name().equals(s.stage())).findFirst()
            .map(Stage::environment).orElse(s.stage());
        boolean done = deployments.succeeded(env, d.component(), d.version());
        yield done ? null : d.component() + "@" + d.version() + " has not yet succeeded in stage " + s.stage()
            + " (" + env + ")";
      }
      case Criterion.VersionStatus v -> {
        VersionStatus status = library.get(d.component(), d.version()).status();
        yield status.id().equals(v.status()) || status == VersionStatus.APPROVED ? null
            : "the version is " + status.id() + ", the stage needs " + v.status();
      }
      case Criterion.Manual m -> null;
      case Criterion.Check c -> null;
    };
  }
}
