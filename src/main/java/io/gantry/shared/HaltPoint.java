package io.gantry.shared;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A named moment at which a crash test stops the server dead, to see what a restart makes of it: started with
 * {@code -Dgantry.test.halt-at=MOMENT:N}, the server halts ({@link Runtime#halt}, no shutdown hooks, nothing
 * flushed, as a power cut) the N-th time it reaches the moment. Without the property every call is a read of a
 * null constant, and does nothing.
 */
public final class HaltPoint {

  /** The system property naming the moment and how many times it is passed before the halt. */
  public static final String PROPERTY = "gantry.test.halt-at";

  /** The status the server halts with, so that a test tells a halt at its moment from any other end. */
  public static final int STATUS = 86;

  /** Between making the new {@code current} link under a temporary name and renaming it over the old one. */
  public static final String CURRENT_SWITCH = "current-switch";

  /** Inside a trigger's firing: its deployment is requested, the firing not yet recorded as having requested it. */
  public static final String TRIGGER_FIRING = "trigger-firing";

  private static final String MOMENT;
  private static final long AT;
  private static final AtomicLong REACHED = new AtomicLong();

  static {
    String value = System.getProperty(PROPERTY);
    if (value == null || value.isBlank()) {
      MOMENT = null;
      AT = 0;
    } else {
      int colon = value.lastIndexOf(':');
      long at;
      try {
        at = colon < 0 ? 1 : Long.parseLong(value.substring(colon + 1).strip());
      } catch (NumberFormatException e) {
        at = 0;
      }
      if (at < 1) {
        throw new IllegalArgumentException(PROPERTY + " must read MOMENT:N with N at least 1, not \"" + value + "\"");
      }
      MOMENT = (colon < 0 ? value : value.substring(0, colon)).strip();
      AT = at;
    }
  }

  private HaltPoint() {}

  /** The server is at {@code moment}: halts it there when the property asks for this time of it. */
  public static void reached(String moment) {
    if (MOMENT == null || !MOMENT.equals(moment)) {
      return;
    }
    long n = REACHED.incrementAndGet();
    if (n == AT) {
      System.err.println("halting at " + moment + " (time " + n + "), as " + PROPERTY + " asks");
      System.err.flush();
      Runtime.getRuntime().halt(STATUS);
    }
  }
}
