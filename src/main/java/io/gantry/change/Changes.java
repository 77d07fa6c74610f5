package io.gantry.change;

import io.gantry.catalog.Component;
import io.gantry.catalog.ComponentRef;
import io.gantry.catalog.Components;
import io.gantry.catalog.Services;
import io.gantry.deployment.Deployment;
import io.gantry.deployment.Deployments;
import io.gantry.environment.Environments;
import io.gantry.identity.Role;
import io.gantry.identity.User;
import io.gantry.identity.Access;
import io.gantry.model.DeploymentModel;
import io.gantry.model.Models;
import io.gantry.model.Stage;
import io.gantry.shared.ConflictException;
import io.gantry.shared.Finding;
import io.gantry.shared.InvalidInputException;
import io.gantry.shared.NotFoundException;
import io.gantry.shared.Page;
import io.gantry.shared.PageRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The use cases of changes: create (refusing anything unknown), submit for approval, approve and
 * reject under the approval rules, expire requests nobody decided, cancel, schedule, close and review.
 * Every transition and decision is written to the change's history in the same transaction.
 */
@Service
public class Changes {

  static final String SYSTEM = "gantry";

  private final ChangeRecords records;
  private final Services services;
  private final Components components;
  private final Environments environments;
  private final Models models;
  private final Access access;
  private final Deployments deployments;
  private final TransactionTemplate tx;
  private final Clock clock;
  private final Duration approvalExpiry;
  private final ItsmSettings itsm;

  @Autowired
  public Changes(ChangeRecords records, Services services, Components components, Environments environments,
      Models models, Access access, Deployments deployments, TransactionTemplate tx, Clock clock,
      @Value("${gantry.change.approval-expiry:72h}") Duration approvalExpiry, ItsmSettings itsm) {
    this.records = records;
    this.services = services;
    this.components = components;
    this.environments = environments;
    this.models = models;
    this.access = access;
    this.deployments = deployments;
    this.tx = tx;
    this.clock = clock;
    this.approvalExpiry = approvalExpiry;
    this.itsm = itsm;
  }

  /** What a new change is; lists of names, {@code components} as {@code service/component}. */
  public record NewChange(String title, String type, String risk, String impact, Instant plannedStart,
      Instant plannedEnd, String implementationPlan, String backoutPlan, String testPlan, List<String> services,
      List<String> components, List<String> environments, String emergencyReason, Change.External external) {}

  /** An emergency change covering a deployment now, with the reason it was raised. */
  public record EmergencyCover(String change, String reason) {}

