package io.gantry.assessment;

import io.gantry.capability.AssessmentPeriod;
import io.gantry.capability.Criterion;
import io.gantry.capability.Evidence;
import io.gantry.capability.EvidenceSource;
import io.gantry.capability.Judgement;
import io.gantry.change.DeploymentChanges;
import io.gantry.events.Subscriptions;
import io.gantry.metrics.FlowRecords;
import java.util.List;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * Judges "the deployment approach is integrated with other standards and approaches adopted by the organization"
 * (Table 7.1, level 4) by the integration with change enablement (the share of the deployments that ended in the
 * period inside a change) and with other tools (event subscriptions). Met when 90 % or more are inside a change and
 * another tool subscribes to events; partly met when 50 % or more are, or when a tool subscribes; not met otherwise.
 */
@Component
class IntegrationEvidence implements EvidenceSource {

  private final FlowRecords flow;
  private final DeploymentChanges changes;
  private final Subscriptions subscriptions;

  IntegrationEvidence(FlowRecords flow, DeploymentChanges changes, Subscriptions subscriptions) {
    this.flow = flow;
    this.changes = changes;
    this.subscriptions = subscriptions;
  }

  @Override
  public Set<Criterion> criteria() {
    return Set.of(Criterion.APPROACH_INTEGRATED);
  }

  @Override
  public Evidence evidence(Criterion criterion, AssessmentPeriod period) {
    List<Long> ended = flow.between(period.from(), period.to()).ended();
    long inChange = changes.covered(ended).size();
    double share = Shares.percent(inChange, ended.size());
    int subscribed = subscriptions.list().size();
    List<String> facts = List.of(inChange + " of " + ended.size() + " deployments that ended in the period are "
        + "inside a change", subscribed + " event subscriptions send Gantry's events to other tools");
    Judgement j = share >= Shares.MET && subscribed > 0 ? Judgement.MET
        : share >= Shares.PARTLY || subscribed > 0 ? Judgement.PARTLY_MET : Judgement.NOT_MET;
    return new Evidence(criterion, j, Shares.text(share) + " of the deployments that ended in the period are inside "
        + "a change and " + (subscribed > 0 ? subscribed + " event subscription(s) integrate other tools"
        : "no other tool subscribes to Gantry's events") + " (met at 90 % with a subscription; partly met at 50 % "
        + "or with a subscription); other standards the organization adopted are for the assessor", facts);
  }
}
