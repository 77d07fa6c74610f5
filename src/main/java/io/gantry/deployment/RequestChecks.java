package io.gantry.deployment;

import io.gantry.catalog.ComponentRef;
import io.gantry.catalog.ComponentVersion;
import io.gantry.catalog.VersionStatus;
import io.gantry.environment.Environment;
import io.gantry.environment.Environments;
import io.gantry.model.Criterion;
import io.gantry.model.DeploymentModel;
import io.gantry.model.Stage;
import io.gantry.shared.Finding;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What a deployment request must meet that can be known when it is made: the stage's entry criteria
 * that look at the library and the records, a controlled environment's demand for an approved
 * version, and the promotion path. A request that misses any is refused with every miss and the
 * command that would mend it, so that it never becomes a deployment that fails, and never counts as
 * one in the KPIs.
 */
class RequestChecks {

  private final Deployments deployments;
  private final Environments environments;
  private final Supplier<List<PromotionExemptions>> exemptions;

  RequestChecks(Deployments deployments, Environments environments, Supplier<List<PromotionExemptions>> exemptions) {
    this.deployments = deployments;
    this.environments = environments;
    this.exemptions = exemptions;
  }

  /** What the request misses (empty when nothing), and what lets it skip its promotion path (recorded). */
  record Verdict(List<Finding> unmet, Optional<String> pathExemption) {}

  Verdict check(ComponentVersion version, Environment environment, DeploymentModel model, Stage stage) {
    ComponentRef ref = version.component();
    String what = ref + "@" + version.version().value();
    List<Finding> unmet = new ArrayList<>();
    boolean approvalAsked = false;
    for (int i = 0; i < stage.entryCriteria().size(); i++) {
      String field = "entryCriteria[" + i + "]";
      switch (stage.entryCriteria().get(i)) {
        case Criterion.StageSucceeded s -> {
          String env = model.definition().spec().stages().stream().filter(x -> x.name().equals(s.stage()))
              .findFirst().map(Stage::environment).orElse(s.stage());
          if (!deployments.succeeded(env, ref, version.version().value())) {
            unmet.add(Finding.of(field, "stage " + stage.name() + " of model " + model.name() + " needs " + what
                + " to have succeeded in stage " + s.stage() + " (" + env + ") first: gantry deploy " + what
                + " --to " + env));
          }
        }
        case Criterion.VersionStatus v -> {
          if (!v.status().equals(version.status().id()) && version.status() != VersionStatus.APPROVED) {
            approvalAsked |= v.status().equals(VersionStatus.APPROVED.id());
            unmet.add(Finding.of(field, "stage " + stage.name() + " of model " + model.name() + " needs " + what
                + " to be " + v.status() + ", and it is " + version.status().id() + ": gantry version approve "
                + what + " --reason \"...\""));
          }
        }
        // met by the engine once the target environment is verified: nothing to know at the request
        case Criterion.Manual m -> {}
        case Criterion.Check c -> {}
      }
    }
    if (environment.definition().controlled() && version.status() != VersionStatus.APPROVED && !approvalAsked) {
      unmet.add(Finding.of("version", environment.name() + " is a controlled environment and accepts only approved "
          + "versions; " + what + " is " + version.status().id() + ": gantry version approve " + what
          + " --reason \"...\""));
    }
    Optional<String> exemption = Optional.empty();
    // the path counts where the model deploys: hardware that goes straight to production under its own
    // model is not held back by a staging environment it never passes through
    List<String> staged = model.definition().spec().stages().stream().map(Stage::environment).toList();
    List<String> before = environments.all().stream()
        .filter(e -> e.definition().promotesTo().contains(environment.name())).map(Environment::name)
        .filter(staged::contains).sorted().toList();
    if (!before.isEmpty() && before.stream().noneMatch(e -> deployments.succeeded(e, ref, version.version().value()))) {
      exemption = exemptions.get().stream().map(x -> x.exemption(ref, environment.name())).flatMap(Optional::stream)
          .findFirst();
      if (exemption.isEmpty()) {
        unmet.add(Finding.of("environment", "on the promotion path " + environment.name() + " comes after "
            + String.join(" or ", before) + ", and " + what + " has not succeeded there: gantry deploy " + what
            + " --to " + before.getFirst() + " (only an authorized emergency change lets a version skip the path)"));
      } else {
        exemption = Optional.of(what + " reaches " + environment.name() + " without having succeeded in "
            + String.join(" or ", before) + " (its promotion path), as " + exemption.get());
      }
    }
    return new Verdict(unmet, exemption);
  }
}