  /**
   * Records a change. Refused as a whole, naming every field that is wrong, when it references an
   * unknown service, component or environment, ends before it starts, or is a standard change where
   * the model's stage does not allow them. A standard change is authorized at once.
   */
  public Change create(NewChange n, String actor) {
    List<Finding> findings = new ArrayList<>();
    Change.Type type = parse(findings, () -> Change.Type.fromId(n.type(), "type"));
    Change.Level risk = parse(findings, () -> Change.Level.fromId(n.risk(), "risk"));
    Change.Level impact = parse(findings, () -> Change.Level.fromId(n.impact(), "impact"));
    String title = n.title() == null ? "" : n.title().strip();
    if (title.isEmpty() || title.length() > 200) {
      findings.add(Finding.of("title", "give a title of 1 to 200 characters"));
    }
    if (n.plannedStart() == null) {
      findings.add(Finding.of("plannedStart", "say when the change starts (ISO-8601, e.g. 2026-12-01T22:00:00Z)"));
    }
    if (n.plannedEnd() == null) {
      findings.add(Finding.of("plannedEnd", "say when the change ends (ISO-8601, e.g. 2026-12-01T23:00:00Z)"));
    } else if (n.plannedStart() != null && !n.plannedEnd().isAfter(n.plannedStart())) {
      findings.add(Finding.of("plannedEnd", "the planned end " + n.plannedEnd() + " is not after the planned start "
          + n.plannedStart()));
    }
    List<String> serviceNames = list(n.services());
    List<String> componentNames = list(n.components());
    List<String> environmentNames = list(n.environments());
    for (int i = 0; i < serviceNames.size(); i++) {
      if (services.find(serviceNames.get(i)).isEmpty()) {
        findings.add(Finding.of("services[" + i + "]", "service \"" + serviceNames.get(i) + "\" does not exist"));
      }
    }
    List<ComponentRef> refs = new ArrayList<>();
    for (int i = 0; i < componentNames.size(); i++) {
      try {
        ComponentRef ref = ComponentRef.parse(componentNames.get(i));
        if (components.find(ref).isEmpty()) {
          findings.add(Finding.of("components[" + i + "]", "component \"" + ref + "\" does not exist"));
        } else {
          refs.add(ref);
        }
      } catch (IllegalArgumentException e) {
        findings.add(Finding.of("components[" + i + "]", e.getMessage()));
      }
    }
    if (serviceNames.isEmpty() && componentNames.isEmpty()) {
      findings.add(Finding.of("components", "name the services or components (service/component) it changes"));
    }
    if (environmentNames.isEmpty()) {
      findings.add(Finding.of("environments", "name the environments it changes"));
    }
    for (int i = 0; i < environmentNames.size(); i++) {
      if (environments.find(environmentNames.get(i)).isEmpty()) {
        findings.add(Finding.of("environments[" + i + "]", "environment \"" + environmentNames.get(i)
            + "\" does not exist"));
      }
    }
    String emergencyReason = blankToNull(n.emergencyReason());
    if (type == Change.Type.EMERGENCY && emergencyReason == null) {
      findings.add(Finding.of("emergencyReason", "an emergency change must state why it cannot wait"));
    }
    if (n.external() != null) {
      if (n.external().system() == null || !itsm.systems().containsKey(n.external().system())) {
        findings.add(Finding.of("external.system", "no ITSM system \"" + n.external().system() + "\" is configured"
            + (itsm.systems().isEmpty() ? " (none is: see gantry.itsm.systems.<name>)"
            : "; use one of: " + String.join(", ", itsm.systems().keySet()))));
      }
      ItsmSettings.ItsmSystem system = n.external().system() == null ? null : itsm.systems().get(n.external().system());
      if (blankToNull(n.external().reference()) == null) {
        findings.add(Finding.of("external.reference", "give the change's reference in the external system"));
      } else if (system != null && system.type().refuses(n.external().reference().strip()) != null) {
        findings.add(Finding.of("external.reference", system.type().refuses(n.external().reference().strip())));
      }
      if (type == Change.Type.STANDARD) {
        findings.add(Finding.of("external", "a standard change is pre-authorized by its model; it cannot wait for "
            + "an external decision"));
      }
    }
    if (!findings.isEmpty()) {
      throw new InvalidInputException("the change was refused: " + findings.stream().map(Finding::toString)
          .collect(Collectors.joining("; ")), findings);
    }
    List<Governing> stages = stages(scope(serviceNames, refs), environmentNames);
    List<ApprovalRule> rules = rules(type, stages);
    if (type == Change.Type.STANDARD) {
      List<String> refusing = stages.stream().filter(g -> !Boolean.TRUE.equals(standardChanges(g.stage())))
          .map(Governing::describe).toList();
      if (stages.isEmpty() || !refusing.isEmpty()) {
        throw InvalidInputException.of("type", "a standard change needs a model stage that allows standard changes "
            + "(approvers.standardChanges: true); " + (stages.isEmpty() ? "no model has a stage for this scope"
            : "not allowed by " + String.join(", ", refusing)));
      }
    }
    Change draft = new Change(0, title, type, risk, impact, n.plannedStart(), n.plannedEnd(),
        blankToNull(n.implementationPlan()), blankToNull(n.backoutPlan()), blankToNull(n.testPlan()), serviceNames,
        refs, environmentNames, actor, null, ChangeState.NEW, null, emergencyReason, rules, null, null, null,
        n.external() == null ? null : new Change.External(n.external().system(), n.external().reference().strip()),
        0);
    return tx.execute(s -> {
      Instant now = clock.instant();
      Change created = records.get(records.insert(draft, now));
      if (type == Change.Type.STANDARD) {
        created = records.transition(created, ChangeState.AUTHORIZED, ChangeRecords.ClosureCodeOrNull.NONE, SYSTEM,
            "standard change, pre-authorized by " + stages.stream().map(Governing::describe)
                .collect(Collectors.joining(", ")), now);
      }
      return created;
    });
  }

