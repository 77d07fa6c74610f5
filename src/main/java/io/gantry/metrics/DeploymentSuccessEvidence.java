package io.gantry.metrics;

import io.gantry.capability.AssessmentPeriod;
import io.gantry.capability.Criterion;
import io.gantry.capability.Evidence;
import io.gantry.capability.EvidenceSource;
import io.gantry.capability.Judgement;
import java.sql.Timestamp;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Judges "new and changed services and service components are successfully deployed" (Table 7.1, level 2) by the
 * success rate of the deployments that ended in the period, cancelled ones not counted: met at 90 % or more, partly
 * met at 50 % or more, not met below that or when no deployment ended.
 */
@Component
class DeploymentSuccessEvidence implements EvidenceSource {

  static final double MET = Judgement.MET_AT;
  static final double PARTLY = Judgement.PARTLY_AT;

  private final JdbcClient jdbc;

  DeploymentSuccessEvidence(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  @Override
  public Set<Criterion> criteria() {
    return Set.of(Criterion.DEPLOYED_SUCCESSFULLY);
  }

  @Override
  public Evidence evidence(Criterion criterion, AssessmentPeriod period) {
    Map<String, Object> row = jdbc.sql("""
        select count(*) as ended,
               sum(case when state = 'SUCCEEDED' then 1 else 0 end) as succeeded,
               sum(case when state = 'FAILED' then 1 else 0 end) as failed,
               sum(case when state = 'ROLLED_BACK' then 1 else 0 end) as rolled_back,
               sum(case when state = 'CANCELLED' then 1 else 0 end) as cancelled
          from metrics_deployment_facts where finished_at >= :from and finished_at < :to
        """).param("from", Timestamp.from(period.from())).param("to", Timestamp.from(period.to())).query().singleRow();
    long succeeded = Scope.count(row.get("succeeded"));
    long counted = Scope.count(row.get("ended")) - Scope.count(row.get("cancelled"));
    List<String> facts = List.of(counted + " deployments ended in the period (cancelled ones not counted)",
        succeeded + " succeeded, " + Scope.count(row.get("failed")) + " failed, " + Scope.count(row.get("rolled_back"))
            + " were rolled back");
    if (counted == 0) {
      return new Evidence(criterion, Judgement.NOT_MET, "no deployment ended in the period: nothing shows that "
          + "services are deployed successfully", facts);
    }
    double rate = 100.0 * succeeded / counted;
    String share = String.format(java.util.Locale.ROOT, "%.1f %%", rate);
    Judgement j = Judgement.ofShare(rate);
    return new Evidence(criterion, j, share + " of the deployments that ended in the period succeeded (met at 90 % "
        + "or more, partly met at 50 % or more)", facts);
  }
}
