package io.gantry.execution;

import io.gantry.catalog.Artifact;
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

/**
 * How Gantry works on one target, whatever its kind: a folder on the Gantry host, a folder on
 * another host reached over SSH, or a site where people do the work. The kinds differ here and
 * nowhere else, so the engine asks and never looks at a target's kind.
 */
public sealed interface TargetAccess permits LocalFolder, SshFolder, Site {

  /**
   * The access to {@code target}.
   *
   * @param dataDir Gantry's data folder: relative target folders and identity files are read against it,
   *     and a site keeps its (empty) working folder in it
   * @param runner what runs the steps
   */
  static TargetAccess of(Target target, Path dataDir, StepRunner runner) {
    Path data = dataDir.toAbsolutePath().normalize();
    return switch (target.definition().kind()) {
      case LOCAL -> new LocalFolder(target, LocalFolder.root(target, data), runner);
      case SSH -> new SshFolder(target, SshFolder.endpoint(target, data), runner);
      case SITE -> new Site(target, data.resolve("sites").resolve(target.name()), runner);
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
   * What a step needs to run on this target. The target's facts are variables too, below the ones given.
   *
   * @param artifacts opens an artifact's bytes, e.g. {@code library::open}
   * @param log receives progress and command output, one line at a time
   */
  StepContext context(ComponentVersion version, Map<String, String> variables,
      Function<Artifact, InputStream> artifacts, Consumer<String> log);

  /** Runs one step with a context from {@link #context}; a step the target does not take fails. */
  StepOutcome run(Step step, StepContext context);
}
