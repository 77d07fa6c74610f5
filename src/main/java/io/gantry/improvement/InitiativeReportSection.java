package io.gantry.improvement;

import io.gantry.capability.AssessmentPeriod;
import io.gantry.capability.ReportSection;
import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Component;

/** The register of improvement initiatives as it stood at the end of an assessment's period, with measured effects. */
@Component
class InitiativeReportSection implements ReportSection {

  private final Initiatives initiatives;

  InitiativeReportSection(Initiatives initiatives) {
    this.initiatives = initiatives;
  }

  @Override
  public int order() {
    return 60;
  }

  @Override
  public String title() {
    return "Improvement initiatives";
  }

  @Override
  public List<Table> tables(AssessmentPeriod period) {
    List<Initiative> registered = initiatives.all(null).stream()
        .filter(i -> i.createdAt().isBefore(period.to())).toList();
    if (registered.isEmpty()) {
      return List.of();
    }
    List<List<String>> rows = new ArrayList<>();
    List<List<String>> effects = new ArrayList<>();
    for (Initiative i : registered) {
      rows.add(List.of("#" + i.id(), i.title(), i.owner(), i.state().id(),
          i.kpi().id() + " " + i.direction().id() + ": " + i.expectedEffect(),
          i.model() == null ? "" : i.model() + " v" + i.modelVersion(), String.valueOf(i.links().size())));
      for (Initiative.Effect e : i.effects()) {
        effects.add(List.of("#" + i.id(), e.kpi().id(), e.model() + " v" + e.modelVersion(),
            FailureReportSection.day(e.inForceAt()), value(e.before()) + " (" + e.beforeBasis() + ")",
            value(e.after()) + " (" + e.afterBasis() + ")", e.movement(),
            e.asExpected() == null ? "" : e.asExpected() ? "yes" : "no"));
      }
    }
    List<Table> tables = new ArrayList<>();
    tables.add(new Table("Register", List.of("Initiative", "Title", "Owner", "State", "Expected effect",
        "Implemented by", "Links"), rows, null));
    if (!effects.isEmpty()) {
      tables.add(new Table("Measured effects", List.of("Initiative", "KPI", "Model version", "In force since",
          "Before (deployments)", "After (deployments)", "Movement", "As expected"), effects,
          "each KPI over the model's deployments in equal windows before and after the version came into force, "
          + "as measured when the initiative was evaluated"));
    }
    return tables;
  }

  private static String value(Double v) {
    return v == null ? "n/a" : String.format(java.util.Locale.ROOT, "%.1f", v);
  }
}
