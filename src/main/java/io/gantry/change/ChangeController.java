package io.gantry.change;

import jakarta.validation.constraints.Size;
import jakarta.validation.Valid;
import io.gantry.shared.Page;
import io.gantry.shared.PageRequest;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.security.Principal;
import java.time.Instant;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import io.gantry.identity.Access;
import io.gantry.identity.Role;
import io.gantry.identity.Scope;
import java.util.EnumSet;
import java.util.Set;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/changes")
@Tag(name = "Changes", description = "Changes that authorize deployments: approval rules, ITSM, reviews")
class ChangeController {

  /** Those who record, submit and cancel changes, in each service and environment a change touches. */
  private static final Set<Role> REQUESTERS = EnumSet.of(Role.DEPLOYMENT_MANAGER, Role.DEPLOYMENT_PRACTITIONER,
      Role.SERVICE_OWNER, Role.TECHNICAL_SPECIALIST);
  private static final Set<Role> RUNNERS = EnumSet.of(Role.DEPLOYMENT_MANAGER, Role.DEPLOYMENT_PRACTITIONER);
  private static final Set<Role> REVIEWERS = EnumSet.of(Role.DEPLOYMENT_MANAGER, Role.SERVICE_OWNER);
  private static final Set<Role> ITSM_CALLERS = EnumSet.of(Role.DEPLOYMENT_MANAGER, Role.SERVICE_DESK);

  private final Changes changes;
  private final ItsmPolling itsm;
  private final Access access;

  ChangeController(Changes changes, ItsmPolling itsm, Access access) {
    this.changes = changes;
    this.itsm = itsm;
    this.access = access;
  }

  /** Refused unless {@code user} holds one of {@code roles} wherever the change acts. */
  private void require(String user, Set<Role> roles, String key, String what) {
    access.require(user, roles, changes.get(key).scopes(), what);
  }

  private Access.Reach reach(Principal principal) {
    return access.reach(principal.getName(), Access.INSIDERS);
  }

  private boolean sees(Access.Reach reach, Change c) {
    return c.scopes().isEmpty() ? reach.sees(Scope.NONE) : reach.seesAny(c.scopes());
  }

  record ExternalBody(@Size(max = 20) String system, @Size(max = 100) String reference) {}

  record NewChange(@Size(max = 200) String title, @Size(max = 20) String type, @Size(max = 10) String risk,
      @Size(max = 10) String impact, Instant plannedStart, Instant plannedEnd,
      @Size(max = 4000) String implementationPlan, @Size(max = 4000) String backoutPlan,
      @Size(max = 4000) String testPlan, @Size(max = 15) List<@Size(max = 127) String> services,
      @Size(max = 15) List<@Size(max = 127) String> components, @Size(max = 15) List<@Size(max = 127) String> environments,
      @Size(max = 2000) String emergencyReason, @Valid ExternalBody external) {}

  record RuleView(List<String> roles, int count, boolean separationOfDuties) {}

  record ExternalView(String system, String reference, String state, String error, Instant checkedAt,
      Instant nextPoll) {}

  record ChangeView(String key, long id, String title, String type, String risk, String impact, Instant plannedStart,
      Instant plannedEnd, String implementationPlan, String backoutPlan, String testPlan, List<String> services,
      List<String> components, List<String> environments, String requestedBy, String state, String closureCode,
      String emergencyReason, List<RuleView> approvalRules, Instant submittedAt, String outcome, Long forDeployment,
      ExternalView external, long rowVersion) {
    static ChangeView of(Change c, ChangeRecords.ExternalStatus status) {
      return new ChangeView(c.key(), c.id(), c.title(), c.type().id(), c.risk().id(), c.impact().id(),
          c.plannedStart(), c.plannedEnd(), c.implementationPlan(), c.backoutPlan(), c.testPlan(), c.services(),
          c.components().stream().map(Object::toString).toList(), c.environments(), c.requestedBy(), c.state().id(),
          c.closureCode() == null ? null : c.closureCode().id(), c.emergencyReason(),
          c.rules().stream().map(r -> new RuleView(r.roles(), r.count(), r.separationOfDuties())).toList(),
          c.submittedAt(), c.outcome(), c.forDeployment(), c.external() == null ? null
              : new ExternalView(c.external().system(), c.external().reference(), status.state(), status.error(),
                  status.checkedAt(), status.nextPoll()), c.rowVersion());
    }
  }

