package io.gantry.deployment;

import io.gantry.capability.AssessmentPeriod;
import io.gantry.capability.Criterion;
import io.gantry.capability.Evidence;
import io.gantry.capability.EvidenceSource;
import io.gantry.capability.Judgement;
import java.sql.Timestamp;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Judges "deployment information is tracked and managed in an integrated information system" (Table 7.1, level 3)
 * by the share of the deployments that ended in the period whose record is complete: its history (the audit trail
 * of its transitions) reaches the state it ended in, and every target it ran on has its run finished. Met at 90 %
 * or more, partly met at 50 % or more; not met below that or when no deployment ended.
 */
@Component
class TrackingEvidence implements EvidenceSource {

  static final double MET = Judgement.MET_AT;
  static final double PARTLY = Judgement.PARTLY_AT;

  private final JdbcClient jdbc;

  TrackingEvidence(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  @Override
  public Set<Criterion> criteria() {
    return Set.of(Criterion.TRACKED);
  }

  @Override
  public Evidence evidence(Criterion criterion, AssessmentPeriod period) {
    Map<String, Object> row = jdbc.sql("""
        select count(*) as ended,
               sum(case when exists (select 1 from deployment_events e
                                      where e.deployment_id = d.id and e.to_state = d.state)
                         and not exists (select 1 from target_runs t
                                          where t.deployment_id = d.id and t.finished_at is null)
                        then 1 else 0 end) as complete,
               sum(case when exists (select 1 from target_runs t where t.deployment_id = d.id)
                        then 1 else 0 end) as on_targets
          from deployments d
         where d.finished_at >= :from and d.finished_at < :to
        """).param("from", Timestamp.from(period.from())).param("to", Timestamp.from(period.to())).query().singleRow();
    long ended = number(row.get("ended"));
    long complete = number(row.get("complete"));
    List<String> facts = List.of(ended + " deployments ended in the period",
        complete + " have a complete record (history to their final state, every target run finished)",
        number(row.get("on_targets")) + " ran on targets recorded with their outcome");
    if (ended == 0) {
      return new Evidence(criterion, Judgement.NOT_MET, "no deployment ended in the period: no record shows that "
          + "deployment information is tracked", facts);
    }
    double share = 100.0 * complete / ended;
    Judgement j = Judgement.ofShare(share);
    return new Evidence(criterion, j, String.format(Locale.ROOT, "%.1f %%", share) + " of the deployments that "
        + "ended in the period have a complete record in Gantry (met at 90 % or more, partly met at 50 % or more)",
        facts);
  }

  private static long number(Object value) {
    return value == null ? 0 : ((Number) value).longValue();
  }
}
