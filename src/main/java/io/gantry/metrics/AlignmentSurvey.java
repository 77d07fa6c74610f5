package io.gantry.metrics;

import io.gantry.shared.Finding;
import io.gantry.shared.InvalidInputException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The survey of partners' and consumers' alignment: each month, every user may answer three questions, each
 * 1 (not at all) to 5 (fully); a user's later answer for a month replaces the earlier one.
 */
@org.springframework.stereotype.Component
class AlignmentSurvey {

  /** The questions, by the field that answers them. */
  static final Map<String, String> QUESTIONS = questions();

  private static Map<String, String> questions() {
    Map<String, String> q = new LinkedHashMap<>();
    q.put("informed", "Were you told in good time about the deployments that affected you?");
    q.put("needsMet", "Did the deployments deliver what you needed from them?");
    q.put("paceFits", "Does the pace of deployments fit the way you work?");
    return java.util.Collections.unmodifiableMap(q);
  }

  private final JdbcClient jdbc;
  private final Clock clock;

  AlignmentSurvey(JdbcClient jdbc, Clock clock) {
    this.jdbc = jdbc;
    this.clock = clock;
  }

  /** One user's answer for a month. */
  public record Answer(String period, String answeredBy, int informed, int needsMet, int paceFits, String comment,
      java.time.Instant answeredAt) {}

  /** Records (or replaces) {@code user}'s answer for the month {@code period} ({@code 2026-11}). */
  Answer answer(String period, Integer informed, Integer needsMet, Integer paceFits, String comment, String user) {
    List<Finding> findings = new ArrayList<>();
    YearMonth month = null;
    try {
      month = month(period);
      if (month.isAfter(YearMonth.from(clock.instant().atZone(ZoneOffset.UTC)))) {
        findings.add(Finding.of("period", "the survey of " + month + " has not started yet"));
      }
    } catch (InvalidInputException e) {
      findings.addAll(e.findings());
    }
    score(findings, "informed", informed);
    score(findings, "needsMet", needsMet);
    score(findings, "paceFits", paceFits);
    if (comment != null && comment.length() > 2000) {
      findings.add(Finding.of("comment", "the comment is longer than 2000 characters"));
    }
    if (!findings.isEmpty()) {
      throw new InvalidInputException("the answer was not recorded: " + findings.getFirst(), findings);
    }
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("period", month.toString());
    params.put("start", Timestamp.from(month.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant()));
    params.put("by", user);
    params.put("informed", informed);
    params.put("needsMet", needsMet);
    params.put("paceFits", paceFits);
    params.put("comment", comment == null || comment.isBlank() ? null : comment.strip());
    params.put("now", Timestamp.from(clock.instant()));
    int changed = jdbc.sql("""
        update alignment_answers set informed = :informed, needs_met = :needsMet, pace_fits = :paceFits,
               comment = :comment, answered_at = :now
         where survey_period = :period and answered_by = :by
        """).params(params).update();
    if (changed == 0) {
      try {
        jdbc.sql("""
            insert into alignment_answers (survey_period, period_start, answered_by, informed, needs_met, pace_fits,
                                           comment, answered_at)
            values (:period, :start, :by, :informed, :needsMet, :paceFits, :comment, :now)
            """).params(params).update();
      } catch (org.springframework.dao.DuplicateKeyException e) {
        // the same user answered at the same moment from elsewhere: this answer, the later one, replaces it
        jdbc.sql("""
            update alignment_answers set informed = :informed, needs_met = :needsMet, pace_fits = :paceFits,
                   comment = :comment, answered_at = :now
             where survey_period = :period and answered_by = :by
            """).params(params).update();
      }
    }
    return find(month.toString(), user).orElseThrow();
  }

  Optional<Answer> find(String period, String user) {
    return jdbc.sql("select * from alignment_answers where survey_period = :p and answered_by = :by")
        .param("p", month(period).toString()).param("by", user).query(AlignmentSurvey::row).optional();
  }

  /** A month's answers, in the order given. */
  List<Answer> answers(String period) {
    return jdbc.sql("select * from alignment_answers where survey_period = :p order by answered_at, id")
        .param("p", month(period).toString()).query(AlignmentSurvey::row).list();
  }

  /**
   * The alignment KPI of a period: the answers for the months that start in it. Not asked (and counting nothing)
   * when the filter narrows the report to part of the organization.
   */
  KpiReport.Alignment alignment(Period period, MetricsFilter filter) {
    MetricsFilter f = filter == null ? MetricsFilter.NONE : filter;
    if (f.service() != null || f.environment() != null || f.model() != null || f.team() != null) {
      return new KpiReport.Alignment(false, 0, null, Map.of());
    }
    Map<String, Object> row = jdbc.sql("""
        select count(*) as n, avg(cast(informed as double precision)) as informed,
               avg(cast(needs_met as double precision)) as needs_met,
               avg(cast(pace_fits as double precision)) as pace_fits,
               avg(cast(informed + needs_met + pace_fits as double precision)) as total
          from alignment_answers where period_start >= :from and period_start < :to
        """).param("from", Timestamp.from(period.from())).param("to", Timestamp.from(period.to())).query()
        .singleRow();
    long n = Scope.count(row.get("n"));
    Map<String, Double> byQuestion = new LinkedHashMap<>();
    if (n > 0) {
      byQuestion.put("informed", Scope.round(Scope.number(row.get("informed")), 2));
      byQuestion.put("needsMet", Scope.round(Scope.number(row.get("needs_met")), 2));
      byQuestion.put("paceFits", Scope.round(Scope.number(row.get("pace_fits")), 2));
    }
    Double total = Scope.number(row.get("total"));
    return new KpiReport.Alignment(true, n, total == null ? null : Scope.round(total / 3, 2), byQuestion);
  }

  static YearMonth month(String period) {
    if (period == null || period.isBlank()) {
      throw InvalidInputException.of("period", "the survey period is needed: a month, e.g. 2026-11");
    }
    try {
      return YearMonth.parse(period.strip());
    } catch (DateTimeParseException e) {
      throw InvalidInputException.of("period", "\"" + period + "\" is not a month (2026-11)");
    }
  }

  private static void score(List<Finding> findings, String field, Integer value) {
    if (value == null) {
      findings.add(Finding.of(field, field + " needs an answer from 1 (not at all) to 5 (fully)"));
    } else if (value < 1 || value > 5) {
      findings.add(Finding.of(field, field + " answer " + value + " is outside 1 (not at all) to 5 (fully)"));
    }
  }

  private static Answer row(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
    return new Answer(rs.getString("survey_period"), rs.getString("answered_by"), rs.getInt("informed"),
        rs.getInt("needs_met"), rs.getInt("pace_fits"), rs.getString("comment"),
        rs.getTimestamp("answered_at").toInstant());
  }
}