  record DecisionView(String approver, List<String> roles, String decision, String reason, Instant at) {}

  record EntryView(long id, Instant at, String kind, String from, String to, String actor, String reason) {}

  record ReviewView(String change, String reviewer, String summary, String followUps, Instant at) {
    static ReviewView of(Review r) {
      return new ReviewView(Change.key(r.change()), r.reviewer(), r.summary(), r.followUps(), r.at());
    }
  }

  record ChangeDetail(ChangeView change, String approvalProgress, List<DecisionView> approvals,
      List<Long> deployments, ReviewView review, List<EntryView> history) {}

  private ChangeView view(Change c) {
    return ChangeView.of(c, c.external() == null ? null : changes.records().externalStatus(c.id()));
  }

  private ChangeDetail detail(Change c) {
    return new ChangeDetail(view(c), c.rules().isEmpty() ? null : changes.progress(c),
        changes.decisions(c).stream().map(d -> new DecisionView(d.approver(), d.roles(),
            d.verdict().name().toLowerCase(), d.reason(), d.at())).toList(),
        changes.deployments(c), changes.review(c).map(ReviewView::of).orElse(null),
        changes.history(c).stream().map(e -> new EntryView(e.id(), e.at(), e.kind().name(),
            e.from() == null ? null : e.from().id(), e.to() == null ? null : e.to().id(), e.actor(), e.reason()))
            .toList());
  }

  @PostMapping
  @Operation(summary = "Record a change (standard changes are authorized at once where the model allows them); "
      + "needs one of the roles deployment-manager, deployment-practitioner, service-owner, technical-specialist in "
      + "each of its services and environments")
  ResponseEntity<ChangeView> create(@Valid @RequestBody NewChange body, Principal principal) {
    java.util.Set<String> named = new java.util.TreeSet<>();
    if (body.services() != null) {
      body.services().stream().filter(x -> x != null && !x.isBlank()).map(String::strip).forEach(named::add);
    }
    if (body.components() != null) {
      body.components().stream().filter(x -> x != null && x.indexOf('/') > 0)
          .map(x -> x.strip().substring(0, x.strip().indexOf('/'))).forEach(named::add);
    }
    List<String> environments = body.environments() == null ? List.of() : body.environments().stream()
        .filter(x -> x != null && !x.isBlank()).map(String::strip).distinct().toList();
    access.require(principal.getName(), REQUESTERS, Change.scopes(List.copyOf(named), environments),
        "recording a change");
    Change c = changes.create(new Changes.NewChange(body.title(), body.type(), body.risk(), body.impact(),
        body.plannedStart(), body.plannedEnd(), body.implementationPlan(), body.backoutPlan(), body.testPlan(),
        body.services(), body.components(), body.environments(), body.emergencyReason(),
        body.external() == null ? null : new Change.External(body.external().system(), body.external().reference())),
        principal.getName());
    return ResponseEntity.status(HttpStatus.CREATED).body(view(c));
  }

  @GetMapping
  @Operation(summary = "Changes, newest first, by state, type, environment, service and requester")
  Page<ChangeView> list(@RequestParam(required = false) String state, @RequestParam(required = false) String type,
      @RequestParam(required = false) String environment, @RequestParam(required = false) String service,
      @RequestParam(required = false) String requestedBy, @RequestParam(defaultValue = "0") int page,
      @RequestParam(defaultValue = "50") int size, Principal principal) {
    Access.Reach reach = reach(principal);
    // a change's scopes are lists, not columns: a reader held to scopes gets the changes it sees paged here
    return reach.page(r -> changes.list(state, type, environment, service, requestedBy, r), c -> sees(reach, c),
        new PageRequest(page, size)).map(this::view);
  }

  @GetMapping("/unreviewed-emergencies")
  @Operation(summary = "Emergency changes closed without their post-implementation review")
  List<ChangeView> unreviewedEmergencies(Principal principal) {
    Access.Reach reach = reach(principal);
    return changes.emergenciesWithoutReview().stream().filter(c -> sees(reach, c)).map(this::view).toList();
  }