  /** Submits a change for approval: the approval request (and its expiry) starts now. */
  public Change submit(String key, String actor) {
    return tx.execute(s -> {
      Change c = get(key);
      if (c.state() != ChangeState.NEW) {
        throw new ConflictException(c.key() + " is " + c.state().id() + "; only a new change is submitted for "
            + "approval");
      }
      Change submitted = records.transition(c, ChangeState.ASSESSED, ChangeRecords.ClosureCodeOrNull.NONE, actor,
          c.external() == null ? "submitted for approval: " + describe(c.rules())
              : "submitted; the decision is taken in " + c.external().system() + " (" + c.external().reference()
                  + ")", clock.instant());
      if (c.external() != null) {
        records.externalChecked(c.id(), null, null, null, clock.instant());
      }
      return submitted;
    });
  }

  /**
   * Approves a change awaiting approval. Refused for a user without a role of the rule, the requester
   * (separation of duties), someone who already decided, and a change not awaiting approval. The
   * approval that meets every rule authorizes the change.
   */
  public Change approve(String key, String actor, String reason) {
    return decide(key, actor, ChangeDecision.Verdict.APPROVE, blankToNull(reason));
  }

  /** Rejects a change awaiting approval, with the reason (required); the change becomes rejected. */
  public Change reject(String key, String actor, String reason) {
    if (blankToNull(reason) == null) {
      throw InvalidInputException.of("reason", "a rejection needs a reason");
    }
    return decide(key, actor, ChangeDecision.Verdict.REJECT, reason.strip());
  }

  private Change decide(String key, String actor, ChangeDecision.Verdict verdict, String reason) {
    expireOverdue();
    Change decided = tx.execute(s -> {
      Change c = get(key);
      if (c.state() != ChangeState.ASSESSED) {
        throw new ConflictException(c.key() + " is not awaiting approval (it is " + c.state().id()
            + (c.state() == ChangeState.NEW ? "; submit it first" : "") + ")");
      }
      if (c.external() != null) {
        throw new ConflictException(c.key() + " is decided in " + c.external().system() + " ("
            + c.external().reference() + "); approve or reject it there");
      }
      Set<String> held = roles(actor, c);
      if (c.rules().stream().noneMatch(r -> r.heldBy(held))) {
        throw new AccessDeniedException("deciding on " + c.key() + " needs one of the roles "
            + c.rules().stream().flatMap(r -> r.roles().stream()).distinct().collect(Collectors.joining(", "))
            + " in " + (c.scopes().isEmpty() ? "every scope" : c.scopes().stream().map(Object::toString)
                .collect(Collectors.joining(" and "))) + "; " + actor + " holds "
            + (held.isEmpty() ? "none there" : String.join(", ", held) + " there"));
      }
      if (actor.equals(c.requestedBy()) && c.rules().stream().anyMatch(ApprovalRule::separationOfDuties)) {
        throw new AccessDeniedException(actor + " requested " + c.key()
            + " and cannot approve or reject it (separation of duties)");
      }
      List<ChangeDecision> before = records.decisions(c.id());
      if (before.stream().anyMatch(d -> d.approver().equals(actor))) {
        throw new ConflictException(actor + " has already decided on " + c.key());
      }
      Instant now = clock.instant();
      records.decide(c.id(), actor, List.copyOf(held), verdict, reason, now);
      String verb = verdict == ChangeDecision.Verdict.APPROVE ? "approved" : "rejected";
      records.history(c.id(), now, ChangeEntry.Kind.DECISION, null, null, actor,
          verb + " by " + actor + (reason == null ? "" : ": " + reason));
      if (verdict == ChangeDecision.Verdict.REJECT) {
        return records.transition(c, ChangeState.REJECTED, ChangeRecords.ClosureCodeOrNull.NONE, actor,
            "rejected by " + actor + ": " + reason, now);
      }
      List<ChangeDecision> approvals = records.decisions(c.id()).stream()
          .filter(d -> d.verdict() == ChangeDecision.Verdict.APPROVE).toList();
      if (satisfied(c, approvals)) {
        return records.transition(c, ChangeState.AUTHORIZED, ChangeRecords.ClosureCodeOrNull.NONE, actor,
            "authorized: approved by " + approvals.stream().map(ChangeDecision::approver)
                .collect(Collectors.joining(", ")) + " (" + describe(c.rules()) + ")", now);
      }
      return records.get(c.id());
    });
    wakeDeployments(decided);
    return decided;
  }

