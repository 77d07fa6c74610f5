package io.gantry.metrics;

import io.gantry.identity.Access;
import io.gantry.shared.Page;
import io.gantry.shared.PageRequest;
import java.security.Principal;
import java.time.Instant;
import org.springframework.stereotype.Service;

/**
 * Incidents for other modules (the console), with the checks of the incidents API: a user lists and
 * reads the incidents whose service and environment its roles reach, and reports, resolves and marks
 * remediations with a reporting role ({@link IncidentController#REPORTERS}) in the incident's service
 * and environment, naming only deployments it may read.
 */
@Service
public class IncidentDesk {

  private final Incidents incidents;
  private final DeploymentReach deployments;
  private final Access access;

  IncidentDesk(Incidents incidents, DeploymentReach deployments, Access access) {
    this.incidents = incidents;
    this.deployments = deployments;
    this.access = access;
  }

  /** What a reporter says about a new incident; a null deployment means: find the cause by rule. */
  public record NewIncident(String service, String environment, String severity, String title, String reference,
      Instant detectedAt, Instant resolvedAt, Long deployment) {}

  /** One page of the incidents the user sees, latest detected first; {@code open} null for all. */
  public Page<Incident> list(String user, String service, String environment, Boolean open, PageRequest request) {
    Access.Reach reach = access.reach(user, Access.INSIDERS);
    Incidents.Filter filter = new Incidents.Filter(blankToNull(service), blankToNull(environment), open);
    return reach.page(r -> incidents.page(filter, r), i -> reach.sees(IncidentController.scope(i)), request);
  }

  /** One incident, refused unless the user's roles reach its service and environment. */
  public Incident get(String user, long id) {
    Incident i = incidents.get(id);
    access.reach(user, Access.INSIDERS).requireSees("incident #" + id, IncidentController.scope(i));
    return i;
  }

  /** Whether the user may report, resolve and remediate incidents of this one's service and environment. */
  public boolean mayHandle(String user, Incident incident) {
    return access.rolesIn(user, IncidentController.scope(incident)).stream()
        .anyMatch(IncidentController.REPORTERS::contains);
  }

  public Incident report(String user, NewIncident r) {
    String service = blankToNull(r.service());
    String environment = blankToNull(r.environment());
    if (service != null && environment != null) {
      access.require(user, IncidentController.REPORTERS, new io.gantry.identity.Scope(service, environment),
          "reporting an incident");
    }
    deployments.require(r.deployment(), principal(user));
    return incidents.report(new Incidents.Report(service, environment, r.severity(), r.title(), r.reference(),
        r.detectedAt(), r.resolvedAt(), r.deployment()), user);
  }

  /** Resolves the incident at {@code resolvedAt}, or now when null. */
  public Incident resolve(String user, long id, Instant resolvedAt) {
    access.require(user, IncidentController.REPORTERS, IncidentController.scope(incidents.get(id)),
        "resolving incident #" + id);
    return incidents.resolve(id, resolvedAt, user);
  }

  /** Marks {@code deployment} as made to remediate the incident (DORA's rework). */
  public Incident remediate(String user, long id, Long deployment) {
    access.require(user, IncidentController.REPORTERS, IncidentController.scope(incidents.get(id)),
        "marking a remediation of incident #" + id);
    deployments.require(deployment, principal(user));
    return incidents.remediate(id, deployment, user);
  }

  private static Principal principal(String user) {
    return () -> user;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }
}
