package io.gantry.execution;

import io.gantry.catalog.Artifact;
import io.gantry.catalog.ComponentRef;
import io.gantry.catalog.ComponentVersion;
import io.gantry.environment.Target;
import io.gantry.model.Step;
import io.gantry.model.TargetRequirement;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A namespace of a Kubernetes cluster (experimental): it takes {@code kubernetes.apply}, checks, waits
 * and people's steps, never a step that works on a folder (a shell command, an install, a template).
 * {@code root} is a folder of Gantry's own, never created, since a step context needs one.
 */
record KubernetesNamespace(Target target, Path root, StepRunner runner) implements TargetAccess {

  @Override
  public boolean runs(Step step) {
    return KubernetesSteps.takes(step);
  }

  @Override
  public String verify(List<TargetRequirement> requirements) {
    for (TargetRequirement requirement : requirements) {
      String cannot = switch (requirement) {
        case TargetRequirement.Fact f -> null;
        case TargetRequirement.FreeDisk f -> "free disk space";
        case TargetRequirement.Tool t -> "the tool " + t.name();
        case TargetRequirement.Command c -> "the check command " + c.command();
      };
      if (cannot != null) {
        return "the model requires " + cannot + ", which cannot be checked on a kubernetes target (a namespace, "
            + "not a host); declare it as a fact of the target, or use a model without that requirement";
      }
    }
    String facts = Requirements.facts(target, requirements);
    return facts != null ? facts : runner.checkNamespace(target);
  }

  /** A namespace keeps no component's folder: nothing to prepare. */
  @Override
  public Preparation prepare(ComponentRef component, Supplier<List<ComponentRef>> workedHere) {
    return Preparation.READY;
  }

  @Override
  public StepContext context(ComponentVersion version, Slot slot, Map<String, String> variables,
      Function<Artifact, InputStream> artifacts, Consumer<String> log) {
    return StepContext.on(target, root, null, version, slot, variables, artifacts, log);
  }

  @Override
  public StepOutcome switchTo(StepContext context, Step.Shell command) {
    return new StepOutcome.Failed("a kubernetes target has no blue-green slots: its rollout is the Deployment's own");
  }

  @Override
  public StepOutcome run(Step step, StepContext context) {
    if (!runs(step)) {
      return new StepOutcome.Failed("step " + step.name() + ": a kubernetes target runs only " + KubernetesSteps.TAKES + " steps, "
          + "not a step that works on a folder");
    }
    if (step instanceof Step.KubernetesApply apply) {
      return runner.applyManifests(apply, context, target);
    }
    return runner.run(step, context);
  }
}
