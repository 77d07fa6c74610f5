package io.gantry.assessment;

import io.gantry.capability.Judgement;
import java.util.Locale;

/** The thresholds the assessment's own sources judge a share by: met at 90 % or more, partly met at 50 % or more. */
final class Shares {

  static final double MET = 90;
  static final double PARTLY = 50;

  private Shares() {}

  static double percent(long part, long whole) {
    return whole == 0 ? 0 : 100.0 * part / whole;
  }

  static Judgement judge(double percent) {
    return percent >= MET ? Judgement.MET : percent >= PARTLY ? Judgement.PARTLY_MET : Judgement.NOT_MET;
  }

  static String text(double percent) {
    return String.format(Locale.ROOT, "%.1f %%", percent);
  }
}
