package io.gantry.console;

import io.gantry.schedule.Schedules;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/**
 * The forward schedule as a month or a week of days (UTC), each day listing what falls on it, with the
 * conflicts, the freezes in force and what the signed-in person may do with them. Public for the
 * compiled templates only.
 *
 * @param weeks the days shown, seven to a row (one row for a week)
 * @param form the values of a refused freeze form, to show again
 */
public record CalendarPage(String view, LocalDate date, String heading, String previous, String next, String today,
    String otherView, String otherViewLabel, List<List<Day>> weeks, List<Conflict> conflicts,
    List<Entry> unplaced, List<Schedules.FreezeRecord> freezes, boolean mayManageFreezes, String icsDownload,
    String feedFrom, String feedTo, Map<String, String> form, String notice, String refusal) {

  public boolean month() {
    return "month".equals(view);
  }

  /** A value of the refused form, or empty. */
  public String value(String field) {
    return form == null ? "" : form.getOrDefault(field, "");
  }

  /** A day: {@code outside} when it belongs to the month before or after the one shown. */
  public record Day(LocalDate date, String label, boolean outside, boolean today, List<Entry> entries) {}

  /**
   * Something on a day: a freeze, a window or a deployment ({@code kind}), with its time on that day,
   * its text, its link (a deployment's page) and the kinds of conflict recorded on it.
   */
  public record Entry(String kind, String time, String text, String link, List<String> conflicts) {}

  public record Conflict(long deployment, String kind, String when, String message) {}
}
