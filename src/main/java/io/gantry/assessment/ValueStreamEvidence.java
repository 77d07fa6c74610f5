package io.gantry.assessment;

import io.gantry.capability.AssessmentPeriod;
import io.gantry.capability.Criterion;
import io.gantry.capability.Evidence;
import io.gantry.capability.EvidenceSource;
import io.gantry.capability.Judgement;
import io.gantry.change.DeploymentChanges;
import io.gantry.metrics.FlowRecords;
import java.util.List;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * Judges "deployment is effectively integrated in the organization's value streams" (Table 7.1, level 4) from the
 * deployments that ended in the period: the share with value stream data (process and waiting time by activity),
 * the share inside a change, and the share of the period's incidents related to a deployment. Met when the value
 * stream share is 90 % or more, the change share 50 % or more and the incident share 90 % or more (or there were no
 * incidents); partly met when the value stream share is 50 % or more; not met otherwise or when none ended.
 */
@Component
class ValueStreamEvidence implements EvidenceSource {

  private final FlowRecords flow;
  private final DeploymentChanges changes;

  ValueStreamEvidence(FlowRecords flow, DeploymentChanges changes) {
    this.flow = flow;
    this.changes = changes;
  }

  @Override
  public Set<Criterion> criteria() {
    return Set.of(Criterion.VALUE_STREAMS);
  }

  @Override
  public Evidence evidence(Criterion criterion, AssessmentPeriod period) {
    FlowRecords.Flow f = flow.between(period.from(), period.to());
    long n = f.ended().size();
    long inChange = changes.covered(f.ended()).size();
    double vsm = Shares.percent(f.withValueStream(), n);
    double changed = Shares.percent(inChange, n);
    double related = f.incidents() == 0 ? 100 : Shares.percent(f.incidentsRelated(), f.incidents());
    List<String> facts = List.of(n + " deployments ended in the period (cancelled ones not counted)",
        f.withValueStream() + " carry value stream data (" + Shares.text(vsm) + ")",
        inChange + " are inside a change (" + Shares.text(changed) + ")",
        f.incidentsRelated() + " of " + f.incidents() + " incidents detected in the period are related to a "
            + "deployment");
    if (n == 0) {
      return new Evidence(criterion, Judgement.NOT_MET, "no deployment ended in the period: nothing links "
          + "deployment to the value streams", facts);
    }
    Judgement j = vsm >= Shares.MET && changed >= Shares.PARTLY && related >= Shares.MET ? Judgement.MET
        : vsm >= Shares.PARTLY ? Judgement.PARTLY_MET : Judgement.NOT_MET;
    return new Evidence(criterion, j, Shares.text(vsm) + " of the deployments carry value stream data, "
        + Shares.text(changed) + " are inside a change and " + Shares.text(related) + " of the incidents are related "
        + "to a deployment (met at 90 %, 50 % and 90 %; partly met with value stream data for 50 %)", facts);
  }
}
