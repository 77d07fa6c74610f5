package io.gantry.assessment;

import io.gantry.capability.AssessmentPeriod;
import io.gantry.capability.Criterion;
import io.gantry.capability.Evidence;
import io.gantry.capability.Judgement;
import io.gantry.shared.InvalidInputException;
import io.gantry.shared.NotFoundException;
import java.net.URI;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Makes, keeps and compares capability self-assessments. An assessment stores every criterion's evidence as judged
 * when it was made; later records never change it. An assessor's judgement of a criterion replaces their earlier one.
 */
@Service
public class Assessments {

  /** The period an assessment looks at when none is given: the last 90 days. */
  public static final Duration DEFAULT_PERIOD = Duration.ofDays(90);
  static final int MAX_REASON = 4000;
  static final int MAX_EVIDENCE = 8000;
  static final int MAX_LINKS = 20;
  static final int MAX_LINK = 2000;

  private final JdbcClient jdbc;
  private final EvidenceSources sources;
  private final Clock clock;

  Assessments(JdbcClient jdbc, EvidenceSources sources, Clock clock) {
    this.jdbc = jdbc;
    this.sources = sources;
    this.clock = clock;
  }

  /** A summary of an assessment for lists: its period, who made it when, its level and how many criteria are met. */
  public record Summary(long id, Instant from, Instant to, String createdBy, Instant createdAt, int level, long met) {
    static Summary of(Assessment a) {
      return new Summary(a.id(), a.from(), a.to(), a.createdBy(), a.createdAt(), a.level(), a.met());
    }
  }

  /**
   * Assesses {@code from} to {@code to} (each optional: the period ends now and starts 90 days before its end),
   * asking each criterion's source now and storing what it answered.
   */
  @Transactional
  public Assessment create(Instant from, Instant to, String actor) {
    Instant now = clock.instant();
    Instant end = to == null ? now : to;
    Instant start = from == null ? end.minus(DEFAULT_PERIOD) : from;
    if (!start.isBefore(end)) {
      throw InvalidInputException.of(from == null ? "to" : "from", "the period must start before it ends; it runs "
          + start + " to " + end);
    }
    if (start.isAfter(now)) {
      throw InvalidInputException.of("from", "the period starts at " + start + ", in the future: there is nothing "
          + "to assess yet");
    }
    AssessmentPeriod period = new AssessmentPeriod(start, end);
    List<Evidence> judged = new ArrayList<>();
    List<Criterion> unjudged = new ArrayList<>();
    for (Criterion c : Criterion.values()) {
      sources.evidence(c, period).ifPresentOrElse(judged::add, () -> unjudged.add(c));
    }
    var keys = new org.springframework.jdbc.support.GeneratedKeyHolder();
    jdbc.sql("""
        insert into assessments (period_from, period_to, created_by, created_at)
        values (:from, :to, :by, :at)
        """).param("from", Timestamp.from(start)).param("to", Timestamp.from(end)).param("by", actor)
        .param("at", Timestamp.from(now)).update(keys, "id");
    long id = keys.getKeyAs(Number.class).longValue();
    for (Evidence e : judged) {
      insert(id, e.criterion(), e.judgement(), truncate(e.reason(), MAX_REASON), e.facts());
    }
    for (Criterion c : unjudged) {
      insert(id, c, null, CriterionAssessment.NOT_JUDGED, List.of());
    }
    return get(id);
  }

  private void insert(long id, Criterion c, Judgement judgement, String reason, List<String> facts) {
    jdbc.sql("""
        insert into assessment_criteria (assessment_id, criterion, judgement, reason, facts)
        values (:id, :criterion, :judgement, :reason, :facts)
        """).param("id", id).param("criterion", c.name()).param("judgement", judgement == null ? null : judgement.name())
        .param("reason", reason).param("facts", lines(facts)).update();
  }

  /** Every assessment, newest first. */
  public List<Summary> list() {
    List<Long> ids = jdbc.sql("select id from assessments order by created_at desc, id desc").query(Long.class).list();
    return ids.stream().map(this::get).map(Summary::of).toList();
  }

  public Assessment get(long id) {
    return jdbc.sql("select id, period_from, period_to, created_by, created_at from assessments where id = :id")
        .param("id", id).query((rs, n) -> new Assessment(rs.getLong(1), instant(rs, 2), instant(rs, 3),
            rs.getString(4), instant(rs, 5), criteria(rs.getLong(1)))).optional()
        .orElseThrow(() -> new NotFoundException("assessment", String.valueOf(id)));
  }

  private List<CriterionAssessment> criteria(long id) {
    Map<Criterion, CriterionAssessment> rows = jdbc.sql("""
        select criterion, judgement, reason, facts, assessor_judgement, assessor_reason, assessor_evidence,
               assessor_links, judged_by, judged_at
          from assessment_criteria where assessment_id = :id
        """).param("id", id).query((rs, n) -> new CriterionAssessment(Criterion.valueOf(rs.getString(1)),
            judgement(rs.getString(2)), rs.getString(3), split(rs.getString(4)), judgement(rs.getString(5)),
            rs.getString(6), rs.getString(7), split(rs.getString(8)), rs.getString(9), instant(rs, 10)))
        .list().stream().collect(Collectors.toMap(CriterionAssessment::criterion, c -> c));
    return Arrays.stream(Criterion.values()).map(rows::get).filter(java.util.Objects::nonNull).toList();
  }

