package io.gantry.improvement;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The error signature of a failure: the telling line of what the failing step printed (or of its outcome), with
 * what differs from one run to the next replaced by placeholders, so that failures with one cause read alike.
 */
final class Signatures {

  /** The longest signature kept. */
  static final int MAX = 200;

  private static final Pattern TELLING = Pattern.compile(
      "error|fail|fatal|exception|denied|refused|timed? ?out|not found|no such|cannot|could not|unable|panic|killed",
      Pattern.CASE_INSENSITIVE);

  /** In order: the longer shapes first, so that a timestamp is not eaten as numbers. */
  private static final List<Replacement> REPLACEMENTS = List.of(
      new Replacement("\\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\\b", "<uuid>"),
      new Replacement("\\b\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}(:\\d{2}([.,]\\d+)?)?(Z|[+-]\\d{2}:?\\d{2})?", "<time>"),
      new Replacement("\\b\\d{4}-\\d{2}-\\d{2}\\b", "<date>"),
      new Replacement("\\b\\d{2}:\\d{2}:\\d{2}([.,]\\d+)?\\b", "<time>"),
      new Replacement("(/tmp|/var/tmp|/private/var/folders|C:\\\\Users\\\\[^\\\\\\s]+\\\\AppData\\\\Local\\\\Temp)"
          + "[/\\\\][^\\s:'\"]*", "<tmp>"),
      new Replacement("\\b0x[0-9a-fA-F]+\\b", "<hex>"),
      new Replacement("\\b(?=[0-9a-fA-F]*\\d)(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{7,}\\b", "<hex>"),
      new Replacement("(?<![A-Za-z_<])\\d+(\\.\\d+)*", "<n>"),
      new Replacement("\\s+", " "));

  private record Replacement(Pattern pattern, String with) {
    Replacement(String regex, String with) {
      this(Pattern.compile(regex), with);
    }
  }

  private Signatures() {}

  /**
   * The signature of a failure from what the step printed and its recorded outcome: the last line of the output
   * that names an error, else the outcome, else the output's last non-blank line; normalised. "(no output)" when
   * neither says anything.
   */
  static String of(String output, String outcome) {
    String line = tellingLine(output);
    if (line == null) {
      line = outcome == null || outcome.isBlank() ? lastLine(output) : tellingLineOr(outcome);
    }
    return line == null ? "(no output)" : normalise(line);
  }

  /** A line with every varying part replaced by its placeholder, trimmed, at most {@value #MAX} characters. */
  static String normalise(String line) {
    String s = line.strip();
    for (Replacement r : REPLACEMENTS) {
      s = r.pattern().matcher(s).replaceAll(r.with());
    }
    s = s.strip();
    return s.length() <= MAX ? s : s.substring(0, MAX - 1) + "…";
  }

  private static String tellingLine(String text) {
    if (text == null) {
      return null;
    }
    String[] lines = text.split("\\R");
    for (int i = lines.length - 1; i >= 0; i--) {
      if (!lines[i].isBlank() && TELLING.matcher(lines[i]).find()) {
        return lines[i];
      }
    }
    return null;
  }

  private static String tellingLineOr(String text) {
    String line = tellingLine(text);
    return line == null ? lastLine(text) : line;
  }

  private static String lastLine(String text) {
    if (text == null) {
      return null;
    }
    String[] lines = text.split("\\R");
    for (int i = lines.length - 1; i >= 0; i--) {
      if (!lines[i].isBlank()) {
        return lines[i];
      }
    }
    return null;
  }
}
