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
 * Judges "deployment is automated where reasonably possible" (Table 7.1, level 3) by the share of the step runs
 * started in the period that ran without a person: not a manual or approval step, and no person's decision (a
 * sign-off, an approval, a confirmation, a retry or skip after a failure) recorded on it. Met at 90 % or more,
 * partly met at 50 % or more; not met below that or when no step ran.
 */
@Component
class AutomationEvidence implements EvidenceSource {

  static final double MET = Judgement.MET_AT;
  static final double PARTLY = Judgement.PARTLY_AT;

  private final JdbcClient jdbc;

  AutomationEvidence(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  @Override
  public Set<Criterion> criteria() {
    return Set.of(Criterion.AUTOMATED);
  }

  @Override
  public Evidence evidence(Criterion criterion, AssessmentPeriod period) {
    Map<String, Object> row = jdbc.sql("""
        select count(*) as runs,
               sum(case when s.step_type in ('manual', 'approval') then 1 else 0 end) as people_steps,
               sum(case when s.step_type not in ('manual', 'approval') and exists (select 1 from decisions x
                          where x.deployment_id = t.deployment_id and x.step = s.step_name) then 1 else 0 end)
                 as decided
          from step_runs s join target_runs t on t.id = s.target_run_id
         where s.started_at >= :from and s.started_at < :to
        """).param("from", Timestamp.from(period.from())).param("to", Timestamp.from(period.to())).query().singleRow();
    long runs = number(row.get("runs"));
    long people = number(row.get("people_steps"));
    long decided = number(row.get("decided"));
    long alone = runs - people - decided;
    List<String> facts = List.of(runs + " step runs started in the period",
        people + " were manual or approval steps", decided + " other steps needed a person's decision",
        alone + " ran without a person");
    if (runs == 0) {
      return new Evidence(criterion, Judgement.NOT_MET, "no step ran in the period: nothing shows that deployment "
          + "is automated", facts);
    }
    double share = 100.0 * alone / runs;
    Judgement j = Judgement.ofShare(share);
    return new Evidence(criterion, j, String.format(Locale.ROOT, "%.1f %%", share) + " of the step runs in the "
        + "period ran without a person (met at 90 % or more, partly met at 50 % or more)", facts);
  }

  private static long number(Object value) {
    return value == null ? 0 : ((Number) value).longValue();
  }
}
