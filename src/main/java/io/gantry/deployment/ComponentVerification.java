package io.gantry.deployment;

import java.util.function.Function;

import io.gantry.catalog.ComponentVersion;
import io.gantry.catalog.Library;
import io.gantry.catalog.VersionStatus;
import io.gantry.shared.IntegrityViolationException;
import java.time.Instant;
import java.util.Optional;

/**
 * Verification of components: the version is still wanted (not withdrawn; approved where the
 * environment is controlled), its stored artifacts match their digests, and it has what the model
 * requires.
 */
final class ComponentVerification {

  private final Library library;
  private final Progress progress;
  /** Why the version's artifacts are not all signed by a trusted key, or null when they are. */
  private final Function<ComponentVersion, String> signatureProblem;

  ComponentVerification(Library library, Progress progress, Function<ComponentVersion, String> signatureProblem) {
    this.library = library;
    this.progress = progress;
    this.signatureProblem = signatureProblem;
  }

  Optional<Instant> run(Deployment d, Plan plan) {
    if (d.kind() == Deployment.Kind.UNDEPLOY) {
      progress.move(d, DeploymentState.COMPONENTS_VERIFIED, "nothing to verify: " + d.component() + "@" + d.version()
          + " is being removed, not installed");
      return Optional.empty();
    }
    ComponentVersion version = library.get(d.component(), d.version());
    if (version.status() == VersionStatus.WITHDRAWN) {
      return progress.fail(d, "component verification: " + d.component() + "@" + d.version() + " was withdrawn");
    }
    if (plan.environment().definition().controlled() && version.status() != VersionStatus.APPROVED) {
      return progress.fail(d, "component verification: " + d.environment() + " is a controlled environment and "
          + "accepts only approved versions; " + d.version() + " is " + version.status().id());
    }
    try {
      library.verify(version);
    } catch (IntegrityViolationException e) {
      return progress.fail(d, "component verification: " + e.getMessage());
    }
    var checks = plan.model().spec().componentChecks();
    for (String path : checks.requiredArtifacts()) {
      if (version.artifacts().stream().noneMatch(a -> a.path().equals(path))) {
        return progress.fail(d, "component verification: the model requires the artifact " + path
            + ", which the version lacks");
      }
    }
    for (String attribute : checks.requiredAttributes()) {
      if (!version.attributes().containsKey(attribute)) {
        return progress.fail(d, "component verification: the model requires the attribute " + attribute
            + ", which the version lacks");
      }
    }
    if (checks.requireSignature()) {
      String unsigned = signatureProblem.apply(version);
      if (unsigned != null) {
        return progress.fail(d, "component verification: " + unsigned);
      }
    }
    if (checks.requireSbom() != null) {
      String sbom = library.sbomProblem(version, checks.requireSbom());
      if (sbom != null) {
        return progress.fail(d, "component verification: " + sbom);
      }
    }
    progress.move(d, DeploymentState.COMPONENTS_VERIFIED, "digests of " + version.artifacts().size()
        + " artifact(s) match the library; status " + version.status().id()
        + (checks.requireSignature() ? "; every artifact signed by a trusted key" : "")
        + (checks.requireSbom() == null ? "" : "; SBOM valid (" + switch (checks.requireSbom()) {
          case "cyclonedx" -> "CycloneDX";
          case "spdx" -> "SPDX";
          default -> "CycloneDX or SPDX";
        } + ")"));
    return Optional.empty();
  }
}
