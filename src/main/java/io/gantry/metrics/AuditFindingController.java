package io.gantry.metrics;

import io.gantry.identity.Access;
import io.gantry.identity.Role;
import io.gantry.identity.Scope;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.security.Principal;
import java.time.Clock;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Audit findings: those from outside, recorded by auditors and deployment managers (in the scope the finding is
 * about), and every finding of a period, internal and external together, for those who reach its filter.
 */
@RestController
@Tag(name = "Audit findings", description = "Internal and external audit findings")
class AuditFindingController {

  static final Set<Role> RECORDERS = EnumSet.of(Role.AUDITOR, Role.DEPLOYMENT_MANAGER);

  private final ExternalFindings external;
  private final KpiReports kpis;
  private final Access access;
  private final Clock clock;

  AuditFindingController(ExternalFindings external, KpiReports kpis, Access access, Clock clock) {
    this.external = external;
    this.kpis = kpis;
    this.access = access;
    this.clock = clock;
  }

  record NewState(String state) {}

  @PostMapping("/api/v1/audit-findings/external")
  @Operation(summary = "Record an audit finding from outside: source, severity (low, medium, high, critical), "
      + "description, foundOn (a day), state (open, accepted, closed; default open), optional service and "
      + "environment; auditors and deployment managers")
  ResponseEntity<ExternalFinding> add(@RequestBody ExternalFindings.Input body, Principal principal) {
    access.require(principal.getName(), RECORDERS, new Scope(blank(body.service()), blank(body.environment())),
        "recording an external audit finding");
    return ResponseEntity.status(HttpStatus.CREATED).body(external.add(body, principal.getName()));
  }

  @PutMapping("/api/v1/audit-findings/external/{id}/state")
  @Operation(summary = "Change the state of an external audit finding (open, accepted, closed)")
  ExternalFinding state(@PathVariable long id, @RequestBody NewState body, Principal principal) {
    ExternalFinding f = external.get(id);
    access.require(principal.getName(), RECORDERS, new Scope(f.service(), f.environment()),
        "changing an external audit finding");
    return external.setState(id, body.state());
  }

  @GetMapping("/api/v1/audit-findings/external")
  @Operation(summary = "The external audit findings found in [from, to) that the caller reaches")
  List<ExternalFinding> externals(@RequestParam(required = false) String from,
      @RequestParam(required = false) String to, Principal principal) {
    Access.Reach reach = KpiController.insider(access, principal, "external audit findings");
    return external.list(Period.parse(from, to, clock)).stream()
        .filter(f -> reach.covers(new Scope(f.service(), f.environment()))).toList();
  }

  @GetMapping("/api/v1/audit-findings")
  @Operation(summary = "Every audit finding of [from, to), internal (from Gantry's records) and external, counted "
      + "by origin; service and environment filter them")
  KpiReport.AuditFindings findings(@RequestParam(required = false) String from,
      @RequestParam(required = false) String to, @RequestParam(required = false) String service,
      @RequestParam(required = false) String environment, Principal principal) {
    MetricsFilter filter = new MetricsFilter(service, environment, null, null);
    access.reach(principal.getName(), Access.INSIDERS).requireCovers("the audit findings",
        new Scope(filter.service(), filter.environment()));
    return kpis.auditFindingsOf(Period.parse(from, to, clock), filter);
  }

  private static String blank(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }
}
