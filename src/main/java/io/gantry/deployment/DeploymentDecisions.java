package io.gantry.deployment;

import io.gantry.identity.Access;
import io.gantry.identity.Role;
import io.gantry.model.Criterion;
import io.gantry.model.ModelDefinition;
import io.gantry.model.ModelDocuments;
import io.gantry.model.Models;
import io.gantry.model.Stage;
import io.gantry.model.Step;
import io.gantry.shared.ConflictException;
import io.gantry.shared.InvalidInputException;
import io.gantry.shared.NotFoundException;
import io.gantry.catalog.ArtifactStore;
import io.gantry.catalog.Library;
import java.io.InputStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.stream.Stream;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * People's part in a deployment: signing off a manual step (every checklist item ticked),
 * approving or rejecting an approval step (by a holder of its role, never the requester), and
 * confirming or rejecting a manual entry or exit criterion (by a holder of its role).
 */
@Service
public class DeploymentDecisions {

  private final Deployments deployments;
  private final Models models;
  private final Access access;
  private final TransactionTemplate tx;
  private final Clock clock;
  private final Library library;
  private final ArtifactStore store;
  private final long maxEvidenceBytes;

  @Autowired
  public DeploymentDecisions(Deployments deployments, Models models, Access access, TransactionTemplate tx,
      Clock clock, ArtifactStore store, Library library,
      @Value("${gantry.evidence.max-bytes:52428800}") long maxEvidenceBytes) {
    this.store = store;
    this.library = library;
    this.maxEvidenceBytes = maxEvidenceBytes;
    this.deployments = deployments;
    this.models = models;
    this.access = access;
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
      access.require(actor, DeploymentAborts.MAY_ABORT, d.scope(), "deciding on a failed target");
      return tx.execute(s -> {
        deployments.addDecision(id, request.target(), Engine.FAILURE_POLICY, kind, actor, request.note(), List.of(),
            clock.instant());
        deployments.wake(id, clock.instant());
        return deployments.decisions(id, request.target(), Engine.FAILURE_POLICY).getLast();
      });
    }
    boolean waiting = deployments.stepRuns(run).stream().filter(s -> s.name().equals(request.step()))
        .reduce((a, b) -> b).map(s -> s.state() == StepRunState.WAITING).orElse(false);
    if (!waiting) {
      throw new ConflictException("deployment #" + id + " is not waiting for step " + request.step() + " on "
          + request.target());
    }
    ModelDefinition model = ModelDocuments.parse(d.model(), models.version(d.model(), d.modelVersion()).text());
    Stage stage = model.spec().stages().stream().filter(s -> s.name().equals(d.stage())).findFirst().orElseThrow();
    Step step = step(stage, request.step());
    List<String> ticked = request.checklist() == null ? List.of() : request.checklist();
    switch (step) {
      case Step.Manual manual -> {
        if (kind != Decision.Kind.SIGNOFF && kind != Decision.Kind.REJECT) {
          throw InvalidInputException.of("decision", "step " + step.name() + " is a manual step: sign it off, or "
              + "reject it when the work cannot be done or what it checks does not hold");
        }
        deployments.decisions(id, request.target(), request.step()).stream()
            .filter(x -> x.kind() == Decision.Kind.SIGNOFF || x.kind() == Decision.Kind.REJECT).findFirst()
            .ifPresent(x -> {
              throw new ConflictException("step " + request.step() + " on " + request.target() + " was already "
                  + (x.kind() == Decision.Kind.SIGNOFF ? "signed off" : "rejected") + " by " + x.actor());
            });
        if (kind == Decision.Kind.REJECT) {
          if (!ticked.isEmpty()) {
            throw InvalidInputException.of("checklist", "a rejection ticks no checklist items; say in the note "
                + "what does not hold");
          }
          requireRole(actor, manual.role(), stage, d);
          break;
        }
        if (Boolean.TRUE.equals(manual.evidenceRequired()) && deployments.evidence(id).stream()
            .noneMatch(e -> e.target().equals(request.target()) && e.step().equals(request.step()))) {
          throw InvalidInputException.of("evidence", "step " + step.name() + " requires evidence: attach a file "
              + "(POST /api/v1/deployments/" + id + "/evidence, or gantry signoff --evidence FILE) before signing off");
        }
        List<String> missing = new ArrayList<>(manual.checklist() == null ? List.of() : manual.checklist());
        missing.removeAll(new HashSet<>(ticked));
        if (!missing.isEmpty()) {
          throw InvalidInputException.of("checklist", "every checklist item must be ticked; not ticked: "
              + String.join("; ", missing));
        }
        requireRole(actor, manual.role(), stage, d);
      }
      case Step.Approval approval -> {
        if (kind == Decision.Kind.SIGNOFF) {
          throw InvalidInputException.of("decision", "step " + step.name() + " is an approval: approve or reject it");
        }
        requireRole(actor, approval.role(), stage, d);
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

  /**
   * Ends the stage's pause between batches of a rolling deployment (or a canary's pause) now; the next
   * batch (or the canary's analysis) starts at the engine's next look. Only while the deployment waits
   * in such a pause; the note is recorded.
   */
  public Decision resume(long id, String note, String actor) {
    if (note == null || note.isBlank()) {
      throw InvalidInputException.of("reason", "say why the pause ends early (the reason is recorded)");
    }
    access.require(actor, DeploymentAborts.MAY_ABORT, deployments.get(id).scope(), "resuming a deployment");
    return tx.execute(s -> {
      Deployment d = deployments.get(id);
      DeploymentEvent last = deployments.events(id, 0).stream().reduce((a, b) -> b).orElse(null);
      boolean pausing = d.state() == DeploymentState.EXECUTING && last != null
          && last.kind() == DeploymentEvent.Kind.WAIT && (last.waitingFor() == DeploymentEvent.WaitKind.PAUSE
          || last.waitingFor() == DeploymentEvent.WaitKind.CANARY_PAUSE);
      if (!pausing) {
        throw new ConflictException("deployment #" + id + " is " + d.state() + " and not in a pause between batches; "
            + "only a rolling deployment waiting out its stage's pauseBetweenBatches, or a canary waiting out its "
            + "pause, can be resumed");
      }
      boolean pending = deployments.decisions(id, Execution.ALL_TARGETS, Execution.PAUSE).stream()
          .anyMatch(x -> x.kind() == Decision.Kind.RESUME && x.appliedAt() == null);
      if (pending) {
        throw new ConflictException("deployment #" + id + " has already been resumed; its next batch starts shortly");
      }
      deployments.addDecision(id, Execution.ALL_TARGETS, Execution.PAUSE, Decision.Kind.RESUME, actor, note, List.of(),
          clock.instant());
      deployments.wake(id, clock.instant());
      return deployments.decisions(id, Execution.ALL_TARGETS, Execution.PAUSE).getLast();
    });
  }

  /** A confirmation (or rejection) of a manual criterion as asked for; {@code criterion} optional. */
  public record Confirmation(String criterion, String decision, String note) {}

  /**
   * Confirms (or rejects) the manual entry or exit criterion that a deployment waits for, by a holder
   * of the criterion's role. When {@code criterion} is given it must name the one waited for, so a
   * confirmation meant for one criterion never meets another.
   */
  public Decision confirm(long id, Confirmation request, String actor) {
    Decision.Kind kind = switch (request.decision() == null ? "confirm" : request.decision()) {
      case "confirm" -> Decision.Kind.CONFIRM;
      case "reject" -> Decision.Kind.REJECT;
      default -> throw InvalidInputException.of("decision", "\"" + request.decision()
          + "\" is not a decision on a criterion; use confirm or reject");
    };
    if (request.note() == null || request.note().isBlank()) {
      throw InvalidInputException.of("note", "say what was confirmed or why not (the note is recorded)");
    }
    return tx.execute(s -> {
      Deployment d = deployments.get(id);
      List<DeploymentEvent> events = deployments.events(id, 0);
      DeploymentEvent lastWait = events.stream().filter(e -> e.kind() == DeploymentEvent.Kind.WAIT)
          .reduce((a, b) -> b).orElse(null);
      String list = d.state() == DeploymentState.ENVIRONMENT_VERIFIED ? StageCriteria.ENTRY
          : d.state() == DeploymentState.VERIFYING ? StageCriteria.EXIT : null;
      if (list == null || lastWait == null || lastWait.waitingFor() != StageCriteria.waitKind(list)) {
        throw new ConflictException("deployment #" + id + " is " + d.state() + " and does not wait for a person to "
            + "confirm an entry or exit criterion");
      }
      ModelDefinition model = ModelDocuments.parse(d.model(), models.version(d.model(), d.modelVersion()).text());
      Stage stage = model.spec().stages().stream().filter(x -> x.name().equals(d.stage())).findFirst().orElseThrow();
      List<Criterion> criteria = list.equals(StageCriteria.ENTRY) ? stage.entryCriteria() : stage.exitCriteria();
      // the criterion waited for: the engine meets them in order, and waits at the first manual one undecided
      int waiting = -1;
      for (int i = 0; i < criteria.size() && waiting < 0; i++) {
        if (criteria.get(i) instanceof Criterion.Manual
            && deployments.decisions(id, Execution.ALL_TARGETS, StageCriteria.name(list, i)).isEmpty()) {
          waiting = i;
        }
      }
      boolean decidedSince = events.stream().anyMatch(e -> e.id() > lastWait.id()
          && e.kind() == DeploymentEvent.Kind.STEP && Execution.ALL_TARGETS.equals(e.target())
          && e.step() != null && e.step().startsWith(list + "["));
      if (waiting < 0 || decidedSince) {
        throw new ConflictException("a criterion of deployment #" + id + " was decided since it began to wait; "
            + "the engine moves on shortly (gantry status " + id + ")");
      }
      String name = StageCriteria.name(list, waiting);
      if (request.criterion() != null && !request.criterion().isBlank() && !request.criterion().equals(name)) {
        throw new ConflictException("deployment #" + id + " waits for " + name + ", not " + request.criterion());
      }
      Criterion.Manual manual = (Criterion.Manual) criteria.get(waiting);
      boolean holds = access.rolesIn(actor, d.scope()).contains(Role.fromId(manual.role()));
      if (!holds) {
        throw new AccessDeniedException(name + " of deployment #" + id + " (" + manual.description() + ") is "
            + "confirmed by a holder of the role " + manual.role() + " in " + d.scope() + ", which " + actor
            + " does not hold there");
      }
      deployments.addDecision(id, Execution.ALL_TARGETS, name, kind, actor, request.note(), List.of(), clock.instant());
      deployments.wake(id, clock.instant());
      return deployments.decisions(id, Execution.ALL_TARGETS, name).getLast();
    });
  }

  private static Step step(Stage stage, String name) {
    return Stream.of(stage.steps(), stage.acceptance(), stage.removeSteps()).flatMap(List::stream)
        .filter(s -> s.name().equals(name)).findFirst()
        .orElseThrow(() -> new NotFoundException("step", String.valueOf(name)));
  }

  /**
   * Attaches a file to a manual step that a deployment waits for on a target, by the person doing the
   * work (who must hold the step's role); the bytes go to the artifact store, the record is kept.
   */
  public Evidence attach(long id, String target, String stepName, String fileName, InputStream content,
      String actor) {
    if (fileName == null || fileName.isBlank() || fileName.contains("/") || fileName.length() > 255) {
      throw InvalidInputException.of("file", "give the file a plain name of at most 255 characters, not \""
          + fileName + "\"");
    }
    Deployment d = deployments.get(id);
    TargetRun run = deployments.targetRuns(id).stream().filter(r -> r.target().equals(target)).findFirst()
        .orElseThrow(() -> new NotFoundException("target of deployment #" + id, String.valueOf(target)));
    boolean waiting = deployments.stepRuns(run).stream().filter(s -> s.name().equals(stepName))
        .reduce((a, b) -> b).map(s -> s.state() == StepRunState.WAITING).orElse(false);
    if (!waiting) {
      throw new ConflictException("deployment #" + id + " is not waiting for step " + stepName + " on " + target
          + "; evidence is attached while the step waits for its sign-off");
    }
    ModelDefinition model = ModelDocuments.parse(d.model(), models.version(d.model(), d.modelVersion()).text());
    Stage stage = model.spec().stages().stream().filter(s -> s.name().equals(d.stage())).findFirst().orElseThrow();
    if (!(step(stage, stepName) instanceof Step.Manual manual)) {
      throw InvalidInputException.of("step", "step " + stepName + " is not a manual step; evidence goes with manual work");
    }
    requireRole(actor, manual.role(), stage, d);
    ArtifactStore.Stored stored;
    ArtifactStore.Staged staged = store.stage(content, maxEvidenceBytes, fileName);
    stored = staged.stored();
    return library.keep(List.of(staged), () -> {
      Evidence e = deployments.addEvidence(id, target, stepName, fileName, stored.digest(), stored.size(), actor,
          clock.instant());
      deployments.record(id, DeploymentEvent.Kind.LOG, target, stepName, actor, "evidence attached: " + fileName
          + " (" + stored.size() + " bytes, " + stored.digest() + ")", clock.instant());
      return e;
    });
  }

  /** The bytes of an attached file, checked against their digest as they are read. */
  public InputStream open(Evidence evidence) {
    return store.open(evidence.digest());
  }

  /** The roles that decide on a people's step that names none: the stage's approvers, else those who run deployments. */
  static final List<String> RUNNERS = List.of(Role.DEPLOYMENT_MANAGER.id(), Role.DEPLOYMENT_PRACTITIONER.id());

  private void requireRole(String actor, String role, Stage stage, Deployment d) {
    List<String> allowed = role != null ? List.of(role)
        : stage.approvers() != null && stage.approvers().roles() != null && !stage.approvers().roles().isEmpty()
            ? stage.approvers().roles() : RUNNERS;
    var held = access.rolesIn(actor, d.scope());
    if (allowed.stream().map(Role::fromId).noneMatch(held::contains)) {
      throw new AccessDeniedException(role != null ? "this step needs the role " + role
          : "this step names no role, so it is decided by " + (allowed == RUNNERS ? "those who run deployments"
              : "the stage's approvers") + ": it needs one of the roles " + String.join(", ", allowed) + " in "
          + d.scope());
    }
  }

}
