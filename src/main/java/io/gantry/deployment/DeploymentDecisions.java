package io.gantry.deployment;

import io.gantry.identity.Role;
import io.gantry.identity.Users;
import io.gantry.model.ModelDefinition;
import io.gantry.model.ModelDocuments;
import io.gantry.model.Models;
import io.gantry.model.Stage;
import io.gantry.model.Step;
import io.gantry.shared.ConflictException;
import io.gantry.shared.InvalidInputException;
import io.gantry.shared.NotFoundException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.stream.Stream;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * People's part in a deployment: signing off a manual step (every checklist item ticked) and
 * approving or rejecting an approval step (by a holder of its role, never the requester).
 */
@Service
public class DeploymentDecisions {

  private final Deployments deployments;
  private final Models models;
  private final Users users;
  private final TransactionTemplate tx;
  private final Clock clock;

  public DeploymentDecisions(Deployments deployments, Models models, Users users, TransactionTemplate tx,
      Clock clock) {
    this.deployments = deployments;
    this.models = models;
    this.users = users;
    this.tx = tx;
    this.clock = clock;
  }

  /** A decision as asked for. */
  public record Request(String target, String step, String decision, String note, List<String> checklist) {}

  public Decision decide(long id, Request request, String actor) {
    Decision.Kind kind = switch (request.decision() == null ? "" : request.decision()) {
      case "signoff" -> Decision.Kind.SIGNOFF;
      case "approve" -> Decision.Kind.APPROVE;
      case "reject" -> Decision.Kind.REJECT;
      case "retry" -> Decision.Kind.RETRY;
      case "skip" -> Decision.Kind.SKIP;
      case "abort" -> Decision.Kind.ABORT;
      default -> throw InvalidInputException.of("decision", "\"" + request.decision()
          + "\" is not a decision; use signoff, approve or reject (on a waiting step), or retry, skip or abort (on a "
          + "failed target under the ask policy)");
    };
    if (request.note() == null || request.note().isBlank()) {
      throw InvalidInputException.of("note", "say what was done or why (the note is recorded)");
    }
    Deployment d = deployments.get(id);
    TargetRun run = deployments.targetRuns(id).stream().filter(r -> r.target().equals(request.target())).findFirst()
        .orElseThrow(() -> new NotFoundException("target of deployment #" + id, String.valueOf(request.target())));
    if (kind == Decision.Kind.RETRY || kind == Decision.Kind.SKIP || kind == Decision.Kind.ABORT) {
      if (d.state() != DeploymentState.EXECUTING || run.state() != TargetRunState.FAILED) {
        throw new ConflictException("deployment #" + id + " is not waiting for a decision on a failed target "
            + request.target());
      }
      boolean manager = users.find(actor).map(u -> u.roles().contains(Role.DEPLOYMENT_MANAGER)
          || u.roles().contains(Role.DEPLOYMENT_PRACTITIONER)).orElse(false);
      if (!manager) {
        throw new AccessDeniedException("deciding on a failed target needs the role deployment-manager or "
            + "deployment-practitioner");
      }
      return tx.execute(s -> {
        deployments.addDecision(id, request.target(), Engine.FAILURE_POLICY, kind, actor, request.note(), List.of(),
            clock.instant());
        deployments.wake(id, clock.instant());
        return deployments.decisions(id, request.target(), Engine.FAILURE_POLICY).getLast();
      });
    }
    boolean waiting = deployments.stepRuns(run).stream().filter(s -> s.name().equals(request.step()))
        .reduce((a, b) -> b).map(s -> s.state().equals("WAITING")).orElse(false);
    if (!waiting) {
      throw new ConflictException("deployment #" + id + " is not waiting for step " + request.step() + " on "
          + request.target());
    }
    ModelDefinition model = ModelDocuments.parse(d.model(), models.version(d.model(), d.modelVersion()).text());
    Stage stage = model.spec().stages().stream().filter(s -> s.name().equals(d.stage())).findFirst().orElseThrow();
    Step step = Stream.concat(stage.steps().stream(), stage.acceptance().stream())
        .filter(s -> s.name().equals(request.step())).findFirst()
        .orElseThrow(() -> new NotFoundException("step", request.step()));
    List<String> ticked = request.checklist() == null ? List.of() : request.checklist();
    switch (step) {
      case Step.Manual manual -> {
        if (kind != Decision.Kind.SIGNOFF) {
          throw InvalidInputException.of("decision", "step " + step.name() + " is a manual step: sign it off");
        }
        List<String> missing = new ArrayList<>(manual.checklist() == null ? List.of() : manual.checklist());
        missing.removeAll(new HashSet<>(ticked));
        if (!missing.isEmpty()) {
          throw InvalidInputException.of("checklist", "every checklist item must be ticked; not ticked: "
              + String.join("; ", missing));
        }
        requireRole(actor, manual.role());
      }
      case Step.Approval approval -> {
        if (kind == Decision.Kind.SIGNOFF) {
          throw InvalidInputException.of("decision", "step " + step.name() + " is an approval: approve or reject it");
        }
        requireRole(actor, approval.role());
        if (actor.equals(d.requestedBy())) {
          throw new AccessDeniedException("the requester of deployment #" + id + " cannot approve or reject it");
        }
        boolean already = deployments.decisions(id, request.target(), request.step()).stream()
            .anyMatch(x -> x.actor().equals(actor));
        if (already) {
          throw new ConflictException(actor + " has already decided on step " + request.step() + " of deployment #"
              + id);
        }
      }
      default -> throw InvalidInputException.of("step", "step " + step.name() + " does not wait for a person");
    }
    return tx.execute(s -> {
      deployments.addDecision(id, request.target(), request.step(), kind, actor, request.note(), ticked,
          clock.instant());
      deployments.wake(id, clock.instant());
      return deployments.decisions(id, request.target(), request.step()).getLast();
    });
  }

  private void requireRole(String actor, String role) {
    if (role == null) {
      return;
    }
    Role needed = Role.fromId(role);
    boolean holds = users.find(actor).map(u -> u.roles().contains(needed)).orElse(false);
    if (!holds) {
      throw new AccessDeniedException("this step needs the role " + role);
    }
  }
}