  /** Whether the approvals meet every rule of the change. */
  static boolean satisfied(Change c, List<ChangeDecision> approvals) {
    return c.rules().stream().allMatch(rule -> approvals.stream()
        .filter(a -> !(rule.separationOfDuties() && a.approver().equals(c.requestedBy())))
        .filter(a -> rule.heldBy(Set.copyOf(a.roles()))).map(ChangeDecision::approver).distinct().count()
        >= rule.count());
  }

  /** How far the approvals are: "1 of 2 approvals (deployment-manager, service-owner)". */
  String progress(Change c) {
    List<ChangeDecision> approvals = records.decisions(c.id()).stream()
        .filter(d -> d.verdict() == ChangeDecision.Verdict.APPROVE).toList();
    return c.rules().stream().map(rule -> approvals.stream().filter(a -> rule.heldBy(Set.copyOf(a.roles())))
        .map(ChangeDecision::approver).distinct().count() + " of " + rule.count() + " approvals from "
        + String.join(", ", rule.roles())).collect(Collectors.joining("; "));
  }

  /**
   * Rejects every change whose approval request is older than the expiry and still undecided (changes
   * decided in an external tool have their own timeout); answers how many.
   */
  public int expireOverdue() {
    Instant now = clock.instant();
    int expired = 0;
    for (Change c : records.inState(ChangeState.ASSESSED)) {
      if (c.external() == null && c.submittedAt() != null && !c.submittedAt().plus(approvalExpiry).isAfter(now)) {
        // under the change's row lock: another server (or a decision) may have moved it since it was read
        Change moved = tx.execute(s -> {
          Change locked = records.lock(c.id());
          return locked.state() != ChangeState.ASSESSED ? null : records.transition(locked, ChangeState.REJECTED,
              ChangeRecords.ClosureCodeOrNull.NONE, SYSTEM, "expired: the approval request of " + c.submittedAt()
                  + " was not decided within " + approvalExpiry + " (" + progress(c) + ")", now);
        });
        if (moved == null) {
          continue;
        }
        wakeDeployments(moved);
        expired++;
      }
    }
    return expired;
  }

  /** Cancels a change that has not started; the reason is required. */
  public Change cancel(String key, String actor, String reason) {
    if (blankToNull(reason) == null) {
      throw InvalidInputException.of("reason", "say why the change is cancelled");
    }
    Change cancelled = tx.execute(s -> {
      Change c = get(key);
      if (!c.state().canBecome(ChangeState.CANCELLED)) {
        throw new ConflictException(c.key() + " is " + c.state().id() + " and can no longer be cancelled");
      }
      return records.transition(c, ChangeState.CANCELLED, ChangeRecords.ClosureCodeOrNull.NONE, actor,
          "cancelled by " + actor + ": " + reason.strip(), clock.instant());
    });
    wakeDeployments(cancelled);
    return cancelled;
  }

  /** Places an authorized change on the forward schedule. */
  public Change schedule(String key, String actor) {
    return tx.execute(s -> {
      Change c = get(key);
      if (c.state() != ChangeState.AUTHORIZED) {
        throw new ConflictException(c.key() + " is " + c.state().id() + "; only an authorized change is scheduled");
      }
      return records.transition(c, ChangeState.SCHEDULED, ChangeRecords.ClosureCodeOrNull.NONE, actor,
          "scheduled for " + c.plannedStart() + " to " + c.plannedEnd(), clock.instant());
    });
  }

