package io.gantry.execution;

import io.gantry.environment.Target;
import io.gantry.model.TargetRequirement;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The checks of a model's target requirements made on the Gantry host: null when met, else what is wrong. */
final class Requirements {

  private Requirements() {}

  /** The first of the declared facts the target does not have. */
  static String facts(Target target, List<TargetRequirement> requirements) {
    for (TargetRequirement requirement : requirements) {
      String problem = requirement instanceof TargetRequirement.Fact f ? fact(target, f) : null;
      if (problem != null) {
        return problem;
      }
    }
    return null;
  }

  static String fact(Target target, TargetRequirement.Fact f) {
    var facts = target.definition().facts();
    return f.equals().equals(facts.get(f.fact())) ? null : "fact " + f.fact() + " is "
        + facts.getOrDefault(f.fact(), "(not set)") + ", the model requires " + f.equals();
  }

  static String freeDisk(Path root, int minimumMb) {
    try {
      long free = Files.getFileStore(root).getUsableSpace() / (1024 * 1024);
      return free >= minimumMb ? null : "only " + free + " MB free, the model requires " + minimumMb + " MB";
    } catch (IOException e) {
      return "free disk space unknown: " + e.getMessage();
    }
  }

  static String tool(String name) {
    String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
    for (String dir : path.split(":")) {
      if (Files.isExecutable(Path.of(dir, name))) {
        return null;
      }
    }
    return "tool " + name + " is not on the PATH";
  }

  static String command(Path root, String command) {
    return command(root, command, StepUser.SERVER);
  }

  /** A check command, run as the steps on the target are ({@code user}). */
  static String command(Path root, String command, StepUser user) {
    try {
      ProcessBuilder builder = new ProcessBuilder(user.command(List.of("/bin/sh", "-c", command)))
          .directory(root.toFile()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
      StepEnvironment.reset(builder.environment());
      user.environment(builder.environment());
      Process p = builder.start();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return "check command did not finish within 30s: " + command;
      }
      return p.exitValue() == 0 ? null : "check command exited " + p.exitValue() + ": " + command;
    } catch (IOException e) {
      return "check command could not run: " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }
}
