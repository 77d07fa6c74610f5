package io.gantry.assessment;

import io.gantry.capability.AssessmentPeriod;
import io.gantry.capability.Criterion;
import io.gantry.capability.Evidence;
import io.gantry.capability.EvidenceSource;
import io.gantry.capability.Judgement;
import io.gantry.change.ItsmSettings;
import io.gantry.environment.Target;
import io.gantry.environment.Targets;
import io.gantry.events.Subscriptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * Judges "deployment includes required technologies and information flows" (Table 7.1, level 3): the targets
 * Gantry deploys to, by kind, and the information flows out of it (event subscriptions of other tools) and into
 * change enablement (ITSM systems). Met when there are targets and at least one flow, partly met with only one of
 * the two, not met with neither.
 */
@Component
class TechnologyEvidence implements EvidenceSource {

  private final Targets targets;
  private final Subscriptions subscriptions;
  private final ObjectProvider<ItsmSettings> itsm;

  TechnologyEvidence(Targets targets, Subscriptions subscriptions, ObjectProvider<ItsmSettings> itsm) {
    this.targets = targets;
    this.subscriptions = subscriptions;
    this.itsm = itsm;
  }

  @Override
  public Set<Criterion> criteria() {
    return Set.of(Criterion.TECHNOLOGIES);
  }

  @Override
  public Evidence evidence(Criterion criterion, AssessmentPeriod period) {
    List<Target> all = targets.all();
    Map<String, Long> kinds = all.stream().collect(Collectors.groupingBy(t -> String.valueOf(t.definition().kind())
        .toLowerCase(java.util.Locale.ROOT), TreeMap::new, Collectors.counting()));
    int subscribed = subscriptions.list().size();
    int systems = itsm.getIfAvailable(ItsmSettings::none).systems().size();
    List<String> facts = new ArrayList<>();
    facts.add(all.size() + " targets" + (kinds.isEmpty() ? "" : ": " + kinds.entrySet().stream()
        .map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", "))));
    facts.add(subscribed + " event subscriptions send Gantry's events to other tools");
    facts.add(systems + " ITSM systems are integrated with change enablement");
    boolean technology = !all.isEmpty();
    boolean flows = subscribed + systems > 0;
    Judgement j = technology && flows ? Judgement.MET : technology || flows ? Judgement.PARTLY_MET : Judgement.NOT_MET;
    return new Evidence(criterion, j, (technology ? "targets of " + kinds.size() + " kind(s) are in use" : "no target "
        + "is registered") + " and " + (flows ? "information flows to other tools are configured" : "no information "
        + "flow to another tool is configured") + " (met with both, partly met with one)", facts);
  }
}