  @GetMapping("/{key}")
  @Operation(summary = "One change with its approvals, linked deployments, review and history")
  ChangeDetail get(@PathVariable String key, Principal principal) {
    Change c = changes.get(key);
    if (!sees(reach(principal), c)) {
      throw new AccessDeniedException(c.key() + " is in " + c.scopes().stream().map(Scope::toString)
          .collect(java.util.stream.Collectors.joining(" and ")) + ", which none of your roles reaches");
    }
    return detail(c);
  }

  record Reason(@Size(max = 2000) String reason) {}

  @PostMapping({"/{key}/submit", "/{key}/assess"})
  @Operation(summary = "Submit a new change for approval (assessed: the approval request and its expiry start)")
  ChangeDetail submit(@PathVariable String key, Principal principal) {
    require(principal.getName(), REQUESTERS, key, "submitting a change");
    return detail(changes.submit(key, principal.getName()));
  }

  @PostMapping("/{key}/approve")
  @Operation(summary = "Approve a change awaiting approval (needs a role of its rule; never the requester under "
      + "separation of duties)")
  ChangeDetail approve(@PathVariable String key, @Valid @RequestBody(required = false) Reason body, Principal principal) {
    return detail(changes.approve(key, principal.getName(), body == null ? null : body.reason()));
  }

  @PostMapping("/{key}/reject")
  @Operation(summary = "Reject a change awaiting approval; the reason is required")
  ChangeDetail reject(@PathVariable String key, @Valid @RequestBody(required = false) Reason body, Principal principal) {
    return detail(changes.reject(key, principal.getName(), body == null ? null : body.reason()));
  }

  @PostMapping("/{key}/cancel")
  @Operation(summary = "Cancel a change that has not started; the reason is required")
  ChangeDetail cancel(@PathVariable String key, @Valid @RequestBody(required = false) Reason body, Principal principal) {
    require(principal.getName(), REQUESTERS, key, "cancelling a change");
    return detail(changes.cancel(key, principal.getName(), body == null ? null : body.reason()));
  }

  @PostMapping("/{key}/schedule")
  @Operation(summary = "Place an authorized change on the forward schedule")
  ChangeDetail schedule(@PathVariable String key, Principal principal) {
    require(principal.getName(), RUNNERS, key, "scheduling a change");
    return detail(changes.schedule(key, principal.getName()));
  }

  record Closure(@Size(max = 20) String code, @Size(max = 2000) String reason) {}

  @PostMapping("/{key}/close")
  @Operation(summary = "Close a change: successful, failed or backed-out")
  ChangeDetail close(@PathVariable String key, @Valid @RequestBody(required = false) Closure body, Principal principal) {
    require(principal.getName(), RUNNERS, key, "closing a change");
    return detail(changes.close(key, body == null ? null : body.code(), principal.getName(),
        body == null ? null : body.reason()));
  }

  record ReviewBody(@Size(max = 4000) String summary, @Size(max = 4000) String followUps) {}

  @PostMapping("/{key}/review")
  @Operation(summary = "Record the post-implementation review of a closed change (required for emergencies)")
  ResponseEntity<ReviewView> review(@PathVariable String key, @Valid @RequestBody(required = false) ReviewBody body,
      Principal principal) {
    require(principal.getName(), REVIEWERS, key, "reviewing a change");
    Review r = changes.review(key, principal.getName(), body == null ? null : body.summary(),
        body == null ? null : body.followUps());
    return ResponseEntity.status(HttpStatus.CREATED).body(ReviewView.of(r));
  }

  @PostMapping("/{key}/callback")
  @Operation(summary = "An ITSM tool's call back about a change: without a state Gantry asks the tool at once; "
      + "a body {\"reference\", \"state\"} is taken as the tool's answer only when signed "
      + "(X-Gantry-Signature: sha256=<HMAC-SHA256 of the body with the system's callback-secret>)")
  ChangeDetail callback(@PathVariable String key, @RequestBody(required = false) byte[] body,
      @RequestHeader(name = ItsmCallbacks.SIGNATURE, required = false) String signature, Principal principal) {
    require(principal.getName(), ITSM_CALLERS, key, "calling back about a change");
    return detail(itsm.callback(key, body == null ? new byte[0] : body, signature, principal.getName()));
  }
}
