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
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
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
  private final Supplier<List<DeploymentGate>> gates;
  private final RequestChecks checks;

  @Autowired
  public DeploymentRequests(Components components, Library library, Environments environments, Models models,
      Deployments deployments, TransactionTemplate tx, Clock clock, ObjectProvider<DeploymentGate> gates,
      ObjectProvider<PromotionExemptions> exemptions) {
    this(components, library, environments, models, deployments, tx, clock, io.gantry.shared.OrderedBeans.once(gates),
        io.gantry.shared.OrderedBeans.once(exemptions));
  }

  /** With the gates of the caller's choosing and no exemptions from the promotion path (tests). */
  public DeploymentRequests(Components components, Library library, Environments environments, Models models,
      Deployments deployments, TransactionTemplate tx, Clock clock, Supplier<List<DeploymentGate>> gates) {
    this(components, library, environments, models, deployments, tx, clock, gates, List::of);
  }

  /** With the gates and promotion-path exemptions of the caller's choosing (tests). */
  public DeploymentRequests(Components components, Library library, Environments environments, Models models,
      Deployments deployments, TransactionTemplate tx, Clock clock, Supplier<List<DeploymentGate>> gates,
      Supplier<List<PromotionExemptions>> exemptions) {
    this.checks = new RequestChecks(deployments, environments, exemptions);
    this.gates = gates;
    this.components = components;
    this.library = library;
    this.environments = environments;
    this.models = models;
    this.deployments = deployments;
    this.tx = tx;
    this.clock = clock;
  }

  /**
   * What to deploy where, and why; {@code model} may be null. {@code plannedStart} (deploy --at) holds
   * the deployment back until then; {@code plannedEnd} is when it is expected to have ended; a higher
   * {@code priority} moves it ahead of waiting deployments to the same environment and component.
   */
  public record Request(String component, String version, String environment, String model, String reason,
      Deployment.Kind kind, Instant plannedStart, Instant plannedEnd, Integer priority) {

    public Request(String component, String version, String environment, String model, String reason) {
      this(component, version, environment, model, reason, Deployment.Kind.DEPLOY, null, null, null);
    }
  }

  /** How far in the past a planned start may be (a clock a little behind) before it is refused. */
  private static final Duration PLANNED_START_SLACK = Duration.ofMinutes(1);

  public Deployment request(Request request, String actor) {
    return request(request, actor, d -> {});
  }

  /**
   * As {@link #request(Request, String)}; {@code created} is told of the new deployment in the
   * transaction that records it, before any gate looks at it, so a caller can record what the
   * deployment belongs to (a release) where the gates will find it.
   */
  public Deployment request(Request request, String actor, Consumer<Deployment> created) {
    ComponentRef ref;
    try {
      ref = ComponentRef.parse(request.component());
    } catch (IllegalArgumentException e) {
      throw InvalidInputException.of("component", e.getMessage());
    }
    Deployment.Kind kind = request.kind() == null ? Deployment.Kind.DEPLOY : request.kind();
    if (kind == Deployment.Kind.DEPLOY && (request.version() == null || request.version().isBlank())) {
      throw InvalidInputException.of("version", "say which version to deploy");
    }
    if (request.environment() == null || request.environment().isBlank()) {
      throw InvalidInputException.of("environment", "say which environment to deploy to");
    }
    Component component = components.find(ref).orElseThrow(() -> new NotFoundException("component", ref.toString()));
    Environment environment = environments.find(request.environment())
        .orElseThrow(() -> new NotFoundException("environment", request.environment()));
    if (kind == Deployment.Kind.UNDEPLOY) {
      return undeploy(request, ref, component, environment, actor, created);
    }
    ComponentVersion version = library.get(ref, request.version());
    if (version.status() == VersionStatus.WITHDRAWN) {
      throw new ConflictException("version " + ref + "@" + version.version() + " is withdrawn and goes nowhere");
    }
    Instant now = clock.instant();
    int priority = checkTiming(request, now);
    DeploymentModel model = chooseModel(component, environment.name(), request.model());
    Stage stage = stageFor(model, environment.name()).orElseThrow();
    RequestChecks.Verdict verdict = checks.check(version, environment, model, stage);
    if (!verdict.unmet().isEmpty()) {
      throw new InvalidInputException(ref + "@" + version.version() + " may not be deployed to " + environment.name()
          + " yet: " + verdict.unmet().size() + " requirement(s) of stage " + stage.name() + " unmet", verdict.unmet());
    }
    String reason = request.reason() == null || request.reason().isBlank()
        ? "deploy " + ref + "@" + version.version() + " to " + environment.name() : request.reason();
    return tx.execute(status -> {
      Deployment d = deployments.create(new Deployments.NewDeployment(ref, version.version().value(),
          environment.name(), model.name(), model.currentVersion(), stage.name(), actor, reason, kind,
          request.plannedStart(), request.plannedEnd(), priority), now);
      created.accept(d);
      verdict.pathExemption().ifPresent(why -> deployments.record(d.id(), DeploymentEvent.Kind.LOG, null, null,
          "gantry", why, now));
      gates.get().forEach(gate -> gate.requested(d, stage, now));
      return deployments.get(d.id());
    });
  }

  /** Refuses a planned start in the past, an end before the start, a priority out of range; answers the priority. */
  private static int checkTiming(Request request, Instant now) {
    if (request.plannedStart() != null && request.plannedStart().isBefore(now.minus(PLANNED_START_SLACK))) {
      throw InvalidInputException.of("at", "the planned start " + request.plannedStart() + " is in the past (now "
          + now + "); give a time to come, or none to start as soon as possible");
    }
    if (request.plannedEnd() != null) {
      Instant start = request.plannedStart() == null ? now : request.plannedStart();
      if (!request.plannedEnd().isAfter(start)) {
        throw InvalidInputException.of("plannedEnd", "the planned end " + request.plannedEnd()
            + " is not after the planned start " + start);
      }
    }
    int priority = request.priority() == null ? 0 : request.priority();
    if (priority < -100 || priority > 100) {
      throw InvalidInputException.of("priority", "priority must be between -100 and 100, not " + priority);
    }
    return priority;
  }

  /**
   * Removes a component from an environment, as a deployment of its own: the model's removal steps run
   * on every target that has the component. Refused when it is on none, or the stage says no way to
   * remove it.
   */
  private Deployment undeploy(Request request, ComponentRef ref, Component component, Environment environment,
      String actor, Consumer<Deployment> created) {
    java.util.Collection<String> present = deployments.currentVersions(environment.name(), ref).values();
    if (present.isEmpty()) {
      throw new ConflictException(ref + " is not deployed in " + environment.name() + "; there is nothing to undeploy");
    }
    String version = request.version() == null || request.version().isBlank()
        ? present.stream().max(java.util.Comparator.comparing(io.gantry.catalog.Version::new)).orElseThrow()
        : request.version();
    if (!present.contains(version)) {
      throw new ConflictException(ref + "@" + version + " is not what runs in " + environment.name() + " (it runs "
          + String.join(", ", new java.util.TreeSet<>(present)) + ")");
    }
    DeploymentModel model = chooseModel(component, environment.name(), request.model());
    Stage stage = stageFor(model, environment.name()).orElseThrow();
    if (stage.removeSteps().isEmpty()) {
      throw InvalidInputException.of("model", "stage " + stage.name() + " of deployment model " + model.name()
          + " declares no removeSteps, so Gantry does not know how to remove " + ref + "; add them (e.g. stop it, "
          + "then artifact.remove)");
    }
    Instant now = clock.instant();
    int priority = checkTiming(request, now);
    String reason = request.reason() == null || request.reason().isBlank()
        ? "undeploy " + ref + "@" + version + " from " + environment.name() : request.reason();
    return tx.execute(status -> {
      Deployment d = deployments.create(new Deployments.NewDeployment(ref, version, environment.name(), model.name(),
          model.currentVersion(), stage.name(), actor, reason, Deployment.Kind.UNDEPLOY, request.plannedStart(),
          request.plannedEnd(), priority), now);
      created.accept(d);
      gates.get().forEach(gate -> gate.requested(d, stage, now));
      return deployments.get(d.id());
    });
  }

  /** Cancels a deployment that has not started executing; the reason is recorded. */
  public Deployment cancel(long id, String reason, String actor) {
    if (reason == null || reason.isBlank()) {
      throw InvalidInputException.of("reason", "say why the deployment is cancelled (the reason is recorded)");
    }
    Deployment cancelled = tx.execute(status -> {
      Deployment d = deployments.get(id);
      if (!d.state().canBecome(io.gantry.deployment.DeploymentState.CANCELLED)) {
        throw new ConflictException("deployment #" + id + " is " + d.state() + " and can no longer be cancelled"
            + (d.state().isFinal() ? "" : "; only deployments that have not started executing can be"));
      }
      return deployments.transition(d, DeploymentState.CANCELLED, actor, "cancelled: " + reason, clock.instant());
    });
    Progress.finished(gates.get(), cancelled, clock.instant());
    return cancelled;
  }

  /**
   * The model a request that names none would follow for this component in this environment: the
   * component's own, else the only one that applies; empty when there is none or several.
   */
  public Optional<DeploymentModel> modelFor(Component component, String environment) {
    try {
      return Optional.of(chooseModel(component, environment, null));
    } catch (InvalidInputException | NotFoundException e) {
      return Optional.empty();
    }
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
    return model.definition().spec().appliesTo().matches(component.definition().type().id(),
        component.ref().service(), component.ref().toString());
  }

  static Optional<Stage> stageFor(DeploymentModel model, String environment) {
    return model.definition().spec().stages().stream().filter(s -> s.environment().equals(environment)).findFirst();
  }
}
