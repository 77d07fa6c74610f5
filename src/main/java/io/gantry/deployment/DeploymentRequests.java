package io.gantry.deployment;

import io.gantry.catalog.Component;
import io.gantry.catalog.ComponentRef;
import io.gantry.catalog.ComponentVersion;
import io.gantry.catalog.Components;
import io.gantry.catalog.Library;
import io.gantry.catalog.VersionStatus;
import io.gantry.environment.Environment;
import io.gantry.environment.Environments;
import io.gantry.model.DeploymentModel;
import io.gantry.model.Models;
import io.gantry.model.Stage;
import io.gantry.shared.ConflictException;
import io.gantry.shared.InvalidInputException;
import io.gantry.shared.NotFoundException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Accepts a request to deploy a version into an environment: checks that the version, the
 * environment and a model that applies all exist, chooses the model (the one named, else the
 * component's own, else the only one that applies), and records the deployment. Refused requests
 * leave nothing behind.
 */
@Service
public class DeploymentRequests {

  private final Components components;
  private final Library library;
  private final Environments environments;
  private final Models models;
  private final Deployments deployments;
  private final TransactionTemplate tx;
  private final Clock clock;

  public DeploymentRequests(Components components, Library library, Environments environments, Models models,
      Deployments deployments, TransactionTemplate tx, Clock clock) {
    this.components = components;
    this.library = library;
    this.environments = environments;
    this.models = models;
    this.deployments = deployments;
    this.tx = tx;
    this.clock = clock;
  }

  /** What to deploy where, and why; {@code model} may be null. */
  public record Request(String component, String version, String environment, String model, String reason) {}

  public Deployment request(Request request, String actor) {
    ComponentRef ref;
    try {
      ref = ComponentRef.parse(request.component());
    } catch (IllegalArgumentException e) {
      throw InvalidInputException.of("component", e.getMessage());
    }
    if (request.version() == null || request.version().isBlank()) {
      throw InvalidInputException.of("version", "say which version to deploy");
    }
    if (request.environment() == null || request.environment().isBlank()) {
      throw InvalidInputException.of("environment", "say which environment to deploy to");
    }
    Component component = components.find(ref).orElseThrow(() -> new NotFoundException("component", ref.toString()));
    ComponentVersion version = library.get(ref, request.version());
    Environment environment = environments.find(request.environment())
        .orElseThrow(() -> new NotFoundException("environment", request.environment()));
    if (version.status() == VersionStatus.WITHDRAWN) {
      throw new ConflictException("version " + ref + "@" + version.version() + " is withdrawn and goes nowhere");
    }
    DeploymentModel model = chooseModel(component, environment.name(), request.model());
    Stage stage = stageFor(model, environment.name()).orElseThrow();
    String reason = request.reason() == null || request.reason().isBlank()
        ? "deploy " + ref + "@" + version.version() + " to " + environment.name() : request.reason();
    return tx.execute(status -> deployments.create(new Deployments.NewDeployment(ref, version.version().value(),
        environment.name(), model.name(), model.currentVersion(), stage.name(), actor, reason), clock.instant()));
  }

  /** Cancels a deployment that has not started executing; the reason is recorded. */
  public Deployment cancel(long id, String reason, String actor) {
    if (reason == null || reason.isBlank()) {
      throw InvalidInputException.of("reason", "say why the deployment is cancelled (the reason is recorded)");
    }
    return tx.execute(status -> {
      Deployment d = deployments.get(id);
      if (!d.state().canBecome(io.gantry.deployment.DeploymentState.CANCELLED)) {
        throw new ConflictException("deployment #" + id + " is " + d.state() + " and can no longer be cancelled"
            + (d.state().isFinal() ? "" : "; only deployments that have not started executing can be"));
      }
      return deployments.transition(d, DeploymentState.CANCELLED, actor, "cancelled: " + reason, clock.instant());
    });
  }

  private DeploymentModel chooseModel(Component component, String environment, String named) {
    if (named != null && !named.isBlank()) {
      DeploymentModel model = models.find(named).filter(m -> !m.retired())
          .orElseThrow(() -> new NotFoundException("deployment model", named));
      if (!applies(model, component)) {
        throw InvalidInputException.of("model", "deployment model " + named + " does not apply to "
            + component.ref() + " (" + component.definition().type().id() + ")");
      }
      if (stageFor(model, environment).isEmpty()) {
        throw InvalidInputException.of("model", "deployment model " + named + " has no stage for environment "
            + environment);
      }
      return model;
    }
    String own = component.definition().model();
    if (own != null) {
      Optional<DeploymentModel> model = models.find(own).filter(m -> !m.retired());
      if (model.isPresent() && stageFor(model.get(), environment).isPresent()) {
        return model.get();
      }
    }
    List<DeploymentModel> candidates = models.all().stream().filter(m -> !m.retired())
        .filter(m -> applies(m, component)).filter(m -> stageFor(m, environment).isPresent()).toList();
    if (candidates.isEmpty()) {
      throw InvalidInputException.of("model", "no deployment model applies to " + component.ref() + " in "
          + environment + "; declare one whose appliesTo matches it with a stage for " + environment);
    }
    if (candidates.size() > 1) {
      throw InvalidInputException.of("model", "several deployment models apply to " + component.ref() + " in "
          + environment + " (" + String.join(", ", candidates.stream().map(DeploymentModel::name).toList())
          + "); name one with --model");
    }
    return candidates.getFirst();
  }

  static boolean applies(DeploymentModel model, Component component) {
    var applies = model.definition().spec().appliesTo();
    return applies.componentTypes().contains(component.definition().type().id())
        || applies.services().contains(component.ref().service())
        || applies.components().contains(component.ref().toString());
  }

  static Optional<Stage> stageFor(DeploymentModel model, String environment) {
    return model.definition().spec().stages().stream().filter(s -> s.environment().equals(environment)).findFirst();
  }
}
