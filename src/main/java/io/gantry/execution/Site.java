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
 * A physical site where people do the work: it takes only manual and approval steps, and of the
 * model's requirements only its declared facts can be checked (any other fails verification). {@code root} is a folder of Gantry's
 * own, since a step context needs one.
 */
record Site(Target target, Path root, StepRunner runner) implements TargetAccess {

  @Override
  public boolean runs(Step step) {
    return step instanceof Step.Manual || step instanceof Step.Approval;
  }

  @Override
  public String verify(List<TargetRequirement> requirements) {
    // a place has no disk, PATH or shell to look at: a model that requires one cannot be met here, and
    // saying so beats passing a check that was never made
    for (TargetRequirement requirement : requirements) {
      String cannot = switch (requirement) {
        case TargetRequirement.Fact f -> null;
        case TargetRequirement.FreeDisk f -> "free disk space";
        case TargetRequirement.Tool t -> "the tool " + t.name();
        case TargetRequirement.Command c -> "the check command " + c.command();
      };
      if (cannot != null) {
        return "the model requires " + cannot + ", which cannot be checked on a site (a physical location); "
            + "declare it as a fact of the site, or use a model without that requirement for what goes there";
      }
    }
    return Requirements.facts(target, requirements);
  }

  /** A site keeps no component's files: nothing to prepare. */
  @Override
  public Preparation prepare(ComponentRef component, Supplier<List<ComponentRef>> workedHere) {
    return Preparation.READY;
  }

  @Override
  public StepContext context(ComponentVersion version, Slot slot, Map<String, String> variables,
      Function<Artifact, InputStream> artifacts, Consumer<String> log) {
    return StepContext.on(target, root, null, version, slot, variables, artifacts, log);
  }

  /** A place has no folder of slots to switch between. */
  @Override
  public StepOutcome switchTo(StepContext context, Step.Shell command) {
    return new StepOutcome.Failed("a site target has no blue-green slots: its work is done by people");
  }

  @Override
  public StepOutcome run(Step step, StepContext context) {
    if (!runs(step)) {
      return new StepOutcome.Failed("a site target runs only manual and approval steps");
    }
    return runner.run(step, context);
  }
}
