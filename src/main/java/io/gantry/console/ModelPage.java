package io.gantry.console;

import java.time.Instant;
import java.util.List;

/**
 * One deployment model: its history of versions, the text of one version, and two versions side by side
 * ({@code from} on the left, {@code to} on the right; {@code diff} is empty when there is only one version).
 * Public for the compiled templates only.
 */
public record ModelPage(String name, String description, int currentVersion, boolean retired, List<String> services,
    List<VersionRow> versions, int from, int to, String toText, List<DiffRow> diff, boolean same) {

  public record VersionRow(int number, String author, String reason, Instant createdAt, String digest) {}

  /**
   * One line of the side-by-side diff. {@code change} is {@code same}, {@code changed} (both sides, different),
   * {@code removed} (left only) or {@code added} (right only); a side's number and text are null where it has
   * no line.
   */
  public record DiffRow(String change, Integer oldNumber, String oldText, Integer newNumber, String newText) {

    /** The sign shown before the left line: a line of {@code from} that is gone or changed. */
    public String oldSign() {
      return oldText != null && !change.equals("same") ? "−" : "";
    }

    /** The sign shown before the right line: a line of {@code to} that is new or changed. */
    public String newSign() {
      return newText != null && !change.equals("same") ? "+" : "";
    }
  }
}
