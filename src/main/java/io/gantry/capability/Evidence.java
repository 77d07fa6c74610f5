package io.gantry.capability;

import java.util.List;

/**
 * What Gantry's records say about one criterion over a period: the judgement, the reason for it in a sentence a
 * person can check, and the facts it rests on (each a short line such as "4 of 5 models have an owner").
 */
public record Evidence(Criterion criterion, Judgement judgement, String reason, List<String> facts) {

  public Evidence {
    if (criterion == null || judgement == null || reason == null || reason.isBlank()) {
      throw new IllegalArgumentException("evidence needs its criterion, a judgement and a reason");
    }
    facts = facts == null ? List.of() : List.copyOf(facts);
  }
}