  /**
   * Closes a change with its closure code. An authorized or scheduled change closed by hand is first
   * recorded as implemented (outside Gantry's deployments).
   */
  public Change close(String key, String code, String actor, String reason) {
    Change.ClosureCode closure = Change.ClosureCode.fromId(code, "code");
    return tx.execute(s -> {
      Change c = get(key);
      Instant now = clock.instant();
      if (c.state() == ChangeState.AUTHORIZED || c.state() == ChangeState.SCHEDULED) {
        c = records.transition(c, ChangeState.IMPLEMENTING, ChangeRecords.ClosureCodeOrNull.NONE, actor,
            "implementation recorded by " + actor, now);
      }
      if (c.state() != ChangeState.IMPLEMENTING) {
        throw new ConflictException(c.key() + " is " + c.state().id() + "; only an authorized, scheduled or "
            + "implementing change is closed");
      }
      String why = blankToNull(reason);
      return records.transition(c, ChangeState.CLOSED, new ChangeRecords.ClosureCodeOrNull(closure), actor,
          "closed " + closure.id() + " by " + actor + (why == null ? "" : ": " + why), now);
    });
  }

  /** Records the post-implementation review of a closed change (once). */
  public Review review(String key, String actor, String summary, String followUps) {
    if (blankToNull(summary) == null) {
      throw InvalidInputException.of("summary", "say what the review found");
    }
    return tx.execute(s -> {
      Change c = get(key);
      if (c.state() != ChangeState.CLOSED) {
        throw new ConflictException(c.key() + " is " + c.state().id() + "; a change is reviewed after it closes");
      }
      if (records.review(c.id()).isPresent()) {
        throw new ConflictException(c.key() + " has already been reviewed");
      }
      Review review = new Review(c.id(), actor, summary.strip(), blankToNull(followUps), clock.instant());
      records.review(review);
      records.history(c.id(), review.at(), ChangeEntry.Kind.REVIEW, null, null, actor,
          "post-implementation review: " + review.summary());
      return review;
    });
  }

  // --- queries

  public Change get(String key) {
    long id = Change.idOf(key);
    if (id < 0) {
      throw InvalidInputException.of("key", "\"" + key + "\" is not a change key (like CHG-42)");
    }
    return records.find(id).orElseThrow(() -> new NotFoundException("change", key));
  }

  /** Filters as given by people; null or blank means any. */
  public Page<Change> list(String state, String type, String environment, String service, String requestedBy,
      PageRequest page) {
    ChangeState s = blankToNull(state) == null ? null : Change.Enums.parse(ChangeState.class, state, "state");
    Change.Type t = blankToNull(type) == null ? null : Change.Type.fromId(type, "type");
    return records.page(new ChangeRecords.Filter(s, t, blankToNull(environment), blankToNull(service),
        blankToNull(requestedBy)), page);
  }

  public List<ChangeEntry> history(Change c) {
    return records.history(c.id());
  }

  public List<ChangeDecision> decisions(Change c) {
    return records.decisions(c.id());
  }

  public List<Long> deployments(Change c) {
    return records.linkedDeployments(c.id());
  }

  public Optional<Review> review(Change c) {
    return records.review(c.id());
  }

  /**
   * The emergency change (authorized, scheduled or implementing) whose scope and planned time cover the
   * deployment now, if any: the reason it may run in a freeze.
   */
  public Optional<EmergencyCover> emergencyCovering(Deployment d) {
    return emergencyCovering(d.component(), d.environment());
  }

  /** The authorized emergency change that covers the component in the environment now, if any. */
  public Optional<EmergencyCover> emergencyCovering(ComponentRef component, String environment) {
    Instant now = clock.instant();
    return records.open(environment).stream()
        .filter(c -> c.type() == Change.Type.EMERGENCY && c.state().authorizes())
        .filter(c -> c.covers(component, environment) && within(c, now))
        .map(c -> new EmergencyCover(c.key(), c.emergencyReason())).findFirst();
  }

  /** Emergency changes closed without their post-implementation review (an audit finding each). */
  public List<Change> emergenciesWithoutReview() {
    return records.emergenciesWithoutReview();
  }

