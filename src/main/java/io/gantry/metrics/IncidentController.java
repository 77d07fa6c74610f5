package io.gantry.metrics;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Size;
import io.gantry.identity.Access;
import io.gantry.identity.Role;
import io.gantry.identity.Scope;
import io.gantry.shared.Page;
import io.gantry.shared.PageRequest;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.security.Principal;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/incidents")
@Tag(name = "Incidents", description = "Incidents linked to the deployments that caused and remediated them")
class IncidentController {

  /** Those who report, resolve and remediate incidents, in the incident's service and environment. */
  static final Set<Role> REPORTERS = EnumSet.of(Role.DEPLOYMENT_MANAGER, Role.DEPLOYMENT_PRACTITIONER,
      Role.SERVICE_DESK, Role.SERVICE_OWNER, Role.TECHNICAL_SPECIALIST);

  private final Incidents incidents;
  private final DeploymentReach deployments;
  private final Access access;

  IncidentController(Incidents incidents, DeploymentReach deployments, Access access) {
    this.incidents = incidents;
    this.deployments = deployments;
    this.access = access;
  }

  static Scope scope(Incident i) {
    return new Scope(i.service(), i.environment());
  }

  private Access.Reach reach(Principal principal) {
    return access.reach(principal.getName(), Access.INSIDERS);
  }

  /**
   * {@code severity}: 1-4 or critical, high, medium, low; times ISO-8601; {@code deployment} names the
   * cause, else the rule finds it.
   */
  record NewIncident(@Size(max = 63) String service, @Size(max = 63) String environment,
      @Size(max = 20) String severity, @Size(max = 500) String title, @Size(max = 200) String reference,
      Instant detectedAt, Instant resolvedAt, Long deployment) {}

  record Resolution(Instant resolvedAt) {}

  record Remediation(Long deployment) {}

  record IncidentView(long id, String service, String environment, String severity, int severityLevel, String title,
      String reference, Instant detectedAt, Instant resolvedAt, Long deployment, String linkedBy, String reportedBy,
      Instant reportedAt, String resolvedBy, List<Long> remediations) {
    static IncidentView of(Incident i) {
      return new IncidentView(i.id(), i.service(), i.environment(), i.severity().id(), i.severity().level(), i.title(),
          i.reference(), i.detectedAt(), i.resolvedAt(), i.deployment(),
          i.linkedBy().name().toLowerCase(java.util.Locale.ROOT), i.reportedBy(), i.reportedAt(), i.resolvedBy(),
          i.remediations());
    }
  }

  @PostMapping
  @Operation(summary = "Report an incident; it is linked to the named deployment or, by rule, to the latest "
      + "successful deployment of the service into its production environment that ended before detection; needs "
      + "one of the roles deployment-manager, deployment-practitioner, service-desk, service-owner, "
      + "technical-specialist in its service and environment")
  ResponseEntity<IncidentView> report(@Valid @RequestBody NewIncident body, Principal principal) {
    String service = blankToNull(body.service());
    String environment = blankToNull(body.environment());
    if (service != null && environment != null) {
      // without either the report is refused as incomplete, whoever sends it
      access.require(principal.getName(), REPORTERS, new Scope(service, environment), "reporting an incident");
    }
    deployments.require(body.deployment(), principal);
    Incident i = incidents.report(new Incidents.Report(body.service(), body.environment(), body.severity(),
        body.title(), body.reference(), body.detectedAt(), body.resolvedAt(), body.deployment()), principal.getName());
    return ResponseEntity.status(HttpStatus.CREATED).body(IncidentView.of(i));
  }

  @PostMapping("/{id}/resolve")
  @Operation(summary = "Resolve an incident at the given time (default now); not before it was detected; needs a "
      + "reporting role in its service and environment")
  IncidentView resolve(@PathVariable long id, @Valid @RequestBody(required = false) Resolution body, Principal principal) {
    access.require(principal.getName(), REPORTERS, scope(incidents.get(id)), "resolving incident #" + id);
    return IncidentView.of(incidents.resolve(id, body == null ? null : body.resolvedAt(), principal.getName()));
  }

  @PostMapping("/{id}/remediation")
  @Operation(summary = "Mark a deployment as made to remediate the incident (DORA rework); needs a reporting role "
      + "in the incident's service and environment, and to read the deployment")
  ResponseEntity<IncidentView> remediation(@PathVariable long id, @Valid @RequestBody Remediation body,
      Principal principal) {
    access.require(principal.getName(), REPORTERS, scope(incidents.get(id)), "marking a remediation of incident #"
        + id);
    deployments.require(body.deployment(), principal);
    return ResponseEntity.status(HttpStatus.CREATED)
        .body(IncidentView.of(incidents.remediate(id, body.deployment(), principal.getName())));
  }

  @GetMapping("/{id}")
  @Operation(summary = "One incident")
  IncidentView get(@PathVariable long id, Principal principal) {
    Incident i = incidents.get(id);
    reach(principal).requireSees("incident #" + id, scope(i));
    return IncidentView.of(i);
  }

  @GetMapping
  @Operation(summary = "Incidents in the caller's scopes, latest detected first; open=true for unresolved ones only")
  Page<IncidentView> list(@RequestParam(required = false) String service,
      @RequestParam(required = false) String environment, @RequestParam(required = false) Boolean open,
      @RequestParam(defaultValue = "0") int page, @RequestParam(defaultValue = "50") int size, Principal principal) {
    Access.Reach reach = reach(principal);
    Incidents.Filter filter = new Incidents.Filter(service, environment, open);
    return reach.page(r -> incidents.page(filter, r), i -> reach.sees(scope(i)), new PageRequest(page, size))
        .map(IncidentView::of);
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }
}
