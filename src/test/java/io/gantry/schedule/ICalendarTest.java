package io.gantry.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.shared.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The iCalendar feed read back line by line as a calendar client would, and the bounds of a schedule's period. */
class ICalendarTest {

  private static final Instant NOW = Instant.parse("2026-03-02T12:00:00Z");

  private static ForwardSchedule.View view() {
    return new ForwardSchedule.View(Instant.parse("2026-03-02T00:00:00Z"), Instant.parse("2026-03-09T00:00:00Z"), NOW,
        List.of(new ForwardSchedule.DeploymentEntry(12, "deploy", "shop/web", "1.4.0", "production", "in-house-software",
            "production", "REQUESTED", 5, Instant.parse("2026-03-03T20:30:00Z"), Instant.parse("2026-03-03T21:00:00Z"),
            true, "bob", NOW, "release 1.4.0; fixes checkout, search and the basket \\ with ünïcödé and a very long "
                + "reason that certainly goes past seventy-five octets")),
        List.of(new ForwardSchedule.WindowEntry("production", "in-house-software", "production",
            "tue-thu 20:00-23:00 Europe/London", Instant.parse("2026-03-03T20:00:00Z"),
            Instant.parse("2026-03-03T23:00:00Z"))),
        List.of(new ForwardSchedule.FreezeEntry(3, "quarter-end", "environment production", "production", null,
            "every week fri 16:00-23:00 UTC", "close of books; nothing moves", "carol",
            Instant.parse("2026-03-06T16:00:00Z"), Instant.parse("2026-03-06T23:00:00Z"))),
        List.of(new ForwardSchedule.ConflictEntry(7, 12, "OVERLAP", 9L, null,
            "deployment #12 of shop/web 1.4.0 in production overlaps deployment #9 of shop/api 2.0.0 in production on "
                + "service shop", NOW, Instant.parse("2026-03-03T20:30:00Z"), Instant.parse("2026-03-03T21:00:00Z"))));
  }

  /** Unfolds the content lines (RFC 5545 3.1) and checks every physical line on the way. */
  private static List<String> unfold(String text) {
    assertThat(text).endsWith("\r\n");
    List<String> lines = new ArrayList<>();
    for (String physical : text.substring(0, text.length() - 2).split("\r\n", -1)) {
      assertThat(physical).doesNotContain("\n").doesNotContain("\r");
      assertThat(physical.getBytes(StandardCharsets.UTF_8).length).as(physical).isLessThanOrEqualTo(75);
      if (physical.startsWith(" ")) {
        lines.set(lines.size() - 1, lines.getLast() + physical.substring(1));
      } else {
        lines.add(physical);
      }
    }
    return lines;
  }

