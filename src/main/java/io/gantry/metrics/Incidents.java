package io.gantry.metrics;

import io.gantry.deployment.Deployment;
import io.gantry.deployment.Deployments;
import io.gantry.shared.ConflictException;
import io.gantry.shared.Finding;
import io.gantry.shared.InvalidInputException;
import io.gantry.shared.NotFoundException;
import io.gantry.shared.Page;
import io.gantry.shared.PageRequest;
import io.gantry.shared.StaleUpdateException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Incidents: reported with what they hit and when, linked to the deployment that caused them
 * (explicitly or by rule), resolved once, and marked as remediated by fix deployments.
 */
@Repository
class Incidents {

  private final JdbcClient jdbc;
  private final Deployments deployments;
  private final TransactionTemplate tx;
  private final Clock clock;
  private final ApplicationEventPublisher events;

  Incidents(JdbcClient jdbc, Deployments deployments, TransactionTemplate tx, Clock clock) {
    this(jdbc, deployments, tx, clock, event -> {});
  }

  /** Incidents that publish {@link IncidentReported} and {@link IncidentResolved} inside the writing transaction. */
  @org.springframework.beans.factory.annotation.Autowired
  Incidents(JdbcClient jdbc, Deployments deployments, TransactionTemplate tx, Clock clock,
      ApplicationEventPublisher events) {
    this.jdbc = jdbc;
    this.deployments = deployments;
    this.tx = tx;
    this.clock = clock;
    this.events = events;
  }

  /** What a reporter says about a new incident; {@code deployment} null means: find it by rule. */
  record Report(String service, String environment, String severity, String title, String reference,
      Instant detectedAt, Instant resolvedAt, Long deployment) {}

  Incident report(Report r, String actor) {
    Instant now = clock.instant();
    List<Finding> findings = new ArrayList<>();
    Severity severity = null;
    if (r.service() == null || r.service().isBlank()) {
      findings.add(Finding.of("service", "an incident needs the service it hit"));
    } else if (!exists("services", r.service())) {
      findings.add(Finding.of("service", "\"" + r.service() + "\" is not a service"));
    }
    if (r.environment() == null || r.environment().isBlank()) {
      findings.add(Finding.of("environment", "an incident needs the environment it happened in"));
    } else if (!exists("environments", r.environment())) {
      findings.add(Finding.of("environment", "\"" + r.environment() + "\" is not an environment"));
    }
    try {
      severity = Severity.parse(r.severity());
    } catch (InvalidInputException e) {
      findings.addAll(e.findings());
    }
    if (r.title() == null || r.title().isBlank()) {
      findings.add(Finding.of("title", "an incident needs a title"));
    } else if (r.title().length() > 500) {
      findings.add(Finding.of("title", "the title is longer than 500 characters"));
    }
    if (r.reference() != null && r.reference().length() > 200) {
      findings.add(Finding.of("reference", "the reference is longer than 200 characters"));
    }
    if (r.detectedAt() == null) {
      findings.add(Finding.of("detectedAt", "an incident needs the time it was detected (ISO-8601)"));
    } else if (r.detectedAt().isAfter(now)) {
      findings.add(Finding.of("detectedAt", "detected at " + r.detectedAt() + ", which is in the future"));
    }
    if (r.resolvedAt() != null) {
      if (r.detectedAt() != null && r.resolvedAt().isBefore(r.detectedAt())) {
        findings.add(Finding.of("resolvedAt", "resolved at " + r.resolvedAt() + ", before it was detected at "
            + r.detectedAt()));
      } else if (r.resolvedAt().isAfter(now)) {
        findings.add(Finding.of("resolvedAt", "resolved at " + r.resolvedAt() + ", which is in the future"));
      }
    }
    Deployment cause = null;
    if (r.deployment() != null) {
      cause = deployments.find(r.deployment()).orElse(null);
      if (cause == null) {
        findings.add(Finding.of("deployment", "deployment #" + r.deployment() + " does not exist"));
      } else if (r.detectedAt() != null && cause.requestedAt().isAfter(r.detectedAt())) {
        findings.add(Finding.of("deployment", "deployment #" + cause.id() + " was requested at "
            + cause.requestedAt() + ", after the incident was detected; it cannot have caused it"));
      }
    }
    if (!findings.isEmpty()) {
      throw new InvalidInputException("the incident was not recorded: " + findings.getFirst(), findings);
    }
    Long deployment = cause != null ? Long.valueOf(cause.id())
        : causeByRule(r.service(), r.environment(), r.detectedAt()).orElse(null);
    Incident.Link link = cause != null ? Incident.Link.EXPLICIT
        : deployment != null ? Incident.Link.RULE : Incident.Link.NONE;
    Long linkedTo = deployment;
    Incident.Link linkedBy = link;
    Severity level = severity;
    return tx.execute(status -> {
      var keys = new GeneratedKeyHolder();
      jdbc.sql("""
          insert into incidents (service, environment, severity, title, reference, detected_at, resolved_at,
                                 deployment_id, linked_by, reported_by, reported_at, resolved_by, row_version)
          values (:service, :environment, :severity, :title, :reference, :detected, :resolved, :deployment, :link,
                  :actor, :now, :resolvedBy, 0)
          """).param("service", r.service()).param("environment", r.environment()).param("severity", level.level())
          .param("title", r.title().strip()).param("reference", blankToNull(r.reference()))
          .param("detected", Timestamp.from(r.detectedAt()))
          .param("resolved", r.resolvedAt() == null ? null : Timestamp.from(r.resolvedAt()))
          .param("deployment", linkedTo).param("link", linkedBy.name()).param("actor", actor)
          .param("now", Timestamp.from(now)).param("resolvedBy", r.resolvedAt() == null ? null : actor)
          .update(keys, "id");
      Incident reported = get(keys.getKeyAs(Number.class).longValue());
      events.publishEvent(new IncidentReported(reported, now));
      return reported;
    });
  }