  /**
   * Records an assessor's judgement of one criterion, with the reason and optionally their evidence (text) and
   * links (http or https); it decides over Gantry's. Refused, changing nothing, when anything is missing or bad.
   */
  @Transactional
  public Assessment judge(long id, String criterion, String judgement, String reason, String evidence,
      List<String> links, String actor) {
    get(id);
    List<io.gantry.shared.Finding> findings = new ArrayList<>();
    Criterion c = null;
    try {
      c = Criterion.fromId(criterion == null ? "" : criterion);
    } catch (IllegalArgumentException e) {
      findings.add(io.gantry.shared.Finding.of("criterion", e.getMessage()));
    }
    Judgement j = null;
    if (judgement == null) {
      findings.add(io.gantry.shared.Finding.of("judgement", "a judgement is needed: met, partly-met or not-met"));
    } else {
      j = Arrays.stream(Judgement.values()).filter(x -> x.id().equals(judgement)).findFirst().orElse(null);
      if (j == null) {
        findings.add(io.gantry.shared.Finding.of("judgement", "\"" + judgement
            + "\" is not a judgement; use met, partly-met or not-met"));
      }
    }
    if (reason == null || reason.isBlank()) {
      findings.add(io.gantry.shared.Finding.of("reason", "a reason for the judgement is needed"));
    } else if (reason.length() > MAX_REASON) {
      findings.add(io.gantry.shared.Finding.of("reason", "at most " + MAX_REASON + " characters"));
    }
    if (evidence != null && evidence.length() > MAX_EVIDENCE) {
      findings.add(io.gantry.shared.Finding.of("evidence", "at most " + MAX_EVIDENCE + " characters"));
    }
    List<String> given = links == null ? List.of() : links;
    if (given.size() > MAX_LINKS) {
      findings.add(io.gantry.shared.Finding.of("links", "at most " + MAX_LINKS + " links"));
    }
    for (int i = 0; i < given.size(); i++) {
      String problem = linkProblem(given.get(i));
      if (problem != null) {
        findings.add(io.gantry.shared.Finding.of("links[" + i + "]", problem));
      }
    }
    if (!findings.isEmpty()) {
      throw new InvalidInputException("the judgement cannot be recorded", findings);
    }
    jdbc.sql("""
        update assessment_criteria
           set assessor_judgement = :judgement, assessor_reason = :reason, assessor_evidence = :evidence,
               assessor_links = :links, judged_by = :by, judged_at = :at
         where assessment_id = :id and criterion = :criterion
        """).param("judgement", j.name()).param("reason", reason.strip())
        .param("evidence", evidence == null || evidence.isBlank() ? null : evidence.strip())
        .param("links", given.isEmpty() ? null : lines(given)).param("by", actor)
        .param("at", Timestamp.from(clock.instant())).param("id", id).param("criterion", c.name()).update();
    return get(id);
  }

  private static String linkProblem(String link) {
    if (link == null || link.isBlank()) {
      return "a link must not be empty";
    }
    if (link.length() > MAX_LINK || link.contains("\n") || link.contains("\r")) {
      return "a link is one line of at most " + MAX_LINK + " characters";
    }
    try {
      URI uri = new URI(link);
      if (uri.getScheme() == null || !List.of("http", "https").contains(uri.getScheme().toLowerCase(java.util.Locale.ROOT))
          || uri.getHost() == null) {
        return "\"" + link + "\" is not an http or https link";
      }
    } catch (java.net.URISyntaxException e) {
      return "\"" + link + "\" is not a link: " + e.getReason();
    }
    return null;
  }

  /** How one criterion's deciding judgement changed from one assessment to another. */
  public record CriterionChange(Criterion criterion, Judgement before, Judgement after, String change) {}

  /** Two assessments side by side: their summaries and levels, and every criterion before and after. */
  public record Comparison(Summary before, Summary after, List<CriterionChange> criteria) {}

  /** Compares {@code before} with {@code after}, criterion by criterion. */
  public Comparison compare(long before, long after) {
    Assessment a = get(before);
    Assessment b = get(after);
    List<CriterionChange> rows = new ArrayList<>();
    for (Criterion c : Criterion.values()) {
      Judgement x = a.criterion(c).judgement();
      Judgement y = b.criterion(c).judgement();
      int dx = rank(x);
      int dy = rank(y);
      rows.add(new CriterionChange(c, x, y, dy > dx ? "better" : dy < dx ? "worse" : "same"));
    }
    return new Comparison(Summary.of(a), Summary.of(b), rows);
  }

  private static int rank(Judgement j) {
    return j == null ? 0 : switch (j) {
      case MET -> 3;
      case PARTLY_MET -> 2;
      case NOT_MET -> 1;
    };
  }

  private static Judgement judgement(String name) {
    return name == null ? null : Judgement.valueOf(name);
  }

  private static Instant instant(ResultSet rs, int column) throws SQLException {
    Timestamp t = rs.getTimestamp(column);
    return t == null ? null : t.toInstant();
  }

  private static String lines(List<String> items) {
    return items.stream().map(s -> s.replace('\n', ' ').replace('\r', ' ')).collect(Collectors.joining("\n"));
  }

  private static List<String> split(String text) {
    return text == null || text.isEmpty() ? List.of() : List.of(text.split("\n"));
  }

  private static String truncate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max - 1) + "…";
  }
}
