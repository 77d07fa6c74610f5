package io.gantry.execution;

import io.gantry.catalog.Artifact;
import io.gantry.catalog.ComponentRef;
import io.gantry.catalog.ComponentVersion;
import io.gantry.environment.Target;
import io.gantry.model.Step;
import io.gantry.model.TargetRequirement;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A host Gantry cannot reach, worked on by the agent running there ({@code gantry agent}), which pulls its
 * work from the server. Its facts are the ones declared on the target and, below them, the ones its agent
 * reports ({@code os.name}, {@code disk.free-mb}, {@code tools}...).
 */
record AgentHost(Target target, AgentHosts agents, StepRunner runner) implements TargetAccess {

  @Override
  public boolean runs(Step step) {
    // the agent's host takes what a local folder takes; a cluster's step goes to a kubernetes target
    return !(step instanceof Step.KubernetesApply);
  }

  @Override
  public String verify(List<TargetRequirement> requirements) {
    AgentHosts.Reported reported = agents.reported(target.name());
    if (reported == null) {
      return "no approved agent works for target " + target.name() + ": start one on its host (gantry agent) and "
          + "approve it (gantry agents approve NAME --target " + target.name() + ")";
    }
    if (reported.lost() != null) {
      return reported.lost();
    }
    for (TargetRequirement requirement : requirements) {
      String problem = switch (requirement) {
        case TargetRequirement.Fact f -> fact(reported, f);
        case TargetRequirement.FreeDisk f -> freeDisk(reported, f.minimumMb());
        case TargetRequirement.Tool t -> tool(reported, t.name());
        case TargetRequirement.Command c -> "target " + target.name() + " is worked on by agent " + reported.agent()
            + ", which does not run check commands: require facts, free disk or tools of an agent's host";
      };
      if (problem != null) {
        return problem;
      }
    }
    return null;
  }

  private String fact(AgentHosts.Reported reported, TargetRequirement.Fact f) {
    String value = target.definition().facts().getOrDefault(f.fact(), reported.facts().get(f.fact()));
    return f.equals().equals(value) ? null
        : "fact " + f.fact() + " is " + (value == null ? "(not set)" : value) + ", the model requires " + f.equals();
  }

  private static String freeDisk(AgentHosts.Reported reported, int minimumMb) {
    String free = reported.facts().get("disk.free-mb");
    if (free == null || !free.matches("\\d{1,18}")) {
      return "agent " + reported.agent() + " reported no free disk space (disk.free-mb)";
    }
    long mb = Long.parseLong(free);
    return mb >= minimumMb ? null : "only " + mb + " MB free on the host of agent " + reported.agent()
        + ", the model requires " + minimumMb + " MB";
  }

  private static String tool(AgentHosts.Reported reported, String name) {
    List<String> tools = Arrays.asList(reported.facts().getOrDefault("tools", "").split(","));
    return tools.contains(name) ? null
        : "tool " + name + " is not on the PATH of agent " + reported.agent() + " (it reported: "
            + reported.facts().getOrDefault("tools", "none") + ")";
  }

  /**
   * Ready without asking the agent: the agent makes the component's folder ready itself before every piece of
   * work that touches the host ({@link AgentWork#perform}), and a refusal fails that piece with the same words.
   */
  @Override
  public Preparation prepare(ComponentRef component, Supplier<List<ComponentRef>> workedHere) {
    return Preparation.READY;
  }

  @Override
  public StepContext context(ComponentVersion version, Slot slot, Map<String, String> variables,
      Function<Artifact, InputStream> artifacts, Consumer<String> log) {
    // the folder is the agent's, on its host: named here only for the record
    Path folder = Path.of("/agent", target.name()).resolve(ComponentFolder.of(version.component()));
    return StepContext.on(target, slot == null ? folder : folder.resolve(slot.name()), null, version, slot, variables,
        artifacts, log);
  }

  @Override
  public StepOutcome switchTo(StepContext context, Step.Shell command) {
    return agents.perform(target.name(), AgentWork.switchTo(target.name(), context, command),
        AgentWork.timeout(command, context), context.log());
  }

  @Override
  public StepOutcome run(Step step, StepContext context) {
    // people's steps and waits do not touch the host: they are kept on the server, as for every target
    if (step instanceof Step.Manual || step instanceof Step.Approval || step instanceof Step.Wait) {
      return runner.run(step, context);
    }
    // the work names its secrets, never holds them: the server sends their values with the work's lease
    return agents.perform(target.name(), AgentWork.run(target.name(), step, context), AgentWork.timeout(step, context),
        context.log());
  }
}