  /**
   * The rule: the latest successful deployment of the service into the incident's environment, when
   * that environment is a production one, that ended before the incident was detected.
   */
  Optional<Long> causeByRule(String service, String environment, Instant detectedAt) {
    return jdbc.sql("""
        select d.id from deployments d join environments e on e.name = d.environment
         where d.service = :service and d.environment = :environment and e.purpose = 'production'
           and d.state = 'SUCCEEDED' and d.finished_at < :detected
         order by d.finished_at desc, d.id desc limit 1
        """).param("service", service).param("environment", environment)
        .param("detected", Timestamp.from(detectedAt)).query(Long.class).optional();
  }

  Incident resolve(long id, Instant resolvedAt, String actor) {
    Instant now = clock.instant();
    Instant at = resolvedAt == null ? now : resolvedAt;
    Incident incident = get(id);
    if (incident.resolvedAt() != null) {
      throw new ConflictException("incident #" + id + " was already resolved at " + incident.resolvedAt() + " by "
          + incident.resolvedBy());
    }
    if (at.isBefore(incident.detectedAt())) {
      throw InvalidInputException.of("resolvedAt", "resolved at " + at + ", before the incident was detected at "
          + incident.detectedAt());
    }
    if (at.isAfter(now)) {
      throw InvalidInputException.of("resolvedAt", "resolved at " + at + ", which is in the future");
    }
    return tx.execute(status -> {
      int rows = jdbc.sql("""
          update incidents set resolved_at = :at, resolved_by = :actor, row_version = row_version + 1
           where id = :id and row_version = :expected
          """).param("at", Timestamp.from(at)).param("actor", actor).param("id", id)
          .param("expected", incident.rowVersion()).update();
      if (rows == 0) {
        throw new StaleUpdateException("incident", String.valueOf(id), incident.rowVersion());
      }
      Incident resolved = get(id);
      events.publishEvent(new IncidentResolved(resolved, now));
      return resolved;
    });
  }

