package io.gantry.console;

import java.util.List;

/** The environments the reader's roles reach. Public for the compiled templates only. */
public record EnvironmentsPage(List<Row> environments) {

  public record Row(String name, String description, String purpose, boolean controlled, String owner,
      List<String> promotesTo, int targets, int placements) {}
}
