package io.gantry.metrics;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Size;
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
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/incidents")
@Tag(name = "Incidents", description = "Incidents linked to the deployments that caused and remediated them")
class IncidentController {

  static final String REPORTERS =
      "hasAnyRole('DEPLOYMENT_MANAGER','DEPLOYMENT_PRACTITIONER','SERVICE_DESK','SERVICE_OWNER','TECHNICAL_SPECIALIST')";

  private final Incidents incidents;

  IncidentController(Incidents incidents) {
    this.incidents = incidents;
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
  @PreAuthorize(REPORTERS)
  @Operation(summary = "Report an incident; it is linked to the named deployment or, by rule, to the latest "
      + "successful deployment of the service into its production environment that ended before detection")
  ResponseEntity<IncidentView> report(@Valid @RequestBody NewIncident body, Principal principal) {
    Incident i = incidents.report(new Incidents.Report(body.service(), body.environment(), body.severity(),
        body.title(), body.reference(), body.detectedAt(), body.resolvedAt(), body.deployment()), principal.getName());
    return ResponseEntity.status(HttpStatus.CREATED).body(IncidentView.of(i));
  }

  @PostMapping("/{id}/resolve")
  @PreAuthorize(REPORTERS)
  @Operation(summary = "Resolve an incident at the given time (default now); not before it was detected")
  IncidentView resolve(@PathVariable long id, @Valid @RequestBody(required = false) Resolution body, Principal principal) {
    return IncidentView.of(incidents.resolve(id, body == null ? null : body.resolvedAt(), principal.getName()));
  }

  @PostMapping("/{id}/remediation")
  @PreAuthorize(REPORTERS)
  @Operation(summary = "Mark a deployment as made to remediate the incident (DORA rework)")
  ResponseEntity<IncidentView> remediation(@PathVariable long id, @Valid @RequestBody Remediation body,
      Principal principal) {
    return ResponseEntity.status(HttpStatus.CREATED)
        .body(IncidentView.of(incidents.remediate(id, body.deployment(), principal.getName())));
  }

  @GetMapping("/{id}")
  @Operation(summary = "One incident")
  IncidentView get(@PathVariable long id) {
    return IncidentView.of(incidents.get(id));
  }

  @GetMapping
  @Operation(summary = "Incidents, latest detected first; open=true for unresolved ones only")
  Page<IncidentView> list(@RequestParam(required = false) String service,
      @RequestParam(required = false) String environment, @RequestParam(required = false) Boolean open,
      @RequestParam(defaultValue = "0") int page, @RequestParam(defaultValue = "50") int size) {
    return incidents.page(new Incidents.Filter(service, environment, open), new PageRequest(page, size))
        .map(IncidentView::of);
  }
}
