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
import org.springframework.security.access.prepost.PreAuthorize;
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

  private static final String REQUESTERS =
      "hasAnyRole('DEPLOYMENT_MANAGER','DEPLOYMENT_PRACTITIONER','SERVICE_OWNER','TECHNICAL_SPECIALIST')";

  private final Changes changes;
  private final ItsmPolling itsm;

  ChangeController(Changes changes, ItsmPolling itsm) {
    this.changes = changes;
    this.itsm = itsm;
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
  @PreAuthorize(REQUESTERS)
  @Operation(summary = "Record a change (standard changes are authorized at once where the model allows them)")
  ResponseEntity<ChangeView> create(@Valid @RequestBody NewChange body, Principal principal) {
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
      @RequestParam(defaultValue = "50") int size) {
    Page<Change> found = changes.list(state, type, environment, service, requestedBy, new PageRequest(page, size));
    return new Page<>(found.items().stream().map(this::view).toList(), found.page(), found.size(), found.total());
  }

  @GetMapping("/unreviewed-emergencies")
  @Operation(summary = "Emergency changes closed without their post-implementation review")
  List<ChangeView> unreviewedEmergencies() {
    return changes.emergenciesWithoutReview().stream().map(this::view).toList();
  }

  @GetMapping("/{key}")
  @Operation(summary = "One change with its approvals, linked deployments, review and history")
  ChangeDetail get(@PathVariable String key) {
    return detail(changes.get(key));
  }

  record Reason(@Size(max = 2000) String reason) {}

  @PostMapping({"/{key}/submit", "/{key}/assess"})
  @PreAuthorize(REQUESTERS)
  @Operation(summary = "Submit a new change for approval (assessed: the approval request and its expiry start)")
  ChangeDetail submit(@PathVariable String key, Principal principal) {
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
  @PreAuthorize(REQUESTERS)
  @Operation(summary = "Cancel a change that has not started; the reason is required")
  ChangeDetail cancel(@PathVariable String key, @Valid @RequestBody(required = false) Reason body, Principal principal) {
    return detail(changes.cancel(key, principal.getName(), body == null ? null : body.reason()));
  }

  @PostMapping("/{key}/schedule")
  @PreAuthorize("hasAnyRole('DEPLOYMENT_MANAGER','DEPLOYMENT_PRACTITIONER')")
  @Operation(summary = "Place an authorized change on the forward schedule")
  ChangeDetail schedule(@PathVariable String key, Principal principal) {
    return detail(changes.schedule(key, principal.getName()));
  }

  record Closure(@Size(max = 20) String code, @Size(max = 2000) String reason) {}

  @PostMapping("/{key}/close")
  @PreAuthorize("hasAnyRole('DEPLOYMENT_MANAGER','DEPLOYMENT_PRACTITIONER')")
  @Operation(summary = "Close a change: successful, failed or backed-out")
  ChangeDetail close(@PathVariable String key, @Valid @RequestBody(required = false) Closure body, Principal principal) {
    return detail(changes.close(key, body == null ? null : body.code(), principal.getName(),
        body == null ? null : body.reason()));
  }

  record ReviewBody(@Size(max = 4000) String summary, @Size(max = 4000) String followUps) {}

  @PostMapping("/{key}/review")
  @PreAuthorize("hasAnyRole('DEPLOYMENT_MANAGER','SERVICE_OWNER')")
  @Operation(summary = "Record the post-implementation review of a closed change (required for emergencies)")
  ResponseEntity<ReviewView> review(@PathVariable String key, @Valid @RequestBody(required = false) ReviewBody body,
      Principal principal) {
    Review r = changes.review(key, principal.getName(), body == null ? null : body.summary(),
        body == null ? null : body.followUps());
    return ResponseEntity.status(HttpStatus.CREATED).body(ReviewView.of(r));
  }

  @PostMapping("/{key}/callback")
  @PreAuthorize("hasAnyRole('DEPLOYMENT_MANAGER','SERVICE_DESK')")
  @Operation(summary = "An ITSM tool's call back about a change: without a state Gantry asks the tool at once; "
      + "a body {\"reference\", \"state\"} is taken as the tool's answer only when signed "
      + "(X-Gantry-Signature: sha256=<HMAC-SHA256 of the body with the system's callback-secret>)")
  ChangeDetail callback(@PathVariable String key, @RequestBody(required = false) byte[] body,
      @RequestHeader(name = ItsmCallbacks.SIGNATURE, required = false) String signature, Principal principal) {
    return detail(itsm.callback(key, body == null ? new byte[0] : body, signature, principal.getName()));
  }
}