  static boolean within(Change c, Instant now) {
    return !now.isBefore(c.plannedStart()) && (c.plannedEnd() == null || now.isBefore(c.plannedEnd()));
  }

  // --- what the gate and the ITSM adapter use

  ChangeRecords records() {
    return records;
  }

  TransactionTemplate tx() {
    return tx;
  }

  Clock clock() {
    return clock;
  }

  /** A normal change for one deployment of an {@code authorization: approval} stage, submitted at once. */
  Change createForDeployment(Deployment d, Stage stage) {
    Instant now = clock.instant();
    ApprovalRule rule = rule(stage);
    Change draft = new Change(0, "approval of deployment #" + d.id() + ": " + d.component() + "@" + d.version()
        + " to " + d.environment(), Change.Type.NORMAL, Change.Level.MEDIUM, Change.Level.MEDIUM,
        d.plannedStart() == null ? d.requestedAt() : d.plannedStart(), d.plannedEnd(), d.reason(), null, null,
        List.of(), List.of(d.component()), List.of(d.environment()), d.requestedBy(), null, ChangeState.NEW, null,
        null, List.of(rule), null, null, d.id(), null, 0);
    long id = records.insert(draft, now);
    return records.transition(records.get(id), ChangeState.ASSESSED, ChangeRecords.ClosureCodeOrNull.NONE, SYSTEM,
        "created for deployment #" + d.id() + " (stage " + stage.name() + ", authorization: approval) and submitted "
            + "for approval: " + rule.describe(), now);
  }

  /**
   * One normal change for every member of a release run whose first member needs approval
   * ({@code authorization: approval}), submitted at once: it covers each member's component and is
   * recorded as made for the first member, which the others follow.
   */
  Change createForRelease(io.gantry.release.ReleaseRun.Members release, List<Deployment> members, Stage stage) {
    Instant now = clock.instant();
    ApprovalRule rule = rule(stage);
    Deployment first = members.getFirst();
    var run = release.run();
    Change draft = new Change(0, "approval of release " + run.release() + " to " + run.environment() + " (run #"
        + run.id() + "): " + members.stream().map(d -> d.component() + "@" + d.version())
            .collect(java.util.stream.Collectors.joining(", ")), Change.Type.NORMAL, Change.Level.MEDIUM,
        Change.Level.MEDIUM, first.plannedStart() == null ? first.requestedAt() : first.plannedStart(), null,
        run.reason(), null, null, List.of(), members.stream().map(Deployment::component).distinct().toList(),
        List.of(run.environment()), run.requestedBy(), null, ChangeState.NEW, null, null, List.of(rule), null, null,
        first.id(), null, 0);
    long id = records.insert(draft, now);
    return records.transition(records.get(id), ChangeState.ASSESSED, ChangeRecords.ClosureCodeOrNull.NONE, SYSTEM,
        "created for release " + run.release() + " to " + run.environment() + " (run #" + run.id() + ", stage "
            + stage.name() + ", authorization: approval) and submitted for approval: " + rule.describe(), now);
  }

  /** Asks the engine to look again at the deployments a change may hold back or release. */
  void wakeDeployments(Change c) {
    Instant now = clock.instant();
    if (c.forDeployment() != null) {
      deployments.wake(c.forDeployment(), now);
    }
    unfinishedInScope(c).forEach(d -> deployments.wake(d.id(), now));
  }

  /** The deployments in the change's scope that have not ended. */
  List<Deployment> unfinishedInScope(Change c) {
    if (c.forDeployment() != null) {
      return List.of();
    }
    List<Deployment> found = new ArrayList<>();
    for (ComponentRef ref : scope(c.services(), c.components())) {
      for (String environment : c.environments()) {
        found.addAll(deployments.unfinished(environment, ref));
      }
    }
    return found;
  }

  // --- rules

  /** A model stage governing part of a change's scope. */
  record Governing(String model, Stage stage) {
    String describe() {
      return "model " + model + " stage " + stage.name();
    }
  }

