package io.gantry.schedule;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The forward schedule as an iCalendar feed (RFC 5545): one VEVENT per deployment, window opening,
 * freeze occurrence and conflict, times in UTC, text escaped, lines ended with CRLF and folded at 75
 * octets. Windows are marked transparent (free time: they allow deployments, they do not take time).
 */
final class ICalendar {

  static final String MEDIA_TYPE = "text/calendar";
  private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
      .withZone(ZoneOffset.UTC);
  private static final int LINE_OCTETS = 75;

  private ICalendar() {}

  static String render(ForwardSchedule.View view) {
    StringBuilder out = new StringBuilder();
    String stamp = time(view.generatedAt());
    line(out, "BEGIN:VCALENDAR");
    line(out, "VERSION:2.0");
    line(out, "PRODID:-//Gantry//Change schedule//EN");
    line(out, "CALSCALE:GREGORIAN");
    line(out, "METHOD:PUBLISH");
    line(out, "X-WR-CALNAME:" + text("Gantry change schedule " + time(view.from()) + " to " + time(view.to())));
    for (ForwardSchedule.DeploymentEntry d : view.deployments()) {
      if (d.start() == null) {
        continue; // not placed in the period, or never started: its conflicts say why
      }
      event(out, "deployment-" + d.id(), stamp, d.start(), d.end(),
          "Deployment #" + d.id() + ": " + d.component() + " " + d.version() + " to " + d.environment(),
          d.state().toLowerCase().replace('_', ' ') + (d.planned() ? ", planned" : "") + "; model " + d.model()
              + ", stage " + d.stage() + "; priority " + d.priority() + "; requested by " + d.requestedBy() + " at "
              + d.requestedAt() + ": " + d.reason(),
          List.of("DEPLOYMENT", d.state(), d.environment()));
    }
    for (ForwardSchedule.WindowEntry w : view.windows()) {
      event(out, "window-" + w.model() + "-" + w.stage() + "-" + w.start().getEpochSecond(), stamp, w.start(), w.end(),
          "Window: " + w.environment() + " (stage " + w.stage() + " of " + w.model() + ")",
          "deployments to " + w.environment() + " through stage " + w.stage() + " of model " + w.model()
              + " may run: " + w.window(), List.of("WINDOW", w.environment()), true);
    }
    for (ForwardSchedule.FreezeEntry f : view.freezes()) {
      event(out, "freeze-" + f.freeze() + "-" + f.start().getEpochSecond(), stamp, f.start(), f.end(),
          "Freeze: " + f.name() + " (" + f.scope() + ")",
          f.reason() + " (" + f.recurrence() + "; declared by " + f.declaredBy() + ")", List.of("FREEZE"));
    }
    int unrecorded = 0;
    for (ForwardSchedule.ConflictEntry c : view.conflicts()) {
      if (c.start() == null) {
        continue;
      }
      // what holds a waiting deployment back is found as the schedule is made, not recorded: no id of its own
      String uid = c.id() != 0 ? "conflict-" + c.id() : "conflict-" + c.deployment() + "-" + c.kind().toLowerCase()
          + "-" + ++unrecorded;
      event(out, uid, stamp, c.start(), c.end(),
          "Conflict (" + c.kind().toLowerCase().replace('_', ' ') + "): deployment #" + c.deployment(),
          c.message() + " (found " + c.foundAt() + ")", List.of("CONFLICT", c.kind()));
    }
    line(out, "END:VCALENDAR");
    return out.toString();
  }

  private static void event(StringBuilder out, String uid, String stamp, Instant start, Instant end, String summary,
      String description, List<String> categories) {
    event(out, uid, stamp, start, end, summary, description, categories, false);
  }

  private static void event(StringBuilder out, String uid, String stamp, Instant start, Instant end, String summary,
      String description, List<String> categories, boolean free) {
    line(out, "BEGIN:VEVENT");
    line(out, "UID:" + uid + "@gantry");
    line(out, "DTSTAMP:" + stamp);
    line(out, "DTSTART:" + time(start));
    if (end != null && end.truncatedTo(ChronoUnit.SECONDS).isAfter(start.truncatedTo(ChronoUnit.SECONDS))) {
      line(out, "DTEND:" + time(end)); // without it, the event ends as it starts (RFC 5545, 3.6.1)
    }
    line(out, "SUMMARY:" + text(summary));
    line(out, "DESCRIPTION:" + text(description));
    line(out, "CATEGORIES:" + categories.stream().map(ICalendar::text).collect(Collectors.joining(",")));
    if (free) {
      line(out, "TRANSP:TRANSPARENT");
    }
    line(out, "END:VEVENT");
  }

  static String time(Instant t) {
    return UTC.format(t);
  }

  /** A TEXT value: backslash, semicolon, comma and line breaks escaped (RFC 5545, 3.3.11). */
  static String text(String value) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '\\' -> out.append("\\\\");
        case ';' -> out.append("\\;");
        case ',' -> out.append("\\,");
        case '\n' -> out.append("\\n");
        case '\r' -> { }
        default -> out.append(c < 0x20 && c != '\t' ? ' ' : c);
      }
    }
    return out.toString();
  }

  /**
   * Appends a content line ended with CRLF, folded so no line is longer than 75 octets: each
   * continuation starts with one space, and a UTF-8 character is never split.
   */
  static void line(StringBuilder out, String content) {
    int octets = 0;
    for (int i = 0; i < content.length(); ) {
      int cp = content.codePointAt(i);
      int size = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
      if (octets + size > LINE_OCTETS) {
        out.append("\r\n ");
        octets = 1;
      }
      out.appendCodePoint(cp);
      octets += size;
      i += Character.charCount(cp);
    }
    out.append("\r\n");
  }
}
