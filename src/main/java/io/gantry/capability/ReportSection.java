package io.gantry.capability;

import java.util.List;

/**
 * A section a module adds to an assessment's report (e.g. KPIs against their targets, failure analysis, improvement
 * initiatives): tables of text, rendered by the report in its HTML and PDF. Sections are ordered by {@link #order()}.
 */
public interface ReportSection {

  /** Where the section goes in the report, lowest first. */
  int order();

  String title();

  /** The section's tables over the period; an empty list when there is nothing to show (the report says so). */
  List<Table> tables(AssessmentPeriod period);

  /** A table: its caption, column headers, rows (each as many cells as headers) and a note under it (or null). */
  record Table(String caption, List<String> headers, List<List<String>> rows, String note) {

    public Table {
      headers = List.copyOf(headers);
      rows = rows.stream().map(List::copyOf).toList();
      for (List<String> row : rows) {
        if (row.size() != headers.size()) {
          throw new IllegalArgumentException("a row of table \"" + caption + "\" has " + row.size() + " cells for "
              + headers.size() + " headers");
        }
      }
    }
  }
}
