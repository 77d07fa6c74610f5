package io.gantry.execution;

import io.gantry.catalog.ArtifactPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resolves paths a step names against the target folder, refusing any that would leave it. */
final class TargetPaths {

  private TargetPaths() {}

  /**
   * The path {@code relative} names under {@code root}. Refused when it is absolute, climbs out with
   * {@code ..}, or (where it already exists in part) leads out through a symbolic link.
   */
  static Path inside(Path root, String relative, String field) {
    if (relative == null || relative.isBlank()) {
      throw new StepFailure(field + " is empty");
    }
    Path given = Path.of(relative);
    if (given.isAbsolute()) {
      throw new StepFailure(field + " \"" + relative + "\" must be relative to the target folder");
    }
    Path resolved = root.resolve(given).normalize();
    if (!resolved.startsWith(root)) {
      throw new StepFailure(field + " \"" + relative + "\" escapes the target folder " + root);
    }
    Path existing = resolved;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing != null) {
      try {
        if (!existing.toRealPath().startsWith(root.toRealPath())) {
          throw new StepFailure(field + " \"" + relative + "\" leads out of the target folder " + root
              + " through a symbolic link");
        }
      } catch (IOException e) {
        throw new StepFailure("cannot resolve " + field + " \"" + relative + "\": " + e.getMessage());
      }
    }
    return resolved;
  }

  /** A path inside a version (an artifact or template source), checked by the library's own rule. */
  static Path artifactPath(Path folder, String artifactPath) {
    String problem = ArtifactPaths.problem(artifactPath);
    if (problem != null) {
      throw new StepFailure(problem);
    }
    Path resolved = folder.resolve(artifactPath).normalize();
    if (!resolved.startsWith(folder)) {
      throw new StepFailure("artifact path \"" + artifactPath + "\" escapes its folder");
    }
    return resolved;
  }
}