  private static String unescape(String value) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\\') {
        char next = value.charAt(++i);
        out.append(next == 'n' || next == 'N' ? '\n' : next);
      } else {
        assertThat(c).as("unescaped special character in " + value).isNotIn(',', ';');
        out.append(c);
      }
    }
    return out.toString();
  }

  /** The events, each as its properties by name. */
  private static List<Map<String, String>> events(List<String> lines) {
    List<Map<String, String>> events = new ArrayList<>();
    Map<String, String> current = null;
    for (String line : lines) {
      int colon = line.indexOf(':');
      String name = line.substring(0, colon);
      String value = line.substring(colon + 1);
      if (line.equals("BEGIN:VEVENT")) {
        current = new LinkedHashMap<>();
      } else if (line.equals("END:VEVENT")) {
        events.add(current);
        current = null;
      } else if (current != null) {
        assertThat(current).as("property " + name + " twice").doesNotContainKey(name);
        current.put(name, value);
      }
    }
    return events;
  }

  @Test
  void the_feed_is_a_calendar_of_one_event_per_deployment_window_freeze_and_conflict_with_crlf_and_folded_lines() {
    String ics = ICalendar.render(view());
    List<String> lines = unfold(ics);

    assertThat(lines.getFirst()).isEqualTo("BEGIN:VCALENDAR");
    assertThat(lines).contains("VERSION:2.0", "PRODID:-//Gantry//Change schedule//EN");
    assertThat(lines.getLast()).isEqualTo("END:VCALENDAR");
    assertThat(ics).contains("\r\n ");

    List<Map<String, String>> events = events(lines);
    assertThat(events).hasSize(4);
    for (Map<String, String> e : events) {
      assertThat(e).containsKeys("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "DESCRIPTION", "CATEGORIES");
      assertThat(e.get("DTSTAMP")).isEqualTo("20260302T120000Z");
      assertThat(e.get("DTSTART")).matches("\\d{8}T\\d{6}Z");
      assertThat(e.get("DTEND")).matches("\\d{8}T\\d{6}Z").isGreaterThan(e.get("DTSTART"));
    }
    Map<String, String> deployment = events.get(0);
    assertThat(deployment.get("UID")).isEqualTo("deployment-12@gantry");
    assertThat(deployment.get("DTSTART")).isEqualTo("20260303T203000Z");
    assertThat(deployment.get("DTEND")).isEqualTo("20260303T210000Z");
    assertThat(unescape(deployment.get("SUMMARY"))).isEqualTo("Deployment #12: shop/web 1.4.0 to production");
    assertThat(unescape(deployment.get("DESCRIPTION"))).contains("release 1.4.0; fixes checkout, search and the "
        + "basket \\ with ünïcödé and a very long reason").startsWith("requested, planned; model in-house-software");
    assertThat(deployment.get("CATEGORIES")).isEqualTo("DEPLOYMENT,REQUESTED,production");

    Map<String, String> window = events.get(1);
    assertThat(window.get("UID")).isEqualTo("window-in-house-software-production-"
        + Instant.parse("2026-03-03T20:00:00Z").getEpochSecond() + "@gantry");
    assertThat(window.get("DTSTART")).isEqualTo("20260303T200000Z");
    assertThat(window.get("DTEND")).isEqualTo("20260303T230000Z");
    assertThat(unescape(window.get("SUMMARY"))).isEqualTo("Window: production (stage production of in-house-software)");
    assertThat(unescape(window.get("DESCRIPTION"))).endsWith("may run: tue-thu 20:00-23:00 Europe/London");
    assertThat(window.get("CATEGORIES")).isEqualTo("WINDOW,production");
    assertThat(window.get("TRANSP")).isEqualTo("TRANSPARENT");
    assertThat(deployment).doesNotContainKey("TRANSP");

    Map<String, String> freeze = events.get(2);
    assertThat(freeze.get("UID")).isEqualTo("freeze-3-" + Instant.parse("2026-03-06T16:00:00Z").getEpochSecond()
        + "@gantry");
    assertThat(unescape(freeze.get("SUMMARY"))).isEqualTo("Freeze: quarter-end (environment production)");
    assertThat(unescape(freeze.get("DESCRIPTION"))).isEqualTo("close of books; nothing moves (every week fri "
        + "16:00-23:00 UTC; declared by carol)");
    assertThat(freeze.get("CATEGORIES")).isEqualTo("FREEZE");

    Map<String, String> conflict = events.get(3);
    assertThat(conflict.get("UID")).isEqualTo("conflict-7@gantry");
    assertThat(unescape(conflict.get("DESCRIPTION"))).startsWith("deployment #12 of shop/web 1.4.0 in production "
        + "overlaps deployment #9 of shop/api 2.0.0");
    assertThat(conflict.get("CATEGORIES")).isEqualTo("CONFLICT,OVERLAP");
  }

  @Test
  void folding_never_splits_a_multi_byte_character() {
    StringBuilder out = new StringBuilder();
    ICalendar.line(out, "SUMMARY:" + "ü".repeat(100));

    for (String physical : out.toString().split("\r\n")) {
      byte[] bytes = physical.getBytes(StandardCharsets.UTF_8);
      assertThat(bytes.length).isLessThanOrEqualTo(75);
      assertThat(new String(bytes, StandardCharsets.UTF_8)).doesNotContain("\uFFFD");
    }
    assertThat(out.toString().replace("\r\n ", "")).isEqualTo("SUMMARY:" + "ü".repeat(100) + "\r\n");
  }

  @Test
  void text_values_escape_backslashes_semicolons_commas_and_line_breaks() {
    assertThat(ICalendar.text("a\\b;c,d\ne")).isEqualTo("a\\\\b\\;c\\,d\\ne");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', nullValues = "-", value = {
      "no start           | -                    | 2026-03-09           | from | the schedule needs a bounded period: give from",
      "no end             | 2026-03-02           | -                    | to   | the schedule needs a bounded period: give to",
      "an unreadable time | next week            | 2026-03-09           | from | \"next week\" is not a time",
      "an inverted period | 2026-03-09T00:00:00Z | 2026-03-02T00:00:00Z | to   | the period ends (2026-03-02T00:00:00Z) before it starts (2026-03-09T00:00:00Z)",
      "an empty period    | 2026-03-09           | 2026-03-09           | to   | before it starts",
      "over 366 days      | 2026-01-01           | 2027-01-03           | to   | is 367 days long; a schedule covers at most 366 days"})
  void a_schedule_period_that_is_unbounded_inverted_or_too_long_is_refused(String name, String from, String to,
      String field, String message) {
    assertThatThrownBy(() -> ForwardSchedule.period(from, to)).isInstanceOfSatisfying(InvalidInputException.class,
        e -> assertThat(e.findings()).anySatisfy(f -> {
          assertThat(f.field()).isEqualTo(field);
          assertThat(f.message()).contains(message);
        }));
  }

  @Test
  void a_period_takes_instants_with_an_offset_or_dates_and_may_be_a_full_leap_year() {
    assertThat(ForwardSchedule.period("2026-03-02T01:00:00+01:00", "2026-03-09"))
        .isEqualTo(new ForwardSchedule.Period(Instant.parse("2026-03-02T00:00:00Z"),
            Instant.parse("2026-03-09T00:00:00Z")));
    assertThat(ForwardSchedule.period("2028-01-01", "2029-01-01").to()).isEqualTo(Instant.parse("2029-01-01T00:00:00Z"));
  }
}