  /** Marks a deployment as made to fix the incident. */
  Incident remediate(long id, Long deploymentId, String actor) {
    Incident incident = get(id);
    if (deploymentId == null) {
      throw InvalidInputException.of("deployment", "name the deployment that remediates the incident");
    }
    Deployment fix = deployments.find(deploymentId).orElseThrow(
        () -> new NotFoundException("deployment", String.valueOf(deploymentId)));
    if (incident.deployment() != null && incident.deployment() == fix.id()) {
      throw InvalidInputException.of("deployment", "deployment #" + fix.id()
          + " is the one the incident is linked to as its cause; it cannot also be its remediation");
    }
    if (fix.requestedAt().isBefore(incident.detectedAt())) {
      throw InvalidInputException.of("deployment", "deployment #" + fix.id() + " was requested at "
          + fix.requestedAt() + ", before the incident was detected at " + incident.detectedAt());
    }
    try {
      tx.executeWithoutResult(s -> jdbc.sql("""
          insert into incident_remediations (incident_id, deployment_id, marked_by, marked_at)
          values (:incident, :deployment, :actor, :now)
          """).param("incident", id).param("deployment", fix.id()).param("actor", actor)
          .param("now", Timestamp.from(clock.instant())).update());
    } catch (DuplicateKeyException e) {
      throw new ConflictException("deployment #" + fix.id() + " is already marked as remediation of incident #" + id);
    }
    return get(id);
  }

  Incident get(long id) {
    return find(id).orElseThrow(() -> new NotFoundException("incident", String.valueOf(id)));
  }

  Optional<Incident> find(long id) {
    return jdbc.sql("select * from incidents where id = :id").param("id", id).query(this::map).optional();
  }

  /** Filters for listing; null means any. */
  record Filter(String service, String environment, Boolean open) {}

  Page<Incident> page(Filter filter, PageRequest request) {
    StringBuilder where = new StringBuilder(" where 1 = 1");
    Map<String, Object> params = new HashMap<>();
    if (filter.service() != null) {
      where.append(" and service = :service");
      params.put("service", filter.service());
    }
    if (filter.environment() != null) {
      where.append(" and environment = :environment");
      params.put("environment", filter.environment());
    }
    if (filter.open() != null) {
      where.append(filter.open() ? " and resolved_at is null" : " and resolved_at is not null");
    }
    long total = jdbc.sql("select count(*) from incidents" + where).params(params).query(Long.class).single();
    List<Incident> items = jdbc.sql("select * from incidents" + where
        + " order by detected_at desc, id desc limit :limit offset :offset").params(params)
        .param("limit", request.size()).param("offset", request.offset()).query(this::map).list();
    return new Page<>(items, request.page(), request.size(), total);
  }

  private boolean exists(String table, String name) {
    return jdbc.sql("select count(*) from " + table + " where name = :name").param("name", name)
        .query(Long.class).single() > 0;
  }

  private Incident map(ResultSet rs, int row) throws SQLException {
    long id = rs.getLong("id");
    long deployment = rs.getLong("deployment_id");
    Long cause = rs.wasNull() ? null : deployment;
    List<Long> remediations = jdbc.sql(
        "select deployment_id from incident_remediations where incident_id = :id order by deployment_id")
        .param("id", id).query(Long.class).list();
    return new Incident(id, rs.getString("service"), rs.getString("environment"), Severity.of(rs.getInt("severity")),
        rs.getString("title"), rs.getString("reference"), instant(rs, "detected_at"), instant(rs, "resolved_at"),
        cause, Incident.Link.valueOf(rs.getString("linked_by")), rs.getString("reported_by"),
        instant(rs, "reported_at"), rs.getString("resolved_by"), remediations, rs.getLong("row_version"));
  }

  static Instant instant(ResultSet rs, String column) throws SQLException {
    Timestamp t = rs.getTimestamp(column);
    return t == null ? null : t.toInstant();
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }
}
