package io.gantry.execution;

import io.gantry.catalog.Artifact;
import io.gantry.catalog.ComponentRef;
import io.gantry.catalog.ComponentVersion;
import io.gantry.environment.LocalTargets;
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
 * How Gantry works on one target, whatever its kind: a folder on the Gantry host, a folder on
 * another host reached over SSH, a site where people do the work, a namespace of a Kubernetes cluster,
 * or a host whose agent pulls its work. The kinds differ here and nowhere else, so the engine asks and
 * never looks at a target's kind.
 */
public sealed interface TargetAccess permits LocalFolder, SshFolder, Site, KubernetesNamespace, AgentHost {

  /**
   * The access to {@code target}.
   *
   * @param places where local targets' folders are ({@link LocalTargets#resolve}) and the data directory:
   *     relative identity files are read against it, and a site keeps its (empty) working folder in it
   * @param runner what runs the steps
   */
  static TargetAccess of(Target target, LocalTargets places, StepRunner runner) {
    Path data = places.dataDir();
    return switch (target.definition().kind()) {
      case LOCAL -> LocalFolder.of(target, places, runner);
      case SSH -> new SshFolder(target, SshFolder.endpoint(target, data), runner);
      case SITE -> new Site(target, data.resolve("sites").resolve(target.name()), runner);
      case KUBERNETES -> new KubernetesNamespace(target, data.resolve("kubernetes").resolve(target.name()), runner);
      case AGENT -> new AgentHost(target, runner.agents(), runner);
    };
  }

  /** Whether the target can take this step at all (a site takes only people's steps). */
  boolean runs(Step step);

  /**
   * Whether the target can be worked on and meets the model's requirements: null when it does, else
   * the first thing wrong.
   */
  String verify(List<TargetRequirement> requirements);

  /**
   * As {@link #verify(List)}, before a deployment of {@code component}: a target may look at the component's folder
   * in the same go, so that {@link #prepare} soon after has nothing left to ask of the host (an SSH target).
   */
  default String verify(List<TargetRequirement> requirements, ComponentRef component) {
    return verify(requirements);
  }

  /**
   * Makes the component's folder on the target ready for its steps ({@code <target>/<service>.<component>/},
   * a real folder, never a symbolic link), moving the shared layout of an earlier Gantry ({@code current}
   * and the releases folder at the top of the target) into the folder of the one component the record
   * says changed files there. Run before a component's steps on the target, by the deployment holding
   * the target; safe to run again, also after a stop half-way.
   *
   * @param workedHere the components whose steps ever changed files on this target, as recorded;
   *     asked only when an earlier layout is found
   */
  Preparation prepare(ComponentRef component, Supplier<List<ComponentRef>> workedHere);

  /**
   * What a step needs to run on this target: its folder is the component's folder on the target
   * (see {@link #prepare}), or in a blue-green slot the slot's folder in it
   * ({@code <component folder>/blue} or {@code /green}). The target's facts are variables too, below
   * the ones given.
   *
   * @param slot the blue-green slot the step works in; null outside one
   * @param artifacts opens an artifact's bytes, e.g. {@code library::open}
   * @param log receives progress and command output, one line at a time
   */
  StepContext context(ComponentVersion version, Slot slot, Map<String, String> variables,
      Function<Artifact, InputStream> artifacts, Consumer<String> log);

  /**
   * Makes the context's slot the live one: the {@code live} link in the component's folder is replaced
   * by one to the slot in one rename, then {@code command} (if any) runs in the component's folder with
   * the slot's variables, e.g. to point a proxy at its port. When the command fails the link is put
   * back where it pointed before. Safe to run again.
   *
   * @param context a context from {@link #context} in the slot to make live
   */
  StepOutcome switchTo(StepContext context, Step.Shell command);

  /** Runs one step with a context from {@link #context}; a step the target does not take fails. */
  StepOutcome run(Step step, StepContext context);
}
