package io.gantry.deployment;

import io.gantry.catalog.ComponentRef;
import io.gantry.catalog.Components;
import io.gantry.catalog.Version;
import io.gantry.environment.Environments;
import io.gantry.shared.ConflictException;
import io.gantry.shared.Finding;
import io.gantry.shared.InvalidInputException;
import java.net.URI;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Deployments done by other tools, recorded after the fact. Each is a row of {@code deployments} of
 * kind {@link Deployment.Kind#EXTERNAL}, written in its final state with no work item, so the engine
 * never picks it up, and with two transitions in its record (executing at its start, its outcome at its
 * end): the inventory, the history, the incident rule and the reports read it as they read Gantry's own.
 * Its tool, link and commits are kept beside it.
 */
@Service
public class ExternalDeployments {

  /** A commit id: 7 to 64 hexadecimal digits (abbreviated or full SHA-1, or SHA-256). */
  private static final Pattern SHA = Pattern.compile("[0-9a-f]{7,64}");
  static final int MAX_COMMITS = 1_000;

  private final JdbcClient jdbc;
  private final Deployments deployments;
  private final Components components;
  private final Environments environments;
  private final TransactionTemplate tx;
  private final Clock clock;

  ExternalDeployments(JdbcClient jdbc, Deployments deployments, Components components, Environments environments,
      TransactionTemplate tx, Clock clock) {
    this.jdbc = jdbc;
    this.deployments = deployments;
    this.components = components;
    this.environments = environments;
    this.tx = tx;
    this.clock = clock;
  }

  /** How a deployment done elsewhere ended. */
  public enum Outcome {
    SUCCEEDED(DeploymentState.SUCCEEDED), FAILED(DeploymentState.FAILED), ROLLED_BACK(DeploymentState.ROLLED_BACK);

    final DeploymentState state;

    Outcome(DeploymentState state) {
      this.state = state;
    }

    public String id() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static Optional<Outcome> fromId(String id) {
      for (Outcome o : values()) {
        if (o.id().equals(id)) {
          return Optional.of(o);
        }
      }
      return Optional.empty();
    }
  }

  /** One commit the deployment brought, and when it was made. */
  public record Commit(String sha, Instant committedAt) {}

  /** What another tool reports; checked by {@link #record}. */
  public record Report(String component, String version, String environment, Instant startedAt,
      Instant finishedAt, String outcome, String tool, String url, String reason, List<Commit> commits) {}

  /** A recorded external deployment: the deployment and what only an external one has. */
  public record Recorded(Deployment deployment, String tool, String url, String recordedBy, Instant recordedAt,
      List<Commit> commits) {}

  /**
   * Records a deployment done by another tool; refused, changing nothing, when the report is incomplete or
   * names what Gantry does not know, or when the same tool already reported the same deployment.
   */
  public Recorded record(Report r, String actor) {
    List<Finding> findings = new ArrayList<>();
    ComponentRef ref = null;
    if (r.component() == null || r.component().isBlank()) {
      findings.add(Finding.of("component", "missing: name the component as SERVICE/COMPONENT"));
    } else {
      try {
        ref = ComponentRef.parse(r.component());
        if (components.find(ref).isEmpty()) {
          findings.add(Finding.of("component", "component " + ref + " does not exist"));
        }
      } catch (IllegalArgumentException e) {
        findings.add(Finding.of("component", e.getMessage()));
      }
    }
    if (r.version() == null || !Version.isValid(r.version())) {
      findings.add(Finding.of("version", r.version() == null ? "missing: the version deployed"
          : Version.describe(r.version())));
    }
    if (r.environment() == null || r.environment().isBlank()) {
      findings.add(Finding.of("environment", "missing: the environment deployed to"));
    } else if (environments.find(r.environment()).isEmpty()) {
      findings.add(Finding.of("environment", "environment \"" + r.environment() + "\" does not exist"));
    }
    Instant now = clock.instant();
    if (r.startedAt() == null) {
      findings.add(Finding.of("startedAt", "missing: when the deployment started (ISO-8601 instant)"));
    }
    if (r.finishedAt() == null) {
      findings.add(Finding.of("finishedAt", "missing: when the deployment ended (ISO-8601 instant)"));
    } else if (r.finishedAt().isAfter(now)) {
      findings.add(Finding.of("finishedAt", "is " + r.finishedAt() + ", later than now (" + now
          + "): only a deployment that has ended is recorded"));
    }
    if (r.startedAt() != null && r.finishedAt() != null && r.finishedAt().isBefore(r.startedAt())) {
      findings.add(Finding.of("finishedAt", "the end (" + r.finishedAt() + ") is before the start ("
          + r.startedAt() + ")"));
    }
    Outcome outcome = null;
    if (r.outcome() == null) {
      findings.add(Finding.of("outcome", "missing: succeeded, failed or rolled-back"));
    } else {
      outcome = Outcome.fromId(r.outcome()).orElse(null);
      if (outcome == null) {
        findings.add(Finding.of("outcome", "\"" + r.outcome() + "\" is not an outcome; use succeeded, failed or "
            + "rolled-back"));
      }
    }
    if (r.tool() == null || r.tool().isBlank()) {
      findings.add(Finding.of("tool", "missing: the tool that did the deployment"));
    } else if (r.tool().length() > 100) {
      findings.add(Finding.of("tool", "longer than 100 characters"));
    }
    if (r.url() != null && !absoluteHttpUrl(r.url())) {
      findings.add(Finding.of("url", "\"" + r.url() + "\" is not an absolute http(s) URL"));
    }
    if (r.reason() != null && r.reason().length() > 2000) {
      findings.add(Finding.of("reason", "longer than 2000 characters"));
    }
    List<Commit> commits = r.commits() == null ? List.of() : r.commits();
    if (commits.size() > MAX_COMMITS) {
      findings.add(Finding.of("commits", commits.size() + " commits; at most " + MAX_COMMITS + " are recorded"));
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < commits.size() && i < MAX_COMMITS; i++) {
      Commit c = commits.get(i);
      String field = "commits[" + i + "]";
      if (c == null || c.sha() == null || !SHA.matcher(c.sha()).matches()) {
        findings.add(Finding.of(field + ".sha", "\"" + (c == null ? null : c.sha()) + "\" is not a commit id "
            + "(7 to 64 lowercase hexadecimal digits)"));
      } else if (!seen.add(c.sha())) {
        findings.add(Finding.of(field + ".sha", "commit " + c.sha() + " is listed twice"));
      }
      if (c != null && c.committedAt() == null) {
        findings.add(Finding.of(field + ".committedAt", "missing: when the commit was made (ISO-8601 instant)"));
      } else if (c != null && r.finishedAt() != null && c.committedAt().isAfter(r.finishedAt())) {
        findings.add(Finding.of(field + ".committedAt", "the commit (" + c.committedAt() + ") is later than the "
            + "deployment's end (" + r.finishedAt() + ")"));
      }
    }
    if (!findings.isEmpty()) {
      throw new InvalidInputException("external deployment refused: " + findings.getFirst(), findings);
    }
    ComponentRef component = ref;
    Outcome ended = outcome;
    String reason = r.reason() == null || r.reason().isBlank()
        ? "deployed by " + r.tool() + (r.url() == null ? "" : " (" + r.url() + ")") : r.reason();
    return tx.execute(status -> {
      Long same = jdbc.sql("""
          select d.id from deployments d join external_deployments x on x.deployment_id = d.id
           where d.environment = :environment and d.service = :service and d.component = :component
             and d.version = :version and d.started_at = :started and x.tool = :tool
          """).param("environment", r.environment()).param("service", component.service())
          .param("component", component.component()).param("version", r.version())
          .param("started", Timestamp.from(r.startedAt())).param("tool", r.tool())
          .query(Long.class).optional().orElse(null);
      if (same != null) {
        throw new ConflictException(r.tool() + " already reported this deployment of " + component + "@"
            + r.version() + " to " + r.environment() + " started at " + r.startedAt() + ": deployment #" + same);
      }
      var keys = new GeneratedKeyHolder();
      jdbc.sql("""
          insert into deployments (service, component, version, environment, model, model_version, stage, state,
                                   requested_by, requested_at, reason, started_at, finished_at, outcome, kind,
                                   priority, row_version)
          values (:service, :component, :version, :environment, '', 0, '', :state, :by, :started, :reason,
                  :started, :finished, :outcome, 'EXTERNAL', 0, 0)
          """).param("service", component.service()).param("component", component.component())
          .param("version", r.version()).param("environment", r.environment()).param("state", ended.state.name())
          .param("by", actor).param("started", Timestamp.from(r.startedAt())).param("reason", reason)
          .param("finished", Timestamp.from(r.finishedAt()))
          .param("outcome", ended.id() + " in " + r.tool()).update(keys, "id");
      long id = keys.getKeyAs(Number.class).longValue();
      deployments.recordExternalRecord(id, r.startedAt(), r.finishedAt(), ended.state, actor,
          "deployed by " + r.tool() + (r.url() == null ? "" : " (" + r.url() + ")") + ", recorded by " + actor);
      jdbc.sql("""
          insert into external_deployments (deployment_id, tool, url, recorded_by, recorded_at)
          values (:id, :tool, :url, :by, :now)
          """).param("id", id).param("tool", r.tool()).param("url", r.url()).param("by", actor)
          .param("now", Timestamp.from(now)).update();
      for (Commit c : commits) {
        jdbc.sql("insert into deployment_commits (deployment_id, sha, committed_at) values (:id, :sha, :at)")
            .param("id", id).param("sha", c.sha()).param("at", Timestamp.from(c.committedAt())).update();
      }
      return find(id).orElseThrow();
    });
  }

  /** The external deployment of that id, if it is one. */
  public Optional<Recorded> find(long id) {
    Optional<Deployment> d = deployments.find(id).filter(x -> x.kind() == Deployment.Kind.EXTERNAL);
    if (d.isEmpty()) {
      return Optional.empty();
    }
    List<Commit> commits = jdbc.sql("select sha, committed_at from deployment_commits where deployment_id = :id "
        + "order by committed_at, sha").param("id", id)
        .query((rs, n) -> new Commit(rs.getString(1), rs.getTimestamp(2).toInstant())).list();
    return jdbc.sql("select tool, url, recorded_by, recorded_at from external_deployments where deployment_id = :id")
        .param("id", id).query((rs, n) -> new Recorded(d.get(), rs.getString(1), rs.getString(2), rs.getString(3),
            rs.getTimestamp(4).toInstant(), commits)).optional();
  }

  private static boolean absoluteHttpUrl(String url) {
    if (url.length() > 2000) {
      return false;
    }
    try {
      URI uri = new URI(url);
      return uri.isAbsolute() && uri.getHost() != null
          && ("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()));
    } catch (java.net.URISyntaxException e) {
      return false;
    }
  }
}
