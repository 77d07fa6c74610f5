package io.gantry.capability;

/** How far a criterion holds: met, partly met, or not met. */
public enum Judgement {
  MET, PARTLY_MET, NOT_MET;

  /** The judgement's id in the API and CLI: {@code met}, {@code partly-met}, {@code not-met}. */
  public String id() {
    return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }
}
