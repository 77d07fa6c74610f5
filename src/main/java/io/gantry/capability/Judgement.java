package io.gantry.capability;

/** How far a criterion holds: met, partly met, or not met. */
public enum Judgement {
  MET, PARTLY_MET, NOT_MET;

  /** A share at or above this (in percent) is met, by the rule the sources that judge a share follow. */
  public static final double MET_AT = 90;
  /** A share at or above this (in percent), and below {@link #MET_AT}, is partly met. */
  public static final double PARTLY_AT = 50;

  /** The judgement of a share in percent: met at {@link #MET_AT} or more, partly met at {@link #PARTLY_AT} or more. */
  public static Judgement ofShare(double percent) {
    return percent >= MET_AT ? MET : percent >= PARTLY_AT ? PARTLY_MET : NOT_MET;
  }

  /** The judgement's id in the API and CLI: {@code met}, {@code partly-met}, {@code not-met}. */
  public String id() {
    return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }
}
