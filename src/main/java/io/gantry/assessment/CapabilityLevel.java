package io.gantry.assessment;

import io.gantry.capability.Criterion;
import io.gantry.capability.Judgement;
import java.util.Map;

/**
 * The capability level by the rule of practice guide section 7.2: level 1 unless every level-2 criterion is met;
 * level n is reached when every criterion of level n and of every level below is met. Partly met is not met, and a
 * criterion nobody judged is not met.
 */
final class CapabilityLevel {

  static final int HIGHEST = 5;

  private CapabilityLevel() {}

  /** The level that {@code judgements} (the deciding judgement of each criterion; missing ones unjudged) reach. */
  static int of(Map<Criterion, Judgement> judgements) {
    int level = 1;
    for (int n = 2; n <= HIGHEST; n++) {
      for (Criterion c : Criterion.values()) {
        if (c.level() == n && judgements.get(c) != Judgement.MET) {
          return level;
        }
      }
      level = n;
    }
    return level;
  }
}
