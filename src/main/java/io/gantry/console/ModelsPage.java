package io.gantry.console;

import java.time.Instant;
import java.util.List;

/** The deployment models the reader's roles reach. Public for the compiled templates only. */
public record ModelsPage(List<Row> models) {

  public record Row(String name, String description, int currentVersion, boolean retired, List<String> services,
      Instant updatedAt) {}
}
