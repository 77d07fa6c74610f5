package io.gantry.change;

import io.gantry.metrics.AuditFinding;
import io.gantry.metrics.AuditFindingSource;
import io.gantry.metrics.MetricsFilter;
import io.gantry.metrics.Period;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * Audit findings of change enablement: an emergency change closed without its post-implementation
 * review. Dated by when the change was raised; filtered by service and environment (a change does not
 * belong to one model or team, so it is left out when those are filtered on).
 */
@Component
class ChangeAuditFindings implements AuditFindingSource {

  private final Changes changes;

  ChangeAuditFindings(Changes changes) {
    this.changes = changes;
  }

  @Override
  public List<AuditFinding> findings(Period period, MetricsFilter filter) {
    if (filter.model() != null || filter.team() != null) {
      return List.of();
    }
    return changes.emergenciesWithoutReview().stream()
        .filter(c -> !c.requestedAt().isBefore(period.from()) && c.requestedAt().isBefore(period.to()))
        .filter(c -> filter.service() == null || c.services().contains(filter.service())
            || c.components().stream().anyMatch(ref -> ref.service().equals(filter.service())))
        .filter(c -> filter.environment() == null || c.environments().contains(filter.environment()))
        .map(c -> new AuditFinding("emergency-without-review", "change " + c.key(), "emergency change " + c.key()
            + " (" + c.title() + ") was closed without its post-implementation review", c.requestedAt(),
            c.forDeployment(), c.services().isEmpty() ? null : c.services().getFirst(),
            c.environments().isEmpty() ? null : c.environments().getFirst()))
        .toList();
  }
}
