package io.gantry.execution;

import io.gantry.catalog.Artifact;
import io.gantry.catalog.ComponentRef;
import io.gantry.catalog.ComponentVersion;
import io.gantry.environment.LocalTargets;
import io.gantry.environment.Target;
import io.gantry.model.Step;
import io.gantry.model.TargetRequirement;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A folder on the Gantry host: checked by looking at it, and at this host's disk and tools. {@code refused}
 * says why the folder may not be worked on (it is, lies in or holds the data directory; see
 * {@link LocalTargets}), null when it may: configuration refuses such a folder, so only a target stored
 * before that rule can have one, and nothing is done there.
 */
record LocalFolder(Target target, Path root, String refused, StepRunner runner) implements TargetAccess {

  static LocalFolder of(Target target, LocalTargets places, StepRunner runner) {
    String path = target.definition().path();
    String refused = places.problem(path);
    Path root = refused == null ? places.resolve(path) : places.root().resolve(target.name());
    return new LocalFolder(target, root, refused == null ? null : "target " + target.name() + ": " + refused, runner);
  }

  @Override
  public boolean runs(Step step) {
    return !(step instanceof Step.KubernetesApply);
  }

  @Override
  public String verify(List<TargetRequirement> requirements) {
    if (refused != null) {
      return refused;
    }
    try {
      Files.createDirectories(root);
    } catch (IOException e) {
      return "folder " + root + " cannot be created: " + e.getMessage();
    }
    if (!Files.isWritable(root)) {
      return "folder " + root + " is not writable";
    }
    for (TargetRequirement requirement : requirements) {
      String problem = switch (requirement) {
        case TargetRequirement.Fact f -> Requirements.fact(target, f);
        case TargetRequirement.FreeDisk f -> Requirements.freeDisk(root, f.minimumMb());
        case TargetRequirement.Tool t -> Requirements.tool(t.name());
        case TargetRequirement.Command c -> Requirements.command(root, c.command(), runner.user());
      };
      if (problem != null) {
        return problem;
      }
    }
    return null;
  }

  @Override
  public Preparation prepare(ComponentRef component, Supplier<List<ComponentRef>> workedHere) {
    if (refused != null) {
      return Preparation.refused(refused);
    }
    try {
      Preparation prepared = LocalLayout.prepare(target.name(), root, component, workedHere);
      StepUser user = runner.user();
      if (!prepared.ready() || user.isServer()) {
        return prepared;
      }
      // the steps run as the user, in the component's folder: it is the user's, and with what was there
      // before the first time (from when steps ran as the server's user)
      Path folder = root.resolve(ComponentFolder.of(component));
      user.createDirectories(folder);
      user.ownAll(folder);
      String cannot = user.cannotWork(folder);
      return cannot == null ? prepared : Preparation.refused("target " + target.name() + ": " + cannot);
    } catch (IOException e) {
      return Preparation.refused("could not prepare the folder of " + component + " in " + root + ": " + e);
    }
  }

  @Override
  public StepContext context(ComponentVersion version, Slot slot, Map<String, String> variables,
      Function<Artifact, InputStream> artifacts, Consumer<String> log) {
    Path folder = root.resolve(ComponentFolder.of(version.component()));
    return StepContext.on(target, slot == null ? folder : folder.resolve(slot.name()), null, version, slot,
        variables, artifacts, log);
  }

  @Override
  public StepOutcome switchTo(StepContext context, Step.Shell command) {
    if (refused != null) {
      return new StepOutcome.Failed(refused);
    }
    return runner.switchTo(context, command);
  }

  @Override
  public StepOutcome run(Step step, StepContext context) {
    if (refused != null) {
      return new StepOutcome.Failed(refused);
    }
    return runner.run(step, context);
  }
}