  private List<ComponentRef> scope(List<String> serviceNames, List<ComponentRef> refs) {
    Set<ComponentRef> all = new LinkedHashSet<>(refs);
    if (!serviceNames.isEmpty()) {
      components.all().stream().map(Component::ref).filter(r -> serviceNames.contains(r.service()))
          .forEach(all::add);
    }
    return List.copyOf(all);
  }

  /** The stages of the models that govern each component of the scope in each environment. */
  private List<Governing> stages(List<ComponentRef> refs, List<String> environmentNames) {
    List<Governing> found = new ArrayList<>();
    List<DeploymentModel> live = models.all().stream().filter(m -> !m.retired()).toList();
    for (ComponentRef ref : refs) {
      Component component = components.find(ref).orElseThrow();
      for (String environment : environmentNames) {
        Optional<DeploymentModel> own = Optional.ofNullable(component.definition().model())
            .flatMap(name -> live.stream().filter(m -> m.name().equals(name)).findFirst())
            .filter(m -> stageFor(m, environment).isPresent());
        List<DeploymentModel> candidates = own.map(List::of).orElseGet(() -> live.stream()
            .filter(m -> applies(m, component)).filter(m -> stageFor(m, environment).isPresent()).toList());
        for (DeploymentModel m : candidates) {
          Governing g = new Governing(m.name(), stageFor(m, environment).orElseThrow());
          if (!found.contains(g)) {
            found.add(g);
          }
        }
      }
    }
    return found;
  }

  private static boolean applies(DeploymentModel model, Component component) {
    return model.definition().spec().appliesTo().matches(component.definition().type().id(),
        component.ref().service(), component.ref().toString());
  }

  private static Optional<Stage> stageFor(DeploymentModel model, String environment) {
    return model.definition().spec().stages().stream().filter(s -> s.environment().equals(environment)).findFirst();
  }

  /**
   * The rules a change must meet: normal, every governing stage's approvers (the default rule where
   * none is named); emergency, one deployment manager (not the requester unless a stage switches
   * separation of duties off); standard, none.
   */
  private static List<ApprovalRule> rules(Change.Type type, List<Governing> stages) {
    return switch (type) {
      case STANDARD -> List.of();
      case EMERGENCY -> List.of(new ApprovalRule(List.of(Role.DEPLOYMENT_MANAGER.id()), 1,
          stages.isEmpty() || stages.stream().anyMatch(g -> rule(g.stage()).separationOfDuties())));
      case NORMAL -> stages.isEmpty() ? List.of(ApprovalRule.DEFAULT)
          : stages.stream().map(g -> rule(g.stage())).distinct().toList();
    };
  }

  static ApprovalRule rule(Stage stage) {
    Stage.Approvers a = stage.approvers();
    boolean separation = a == null || a.separationOfDuties() == null || a.separationOfDuties();
    if (a == null || a.roles() == null || a.roles().isEmpty()) {
      return new ApprovalRule(ApprovalRule.DEFAULT.roles(), a == null || a.count() == null ? 1 : a.count(),
          separation);
    }
    return new ApprovalRule(a.roles(), a.count() == null ? 1 : a.count(), separation);
  }

  private static Boolean standardChanges(Stage stage) {
    return stage.approvers() == null ? null : stage.approvers().standardChanges();
  }

  private static String describe(List<ApprovalRule> rules) {
    return rules.isEmpty() ? "no approval needed"
        : rules.stream().map(ApprovalRule::describe).collect(Collectors.joining(" and "));
  }

  /** The roles {@code actor} holds in every service and environment that {@code c} touches. */
  private Set<String> roles(String actor, Change c) {
    return access.rolesInAll(actor, c.scopes()).stream().map(Role::id)
        .collect(Collectors.toCollection(java.util.TreeSet::new));
  }

  private static List<String> list(List<String> names) {
    return names == null ? List.of()
        : names.stream().filter(n -> n != null && !n.isBlank()).map(String::strip).distinct().toList();
  }

  private static String blankToNull(String text) {
    return text == null || text.isBlank() ? null : text.strip();
  }

  private static <T> T parse(List<Finding> findings, java.util.function.Supplier<T> parser) {
    try {
      return parser.get();
    } catch (InvalidInputException e) {
      findings.addAll(e.findings());
      return null;
    }
  }
}
