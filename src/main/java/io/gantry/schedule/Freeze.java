package io.gantry.schedule;

import io.gantry.model.WindowRules;
import io.gantry.model.WindowRules.Span;
import java.time.Instant;
import java.time.LocalDate;
import java.time.MonthDay;
import java.time.Year;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A period in which nothing is deployed within its scope (the whole organisation, an environment, a
 * service, or a service in an environment), unless an emergency change exempts the deployment.
 *
 * @param environment null means every environment
 * @param service null means every service
 */
record Freeze(long id, String name, String reason, String environment, String service, Recurrence recurrence,
    String declaredBy, Instant declaredAt, String removedBy, Instant removedAt, String removedReason,
    long rowVersion) {

  Freeze {
    Objects.requireNonNull(recurrence, "recurrence");
  }

  /** When a freeze holds: once, every year between two dates, or every week on days between two times. */
  sealed interface Recurrence {

    /** Every occurrence that overlaps {@code [from, to)}, in order. */
    List<Span> occurrences(Instant from, Instant to);

    /** {@code once}, {@code yearly} or {@code weekly}. */
    String kind();

    String describe();
  }

  /** One period, from an instant to another. */
  record Once(Instant from, Instant to) implements Recurrence {
    @Override
    public List<Span> occurrences(Instant a, Instant b) {
      Span span = new Span(from, to);
      return span.overlaps(new Span(a, b)) ? List.of(span) : List.of();
    }

    @Override
    public String kind() {
      return "once";
    }

    @Override
    public String describe() {
      return "from " + from + " to " + to;
    }
  }

  /**
   * Every year from the start of day {@code first} to the end of day {@code last} (both included) in
   * the zone; a last day before the first runs into the next year.
   */
  record Yearly(MonthDay first, MonthDay last, ZoneId zone) implements Recurrence {
    @Override
    public List<Span> occurrences(Instant from, Instant to) {
      List<Span> out = new ArrayList<>();
      int firstYear = LocalDate.ofInstant(from, zone).getYear() - 1;
      int lastYear = LocalDate.ofInstant(to, zone).getYear();
      for (int year = firstYear; year <= lastYear; year++) {
        LocalDate start = first.atYear(year);
        LocalDate end = last.atYear(last.isBefore(first) ? year + 1 : year).plusDays(1);
        Span span = new Span(WindowRules.opening(start.atStartOfDay(), zone),
            WindowRules.opening(end.atStartOfDay(), zone));
        if (span.start().isBefore(to) && span.end().isAfter(from)) {
          out.add(span);
        }
      }
      return out;
    }

    @Override
    public String kind() {
      return "yearly";
    }

    @Override
    public String describe() {
      return "every year from " + text(first) + " to " + text(last) + " (whole days, " + zone.getId() + ")";
    }

    static String text(MonthDay day) {
      return day.toString().substring(2);
    }

    /** Whether the day exists in every year (not 02-29). */
    static boolean everyYear(MonthDay day) {
      return day.isValidYear(Year.of(2027).getValue());
    }
  }

  /** Every week on the days from one time of day to another, as a window is written. */
  record Weekly(WindowRules.Weekly weekly) implements Recurrence {
    @Override
    public List<Span> occurrences(Instant from, Instant to) {
      return weekly.occurrences(from, to);
    }

    @Override
    public String kind() {
      return "weekly";
    }

    @Override
    public String describe() {
      return "every week " + weekly.describe();
    }
  }

  /** Whether the freeze holds deployments of the service into the environment. */
  boolean covers(String environment, String service) {
    return (this.environment == null || this.environment.equals(environment))
        && (this.service == null || this.service.equals(service));
  }

  /** The occurrence holding at {@code t}, if any. */
  Optional<Span> holdingAt(Instant t) {
    return recurrence.occurrences(t, t.plusSeconds(1)).stream().filter(s -> s.contains(t)).findFirst();
  }

  boolean removed() {
    return removedAt != null;
  }

  /** {@code organisation}, {@code environment production}, {@code service shop}, or both. */
  String scope() {
    if (environment == null && service == null) {
      return "organisation";
    }
    if (environment == null) {
      return "service " + service;
    }
    return service == null ? "environment " + environment : "service " + service + " in environment " + environment;
  }

  /** {@code freeze #3 "year-end"}. */
  String label() {
    return "freeze #" + id + " \"" + name + "\"";
  }
}
