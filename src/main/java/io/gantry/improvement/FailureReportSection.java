package io.gantry.improvement;

import io.gantry.capability.AssessmentPeriod;
import io.gantry.capability.ReportSection;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Component;

/** The failure analysis of an assessment's period: its most frequent causes and their trend. */
@Component
class FailureReportSection implements ReportSection {

  /** How many causes the report lists, and how many the trend follows. */
  static final int TOP = 10;
  static final int TRENDED = 3;

  private final FailureAnalysis analysis;

  FailureReportSection(FailureAnalysis analysis) {
    this.analysis = analysis;
  }

  @Override
  public int order() {
    return 50;
  }

  @Override
  public String title() {
    return "Failure analysis";
  }

  @Override
  public List<Table> tables(AssessmentPeriod period) {
    FailureAnalysis.Analysis a = analysis.analyse(period.from(), period.to(), FailureAnalysis.By.SIGNATURE, null);
    if (a.failures() == 0) {
      return List.of();
    }
    List<List<String>> causes = a.groups().stream().limit(TOP).map(g -> List.of(g.key(), String.valueOf(g.count()),
        String.valueOf(g.rolledBack()), day(g.lastSeen()), String.join(", ", g.deployments().stream().limit(5)
            .map(id -> "#" + id).toList()))).toList();
    Table top = new Table("Most frequent failure causes (" + a.failures() + " failed or rolled-back deployments)",
        List.of("Error signature", "Failures", "Rolled back", "Last seen", "Latest deployments"), causes,
        a.groups().size() > TOP ? (a.groups().size() - TOP) + " less frequent causes are not listed" : null);
    List<FailureAnalysis.Group> trended = a.groups().stream().limit(TRENDED).toList();
    List<String> headers = new ArrayList<>(List.of(a.bucket().equals("day") ? "Day" : "Week of", "Failures"));
    for (int i = 0; i < trended.size(); i++) {
      headers.add("Cause " + (i + 1));
    }
    List<List<String>> rows = new ArrayList<>();
    for (int b = 0; b < a.buckets().size(); b++) {
      List<String> row = new ArrayList<>(List.of(day(a.buckets().get(b)), ""));
      long total = 0;
      for (FailureAnalysis.Group g : a.groups()) {
        total += g.trend().get(b);
      }
      row.set(1, String.valueOf(total));
      for (FailureAnalysis.Group g : trended) {
        row.add(String.valueOf(g.trend().get(b)));
      }
      rows.add(row);
    }
    List<String> legend = new ArrayList<>();
    for (int i = 0; i < trended.size(); i++) {
      legend.add("cause " + (i + 1) + ": " + trended.get(i).key());
    }
    return List.of(top, new Table("Failures per " + a.bucket(), headers, rows, String.join("; ", legend)));
  }

  static String day(java.time.Instant at) {
    return LocalDate.ofInstant(at, ZoneOffset.UTC).toString();
  }
}
