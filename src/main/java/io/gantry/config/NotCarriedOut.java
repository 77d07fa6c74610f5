package io.gantry.config;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * Fields and values that a deployment model may one day declare but that this version of Gantry
 * does not carry out, and values that make no sense where they are written (a fact known before a
 * deployment starts, as an exit criterion). The published schema leaves them out, so {@code plan} and
 * {@code apply} refuse them; this says why, instead of a bare "unknown field", because a control that is written down
 * and silently skipped would make the record say one thing and the targets another.
 */
final class NotCarriedOut {

  /** A field whose control Gantry does not carry out, with why, until it does. */
  private static final Map<String, String> FIELDS = Map.of(
      "chart", "a kubernetes.apply step does not take a Helm chart yet: rendering one needs the helm program, which "
          + "Gantry does not run; push the rendered manifests as the version's .yaml artifacts (docs/kubernetes.md)");

  private NotCarriedOut() {}

  /** Why the field is refused, or null when it is simply unknown. */
  static String why(String field) {
    return FIELDS.get(field);
  }

  private static final Pattern EXIT_CRITERION_TYPE = Pattern.compile(".*\\.exitCriteria\\[\\d+]\\.type");

  /** Why a value of an enumerated field is refused, as a sentence to append; empty when it is simply wrong. */
  static String value(String path, String value) {
    if (EXIT_CRITERION_TYPE.matcher(path).matches()
        && (value.equals("stage-succeeded") || value.equals("version-status"))) {
      return " (" + value + " is known before any target changes, and an exit criterion that is not met runs the "
          + "failure policy on targets already changed: declare it in entryCriteria)";
    }
    return "";
  }

  /** The unknown-field message, with the reason when the field is one Gantry does not carry out. */
  static String unknownField(String field) {
    String why = why(field);
    return why == null ? "unknown field \"" + field + "\""
        : "field \"" + field + "\" is not accepted: " + why + " (see docs/configuration.md); remove it";
  }
}
