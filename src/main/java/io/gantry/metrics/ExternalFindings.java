package io.gantry.metrics;

import io.gantry.shared.Finding;
import io.gantry.shared.InvalidInputException;
import io.gantry.shared.NotFoundException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Audit findings recorded from outside: their register, and their part of the KPI report's audit findings
 * (kind {@value #KIND}), beside the internal ones the {@link AuditFindingSource}s give.
 */
@org.springframework.stereotype.Component
class ExternalFindings {

  static final String KIND = "external-audit";
  static final List<String> SEVERITIES = List.of("low", "medium", "high", "critical");
  static final List<String> STATES = List.of("open", "accepted", "closed");

  private final JdbcClient jdbc;
  private final Clock clock;

  ExternalFindings(JdbcClient jdbc, Clock clock) {
    this.jdbc = jdbc;
    this.clock = clock;
  }

  /** What a person gives to record or change a finding; every part is checked before anything is written. */
  record Input(String source, String severity, String description, String foundOn, String state, String service,
      String environment) {}

  ExternalFinding add(Input in, String actor) {
    Checked c = check(in);
    Timestamp now = Timestamp.from(clock.instant());
    var keys = new org.springframework.jdbc.support.GeneratedKeyHolder();
    jdbc.sql("""
        insert into external_audit_findings (source, severity, description, found_on, state, service, environment,
                                             recorded_by, recorded_at, updated_at)
        values (:source, :severity, :description, :foundOn, :state, :service, :environment, :by, :now, :now)
        """).param("source", c.source).param("severity", c.severity).param("description", c.description)
        .param("foundOn", java.sql.Date.valueOf(c.foundOn)).param("state", c.state).param("service", c.service)
        .param("environment", c.environment).param("by", actor).param("now", now)
        .update(keys, "id");
    return get(keys.getKeyAs(Number.class).longValue());
  }

  /** Changes a finding's state (open, accepted, closed). */
  ExternalFinding setState(long id, String state) {
    get(id);
    String s = choice("state", state, STATES);
    jdbc.sql("update external_audit_findings set state = :s, updated_at = :now where id = :id").param("s", s)
        .param("now", Timestamp.from(clock.instant())).param("id", id).update();
    return get(id);
  }

  ExternalFinding get(long id) {
    return jdbc.sql("select * from external_audit_findings where id = :id").param("id", id).query(this::row)
        .optional().orElseThrow(() -> new NotFoundException("external audit finding", String.valueOf(id)));
  }

  /** The findings found within the period (by day), oldest first. */
  List<ExternalFinding> list(Period period) {
    return jdbc.sql("""
        select * from external_audit_findings where found_on >= :from and found_on < :to order by found_on, id
        """).param("from", java.sql.Date.valueOf(day(period.from())))
        .param("to", java.sql.Date.valueOf(endDay(period))).query(this::row).list();
  }

  /**
   * The findings found within the period as audit findings, filtered as the internal sources filter: on the
   * service and environment they name; left out when filtered on a model or team, which they do not name.
   */
  List<AuditFinding> findings(Period period, MetricsFilter filter) {
    MetricsFilter f = filter == null ? MetricsFilter.NONE : filter;
    if (f.model() != null || f.team() != null) {
      return List.of();
    }
    return list(period).stream()
        .filter(x -> f.service() == null || f.service().equals(x.service()))
        .filter(x -> f.environment() == null || f.environment().equals(x.environment()))
        .map(x -> new AuditFinding(KIND, x.source() + " finding #" + x.id(), x.severity() + " (" + x.state()
            + "): " + x.description(), x.foundOn().atStartOfDay(ZoneOffset.UTC).toInstant(), null, x.service(),
            x.environment()))
        .toList();
  }

  private static LocalDate day(java.time.Instant instant) {
    return instant.atZone(ZoneOffset.UTC).toLocalDate();
  }

  /** The first day not in the period: a finding's day counts when its start lies in the period. */
  private static LocalDate endDay(Period period) {
    LocalDate last = day(period.to());
    return period.to().equals(last.atStartOfDay(ZoneOffset.UTC).toInstant()) ? last : last.plusDays(1);
  }

  private ExternalFinding row(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
    return new ExternalFinding(rs.getLong("id"), rs.getString("source"), rs.getString("severity"),
        rs.getString("description"), rs.getDate("found_on").toLocalDate(), rs.getString("state"),
        rs.getString("service"), rs.getString("environment"), rs.getString("recorded_by"),
        rs.getTimestamp("recorded_at").toInstant(), rs.getTimestamp("updated_at").toInstant());
  }

  private record Checked(String source, String severity, String description, LocalDate foundOn, String state,
      String service, String environment) {}

  private Checked check(Input in) {
    List<Finding> findings = new ArrayList<>();
    String source = text(findings, "source", in.source(), 200, true);
    String description = text(findings, "description", in.description(), 4000, true);
    String severity = null;
    String state = "open";
    LocalDate foundOn = null;
    try {
      severity = choice("severity", in.severity(), SEVERITIES);
    } catch (InvalidInputException e) {
      findings.addAll(e.findings());
    }
    if (in.state() != null) {
      try {
        state = choice("state", in.state(), STATES);
      } catch (InvalidInputException e) {
        findings.addAll(e.findings());
      }
    }
    if (in.foundOn() == null || in.foundOn().isBlank()) {
      findings.add(Finding.of("foundOn", "the day the finding was made is needed, e.g. 2026-11-20"));
    } else {
      try {
        foundOn = LocalDate.parse(in.foundOn().strip());
        if (foundOn.isAfter(day(clock.instant()))) {
          findings.add(Finding.of("foundOn", "the finding is dated in the future (" + foundOn + ")"));
        }
      } catch (DateTimeParseException e) {
        findings.add(Finding.of("foundOn", "\"" + in.foundOn() + "\" is not a day (2026-11-20)"));
      }
    }
    String service = text(findings, "service", in.service(), 200, false);
    String environment = text(findings, "environment", in.environment(), 200, false);
    if (findings.isEmpty() && (service != null || environment != null)) {
      try {
        Scope.validate(jdbc, new MetricsFilter(service, environment, null, null));
      } catch (InvalidInputException e) {
        findings.addAll(e.findings());
      }
    }
    if (!findings.isEmpty()) {
      throw new InvalidInputException("the finding was not recorded: " + findings.getFirst(), findings);
    }
    return new Checked(source, severity, description, foundOn, state, service, environment);
  }

  static String choice(String field, String value, List<String> allowed) {
    String v = value == null ? "" : value.strip().toLowerCase(java.util.Locale.ROOT);
    if (!Set.copyOf(allowed).contains(v)) {
      throw InvalidInputException.of(field, "\"" + (value == null ? "" : value) + "\" is not a " + field
          + "; use one of: " + String.join(", ", allowed));
    }
    return v;
  }

  private static String text(List<Finding> findings, String field, String value, int max, boolean required) {
    if (value == null || value.isBlank()) {
      if (required) {
        findings.add(Finding.of(field, "the " + field + " is needed"));
      }
      return null;
    }
    if (value.strip().length() > max) {
      findings.add(Finding.of(field, "the " + field + " is longer than " + max + " characters"));
    }
    return value.strip();
  }
}
