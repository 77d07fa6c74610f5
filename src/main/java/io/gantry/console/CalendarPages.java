package io.gantry.console;

import io.gantry.identity.Role;
import io.gantry.schedule.Schedules;
import jakarta.servlet.http.HttpServletResponse;
import java.security.Principal;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The calendar: the forward schedule of GET /api/v1/schedule as a month or a week, seen as far as the
 * person's roles reach, with the freezes in force; deployment managers declare and lift freezes here
 * through the same service as POST and DELETE /api/v1/freezes.
 */
@Controller
class CalendarPages {

  private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("EEE d MMM", Locale.ENGLISH);
  private static final DateTimeFormatter MONTH = DateTimeFormatter.ofPattern("MMMM yyyy", Locale.ENGLISH);

  private final Schedules schedules;
  private final Clock clock;

  CalendarPages(Schedules schedules, Clock clock) {
    this.schedules = schedules;
    this.clock = clock;
  }

  /** The days a view shows: whole weeks, Monday to Sunday, around the month or the week of {@code date}. */
  record Span(LocalDate first, LocalDate last) {
    static Span of(String view, LocalDate date) {
      if ("week".equals(view)) {
        LocalDate monday = date.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
        return new Span(monday, monday.plusDays(6));
      }
      return new Span(date.withDayOfMonth(1).with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)),
          date.with(TemporalAdjusters.lastDayOfMonth()).with(TemporalAdjusters.nextOrSame(DayOfWeek.SUNDAY)));
    }

    Instant from() {
      return first.atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    Instant to() {
      return last.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    }
  }

  @GetMapping("/console/calendar")
  String calendar(@RequestParam(required = false) String view, @RequestParam(required = false) String date,
      Principal principal, Authentication signedIn, Model model, HttpServletResponse response) {
    LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    String shown = view == null || view.isBlank() ? "month" : view.strip().toLowerCase(Locale.ROOT);
    LocalDate day;
    try {
      if (!shown.equals("month") && !shown.equals("week")) {
        throw new IllegalArgumentException("view \"" + view + "\" is not one the calendar has: use month or week");
      }
      day = date == null || date.isBlank() ? today : LocalDate.parse(date.strip());
    } catch (IllegalArgumentException | DateTimeParseException e) {
      response.setStatus(422);
      model.addAttribute("title", "Calendar");
      model.addAttribute("refusal", e instanceof DateTimeParseException ? "\"" + date + "\" is not a date: write it "
          + "as 2026-12-01" : e.getMessage());
      model.addAttribute("back", "/console/calendar");
      model.addAttribute("backLabel", "This month");
      return "changes-refused";
    }
    Span span = Span.of(shown, day);
    Schedules.Seen seen = schedules.seenBy(principal.getName(), span.from().toString(), span.to().toString());
    @SuppressWarnings("unchecked")
    Map<String, String> form = (Map<String, String>) model.getAttribute("form");
    model.addAttribute("page", page(shown, day, today, span, seen,
        schedules.activeFreezes(principal.getName()), isDeploymentManager(signedIn), form,
        (String) model.getAttribute("notice"), (String) model.getAttribute("refusal")));
    return "calendar";
  }

  static CalendarPage page(String view, LocalDate day, LocalDate today, Span span, Schedules.Seen seen,
      List<Schedules.FreezeRecord> freezes, boolean manager, Map<String, String> form, String notice,
      String refusal) {
    boolean month = view.equals("month");
    LocalDate previous = month ? day.minusMonths(1).withDayOfMonth(1) : day.minusWeeks(1);
    LocalDate next = month ? day.plusMonths(1).withDayOfMonth(1) : day.plusWeeks(1);
    Map<Long, List<String>> conflictKinds = seen.conflicts().stream().collect(Collectors.groupingBy(
        Schedules.ConflictMark::deployment, LinkedHashMap::new,
        Collectors.mapping(Schedules.ConflictMark::kind, Collectors.collectingAndThen(Collectors.toList(),
            l -> l.stream().distinct().toList()))));
    List<List<CalendarPage.Day>> weeks = new ArrayList<>();
    List<CalendarPage.Day> row = new ArrayList<>();
    for (LocalDate d = span.first(); !d.isAfter(span.last()); d = d.plusDays(1)) {
      row.add(new CalendarPage.Day(d, DAY.format(d), month && d.getMonth() != day.getMonth(), d.equals(today),
          entries(d, seen, conflictKinds)));
      if (row.size() == 7) {
        weeks.add(row);
        row = new ArrayList<>();
      }
    }
    List<CalendarPage.Entry> unplaced = seen.deployments().stream().filter(p -> p.start() == null)
        .map(p -> deployment(p, "not placed", conflictKinds)).toList();
    List<CalendarPage.Conflict> conflicts = seen.conflicts().stream().map(c -> new CalendarPage.Conflict(
        c.deployment(), c.kind(), c.start() == null ? "not placed" : When.at(c.start()), c.message())).toList();
    String heading = month ? MONTH.format(day) : "Week of " + DAY.format(span.first()) + " " + span.first().getYear();
    return new CalendarPage(view, day, heading, link(view, previous), link(view, next), link(view, today),
        link(month ? "week" : "month", day), month ? "Week view" : "Month view", weeks, conflicts, unplaced, freezes,
        manager, "/console/calendar.ics?view=" + view + "&date=" + day, span.from().toString(),
        span.to().toString(), form, notice, refusal);
  }

  static String link(String view, LocalDate date) {
    return "/console/calendar?view=" + view + "&date=" + date;
  }

  /** What falls on day {@code d} (UTC): freezes first, then windows, then deployments, each in time order. */
  static List<CalendarPage.Entry> entries(LocalDate d, Schedules.Seen seen, Map<Long, List<String>> conflicts) {
    Instant start = d.atStartOfDay(ZoneOffset.UTC).toInstant();
    Instant end = d.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    List<CalendarPage.Entry> out = new ArrayList<>();
    seen.freezes().stream().filter(f -> overlaps(f.start(), f.end(), start, end)).forEach(f -> out.add(
        new CalendarPage.Entry("freeze", during(f.start(), f.end(), start, end), "Freeze " + f.name() + " ("
            + f.scope() + ")", null, List.of())));
    seen.windows().stream().filter(w -> overlaps(w.start(), w.end(), start, end)).forEach(w -> out.add(
        new CalendarPage.Entry("window", during(w.start(), w.end(), start, end), "Window " + w.environment() + " ("
            + w.model() + " " + w.stage() + ")", null, List.of())));
    seen.deployments().stream().filter(p -> p.start() != null
            && overlaps(p.start(), p.end() == null ? p.start().plusSeconds(1) : p.end(), start, end))
        .forEach(p -> out.add(deployment(p, during(p.start(), p.end(), start, end), conflicts)));
    return out;
  }

  static CalendarPage.Entry deployment(Schedules.Placed p, String time, Map<Long, List<String>> conflicts) {
    return new CalendarPage.Entry("deployment", time, "#" + p.id() + " " + p.component() + " " + p.version() + " to "
        + p.environment() + " (" + p.state().toLowerCase(Locale.ROOT) + (p.planned() ? ", planned" : "") + ")",
        "/console/deployments/" + p.id(), conflicts.getOrDefault(p.id(), List.of()));
  }

  static boolean overlaps(Instant a, Instant b, Instant from, Instant to) {
    return a.isBefore(to) && (b == null ? !a.isBefore(from) : b.isAfter(from));
  }

  /** Its time on the day: "all day", "from 10:00", "until 12:00", or "10:00–12:00" (UTC). */
  static String during(Instant a, Instant b, Instant dayStart, Instant dayEnd) {
    boolean startsBefore = a.isBefore(dayStart);
    boolean endsAfter = b == null || !b.isBefore(dayEnd);
    if (startsBefore && endsAfter) {
      return b == null ? "until further notice" : "all day";
    }
    if (startsBefore) {
      return "until " + When.time(b);
    }
    if (endsAfter) {
      return b == null ? When.time(a) : "from " + When.time(a);
    }
    return When.time(a) + "–" + When.time(b);
  }

  static boolean isDeploymentManager(Authentication signedIn) {
    // as @PreAuthorize("hasRole('DEPLOYMENT_MANAGER')") on the freeze endpoints: the role as one's own
    return signedIn != null && signedIn.getAuthorities().stream()
        .anyMatch(a -> a.getAuthority().equals(Role.DEPLOYMENT_MANAGER.authority()));
  }

  @GetMapping(value = "/console/calendar.ics")
  @ResponseBody
  ResponseEntity<String> icalendar(@RequestParam(required = false) String view,
      @RequestParam(required = false) String date, Principal principal) {
    LocalDate day;
    try {
      day = date == null || date.isBlank() ? LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC)
          : LocalDate.parse(date.strip());
    } catch (DateTimeParseException e) {
      return ResponseEntity.unprocessableContent().contentType(MediaType.TEXT_PLAIN)
          .body("\"" + date + "\" is not a date: write it as 2026-12-01\n");
    }
    Span span = Span.of("week".equals(view) ? "week" : "month", day);
    return ResponseEntity.ok().contentType(new MediaType("text", "calendar", java.nio.charset.StandardCharsets.UTF_8))
        .header("Content-Disposition", "attachment; filename=\"gantry-schedule-" + span.first() + ".ics\"")
        .body(schedules.icalendar(principal.getName(), span.from().toString(), span.to().toString()));
  }

  // --- freezes: declared and lifted by deployment managers, as through the API

  @PostMapping("/console/calendar/freezes")
  String declare(@RequestParam Map<String, String> params, Principal principal, Authentication signedIn,
      RedirectAttributes after) {
    String back = back(params);
    if (!isDeploymentManager(signedIn)) {
      after.addFlashAttribute("refusal", "Refused: declaring a freeze needs the role deployment-manager, which "
          + principal.getName() + " does not hold");
      return back;
    }
    try {
      Schedules.FreezeRecord f = schedules.declare(new Schedules.NewFreeze(params.get("name"), params.get("reason"),
          params.get("environment"), params.get("service"), "once", params.get("from"), params.get("to"), null,
          "UTC"), principal.getName());
      after.addFlashAttribute("notice", "Freeze #" + f.id() + " \"" + f.name() + "\" declared (" + f.scope() + ", "
          + f.schedule() + ").");
    } catch (RuntimeException e) {
      Refusals.unlessRefusal(e);
      after.addFlashAttribute("refusal", "The freeze was not declared: " + Refusals.message(e));
      Map<String, String> kept = new LinkedHashMap<>();
      for (String field : List.of("name", "reason", "environment", "service", "from", "to")) {
        kept.put(field, params.getOrDefault(field, ""));
      }
      after.addFlashAttribute("form", kept);
    }
    return back;
  }

  @PostMapping("/console/calendar/freezes/{id}/remove")
  String remove(@PathVariable String id, @RequestParam Map<String, String> params, Principal principal,
      Authentication signedIn, RedirectAttributes after) {
    String back = back(params);
    if (!isDeploymentManager(signedIn)) {
      after.addFlashAttribute("refusal", "Refused: lifting a freeze needs the role deployment-manager, which "
          + principal.getName() + " does not hold");
      return back;
    }
    try {
      long freeze;
      try {
        freeze = Long.parseLong(id);
      } catch (NumberFormatException e) {
        throw new io.gantry.shared.NotFoundException("freeze", id);
      }
      Schedules.FreezeRecord f = schedules.remove(freeze, params.get("reason"), principal.getName());
      after.addFlashAttribute("notice", "Freeze #" + f.id() + " \"" + f.name() + "\" lifted.");
    } catch (RuntimeException e) {
      Refusals.unlessRefusal(e);
      after.addFlashAttribute("refusal", "The freeze was not lifted: " + Refusals.message(e));
    }
    return back;
  }

  /** Back to the view the form was sent from (only a view and a date are carried over). */
  static String back(Map<String, String> params) {
    String view = "week".equals(params.get("view")) ? "week" : "month";
    String date = params.get("date");
    try {
      return date == null ? "redirect:/console/calendar?view=" + view : "redirect:" + link(view, LocalDate.parse(date));
    } catch (DateTimeParseException e) {
      return "redirect:/console/calendar?view=" + view;
    }
  }
}
