package io.gantry.assessment;

import io.gantry.capability.Judgement;
import java.util.Locale;

/** The thresholds the assessment's own sources judge a share by: met at 90 % or more, partly met at 50 % or more. */
final class Shares {

  static final double MET = Judgement.MET_AT;
  static final double PARTLY = Judgement.PARTLY_AT;

  private Shares() {}

  static double percent(long part, long whole) {
    return whole == 0 ? 0 : 100.0 * part / whole;
  }

  static Judgement judge(double percent) {
    return Judgement.ofShare(percent);
  }

  static String text(double percent) {
    return String.format(Locale.ROOT, "%.1f %%", percent);
  }
}
