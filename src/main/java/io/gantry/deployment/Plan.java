package io.gantry.deployment;

import io.gantry.environment.Environment;
import io.gantry.environment.Environments;
import io.gantry.model.ModelDefinition;
import io.gantry.model.ModelDocuments;
import io.gantry.model.Models;
import io.gantry.model.Stage;
import io.gantry.model.Step;
import java.util.List;

/** The model text and stage the deployment follows, as they were when it was requested. */
record Plan(ModelDefinition model, Stage stage, Environment environment) {

  static Plan of(Deployment d, Models models, Environments environments) {
    ModelDefinition model = ModelDocuments.parse(d.model(), models.version(d.model(), d.modelVersion()).text());
    Stage stage = model.spec().stages().stream().filter(s -> s.name().equals(d.stage())).findFirst()
        .orElseThrow(() -> new IllegalStateException("stage " + d.stage() + " is not in " + d.model()));
    return new Plan(model, stage, environments.find(d.environment()).orElseThrow());
  }

  /** The steps a deployment runs on each target: the stage's steps, or its removal steps for an undeploy. */
  List<Step> steps(Deployment d) {
    return d.kind() == Deployment.Kind.UNDEPLOY ? stage.removeSteps() : stage.steps();
  }
}
