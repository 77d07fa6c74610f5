package io.gantry.assessment;

import io.gantry.capability.AssessmentPeriod;
import io.gantry.capability.Criterion;
import io.gantry.capability.Evidence;
import io.gantry.capability.EvidenceSource;
import io.gantry.capability.Judgement;
import io.gantry.catalog.TrustedKeys;
import io.gantry.change.ItsmSettings;
import io.gantry.inbound.InboundHooks;
import io.gantry.metrics.FlowRecords;
import java.util.List;
import java.util.Set;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * Judges "deployment includes dependencies and relationships with third parties where appropriate" (Table 7.1,
 * level 3) by four things Gantry holds of suppliers' part in deployment: deployments by other tools reported to
 * it in the period, trusted keys to check suppliers' signed artifacts, inbound hooks through which suppliers'
 * registries deliver versions, and a change integration with an ITSM system. Met when all four are there, partly
 * met when some are, not met when none is.
 */
@Component
class ThirdPartyEvidence implements EvidenceSource {

  private final FlowRecords flow;
  private final TrustedKeys keys;
  private final InboundHooks hooks;
  private final ObjectProvider<ItsmSettings> itsm;

  ThirdPartyEvidence(FlowRecords flow, TrustedKeys keys, InboundHooks hooks, ObjectProvider<ItsmSettings> itsm) {
    this.flow = flow;
    this.keys = keys;
    this.hooks = hooks;
    this.itsm = itsm;
  }

  @Override
  public Set<Criterion> criteria() {
    return Set.of(Criterion.THIRD_PARTIES);
  }

  @Override
  public Evidence evidence(Criterion criterion, AssessmentPeriod period) {
    long external = flow.between(period.from(), period.to()).external();
    int trusted = keys.all().size();
    int inbound = hooks.all().size();
    int systems = itsm.getIfAvailable(ItsmSettings::none).systems().size();
    List<String> facts = List.of(external + " deployments by other tools were reported in the period",
        trusted + " trusted keys check signed artifacts", inbound + " inbound hooks receive versions from outside",
        systems + " ITSM systems are integrated with change enablement");
    long present = java.util.stream.LongStream.of(external, trusted, inbound, systems).filter(n -> n > 0).count();
    Judgement j = present == 4 ? Judgement.MET : present > 0 ? Judgement.PARTLY_MET : Judgement.NOT_MET;
    return new Evidence(criterion, j, present + " of 4 supplier relationships Gantry can see are in place "
        + "(external deployments, trusted keys, inbound hooks, ITSM integration; met with all 4, partly met with "
        + "some); Gantry cannot see contracts or how suppliers are managed outside it", facts);
  }
}
