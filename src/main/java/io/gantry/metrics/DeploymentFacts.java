package io.gantry.metrics;

import io.gantry.deployment.DeploymentEvent;
import io.gantry.deployment.DeploymentState;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * What the period reports need of each ended deployment ({@code metrics_deployment_facts} and
 * {@code metrics_deployment_waits}), worked out once from its record. An ended deployment's record no
 * longer changes, so neither do its facts. They are written when it ends ({@link FactsWhenDeploymentsEnd}),
 * after the commit of its last move; a report first writes those of the deployments of its period that have
 * none yet (a server stopped between the end and the write, records imported or written by other means),
 * then reads only facts.
 *
 * <p>The value stream of a deployment is its record cut into {@link Stretch stretches}, as its
 * timeline is.
 */
@Component
class DeploymentFacts {

  private static final Logger log = LoggerFactory.getLogger(DeploymentFacts.class);
  static final int BATCH = 2_000;

  /**
   * How long a check that found the facts of every deployment that ended in a stretch of time is trusted: within
   * it a report checks only the deployments that ended after that stretch. Facts deleted by hand in the stretch
   * are written again by the first report after it.
   */
  static final Duration TRUSTED = Duration.ofMinutes(1);
  /**
   * How long before its check a stretch is taken as settled: a deployment's end time is taken before the commit
   * that makes it visible, and servers' clocks differ a little; one that ended later is checked every time.
   */
  static final Duration SETTLE = Duration.ofMinutes(10);

  private final JdbcClient jdbc;
  private final CommitTimes commitTimes;
  private final TransactionTemplate tx;
  private final int batchSize;
  private final NamedParameterJdbcTemplate batch;
  private final Clock clock;
  private final Duration trusted;

  /** The stretch of end times whose deployments were all found with their facts, and when. */
  private record Checked(Instant from, Instant to, Instant at) {}

  private volatile Checked checked;

  @Autowired
  DeploymentFacts(JdbcClient jdbc, CommitTimes commitTimes, TransactionTemplate tx, DataSource dataSource,
      Clock clock) {
    this(jdbc, commitTimes, tx, dataSource, BATCH, clock, TRUSTED);
  }

  /** Checks every period in full each time (tests that write records by hand between reports). */
  DeploymentFacts(JdbcClient jdbc, CommitTimes commitTimes, TransactionTemplate tx, DataSource dataSource) {
    this(jdbc, commitTimes, tx, dataSource, BATCH);
  }

  /** Writes the facts of at most {@code batchSize} deployments per transaction; checks every period in full. */
  DeploymentFacts(JdbcClient jdbc, CommitTimes commitTimes, TransactionTemplate tx, DataSource dataSource,
      int batchSize) {
    this(jdbc, commitTimes, tx, dataSource, batchSize, Clock.systemUTC(), Duration.ZERO);
  }

  /** As the server makes it, with a check trusted for {@code trusted} by {@code clock}. */
  DeploymentFacts(JdbcClient jdbc, CommitTimes commitTimes, TransactionTemplate tx, DataSource dataSource,
      int batchSize, Clock clock, Duration trusted) {
    this.jdbc = jdbc;
    this.commitTimes = commitTimes;
    this.tx = tx;
    this.batchSize = batchSize;
    this.batch = new NamedParameterJdbcTemplate(dataSource);
    this.clock = clock;
    this.trusted = trusted;
  }

  /** The facts column of an activity's process ({@code p}) or waiting ({@code w}) seconds. */
  static String column(Activity activity, char type) {
    return activity.name().toLowerCase(Locale.ROOT) + "_" + type;
  }

  /**
   * Writes the facts of every deployment that ended in the period and has none yet. Cheap when there
   * is nothing to write: two counts over an index, over the deployments that ended after the stretch of a check
   * made within {@link #TRUSTED} (and more than {@link #SETTLE} before it), when the period starts in it. (A
   * deployment has an end time once it is in a final state, and only then.)
   */
  void write(Period period) {
    Instant now = clock.instant();
    Checked known = checked;
    boolean within = known != null && trusted.isPositive() && !now.isAfter(known.at().plus(trusted))
        && !period.from().isBefore(known.from()) && !period.from().isAfter(known.to());
    // within a check still trusted, only what ended after its stretch
    Instant start = within ? known.to() : period.from();
    if (start.isBefore(period.to())) {
      write(start, period.to(), period);
    }
    Instant settled = period.to().isBefore(now.minus(SETTLE)) ? period.to() : now.minus(SETTLE);
    if (!trusted.isPositive() || !settled.isAfter(period.from())) {
      return;
    }
    checked = within ? new Checked(known.from(), settled.isAfter(known.to()) ? settled : known.to(), known.at())
        : new Checked(period.from(), settled, now);
  }

  /** Writes the facts of the deployments that ended between {@code start} and {@code end} and have none. */
  private void write(Instant since, Instant until, Period period) {
    Timestamp from = Timestamp.from(since);
    Timestamp to = Timestamp.from(until);
    long ended = jdbc.sql("select count(*) from deployments d where d.finished_at >= :from and d.finished_at < :to")
        .param("from", from).param("to", to).query(Long.class).single();
    long known = jdbc.sql("select count(*) from metrics_deployment_facts f where f.finished_at >= :from "
        + "and f.finished_at < :to").param("from", from).param("to", to).query(Long.class).single();
    if (ended == known) {
      return;
    }
    long missing = ended - known;
    long written = 0;
    Timestamp cursor = from;
    while (true) {
      record Todo(long id, Timestamp finishedAt) {}
      Timestamp start = cursor;
      List<Todo> batch = jdbc.sql("""
          select d.id, d.finished_at from deployments d
           where d.finished_at >= :cursor and d.finished_at < :to
             and not exists (select 1 from metrics_deployment_facts f where f.deployment_id = d.id)
           order by d.finished_at, d.id limit %d
          """.formatted(batchSize)).param("cursor", start).param("to", to)
          .query((rs, n) -> new Todo(rs.getLong(1), rs.getTimestamp(2))).list();
      if (batch.isEmpty()) {
        break;
      }
      List<Long> ids = batch.stream().map(Todo::id).toList();
      written += writeBatch(ids);
      if (missing > batchSize) {
        log.info("Metrics: worked out the facts of {} of {} deployments ended between {} and {}", written, missing,
            period.from(), period.to());
      }
      if (batch.size() < batchSize) {
        break;
      }
      cursor = batch.getLast().finishedAt();
    }
  }

  /**
   * Writes the facts of one deployment that has ended, unless they are written already (by a report that ran
   * meanwhile); answers whether this call wrote them.
   */
  boolean writeEnded(long id) {
    boolean ended = jdbc.sql("select count(*) from deployments where id = :id and finished_at is not null")
        .param("id", id).query(Long.class).single() > 0;
    boolean known = jdbc.sql("select count(*) from metrics_deployment_facts where deployment_id = :id")
        .param("id", id).query(Long.class).single() > 0;
    return ended && !known && writeBatch(List.of(id)) == 1;
  }

  /** Writes the facts of these ended deployments; answers how many it wrote (those written meanwhile not). */
  int writeBatch(List<Long> ids) {
    commitTimes.read(ids);
    record Ended(long id, Timestamp finishedAt, String environment, String service, String component, String model,
        int modelVersion, String state, Timestamp requestedAt, Timestamp startedAt, Timestamp plannedStart,
        Timestamp commitTime, boolean modelInForce, String kind) {}
    List<Ended> ended = jdbc.sql("""
        select d.id, d.finished_at, d.environment, d.service, d.component, d.model, d.model_version, d.state,
               d.requested_at, d.started_at, d.planned_start, c.commit_time, d.kind,
               case when exists (select 1 from model_versions v join deployment_models m on m.id = v.model_id
                                  where m.name = d.model and v.number = d.model_version and v.spec is not null
                                    and not exists (select 1 from model_version_states n where n.model_id = v.model_id
                                      and n.number > v.number and n.in_force_at <= coalesce(d.started_at, d.requested_at)))
                    then 1 else 0 end as model_in_force
          from deployments d
          left join metrics_commit_times c
            on c.service = d.service and c.component = d.component and c.version = d.version
         where d.id in (:ids)
        """).param("ids", ids)
        .query((rs, n) -> new Ended(rs.getLong("id"), rs.getTimestamp("finished_at"), rs.getString("environment"),
            rs.getString("service"), rs.getString("component"), rs.getString("model"), rs.getInt("model_version"),
            rs.getString("state"), rs.getTimestamp("requested_at"), rs.getTimestamp("started_at"),
            rs.getTimestamp("planned_start"), rs.getTimestamp("commit_time"), rs.getInt("model_in_force") == 1,
            rs.getString("kind")))
        .list();
    Map<Long, List<DeploymentEvent>> records = new HashMap<>();
    jdbc.sql("""
        select x.id, x.deployment_id, x.at, x.kind, x.to_state, x.waiting_for
          from deployments t join deployment_events x on x.deployment_id = t.id
         where t.id in (:ids) and x.kind in ('TRANSITION', 'WAIT', 'STEP')
         order by x.deployment_id, x.id
        """).param("ids", ids).query(rs -> {
          String to = rs.getString("to_state");
          String waitingFor = rs.getString("waiting_for");
          records.computeIfAbsent(rs.getLong("deployment_id"), k -> new ArrayList<>()).add(new DeploymentEvent(
              rs.getLong("id"), rs.getLong("deployment_id"), rs.getTimestamp("at").toInstant(),
              DeploymentEvent.Kind.valueOf(rs.getString("kind")), null, to == null ? null : DeploymentState.valueOf(to),
              null, null, "", "", waitingFor == null ? null : DeploymentEvent.WaitKind.valueOf(waitingFor)));
        });

    List<MapSqlParameterSource> facts = new ArrayList<>();
    List<MapSqlParameterSource> waits = new ArrayList<>();
    for (Ended d : ended) {
      List<DeploymentEvent> record = records.getOrDefault(d.id(), List.of());
      Instant finished = d.finishedAt().toInstant();
      var row = new MapSqlParameterSource().addValue("id", d.id()).addValue("finished_at", d.finishedAt())
          .addValue("environment", d.environment()).addValue("service", d.service())
          .addValue("component", d.component()).addValue("model", d.model())
          .addValue("model_version", d.modelVersion()).addValue("state", d.state()).addValue("kind", d.kind())
          .addValue("requested_at", d.requestedAt()).addValue("started_at", d.startedAt(), Types.TIMESTAMP)
          .addValue("executed", record.stream().anyMatch(e -> e.to() == DeploymentState.EXECUTING))
          .addValue("model_in_force", d.modelInForce())
          .addValue("lead_seconds", seconds(d.requestedAt(), finished))
          .addValue("commit_seconds", d.commitTime() == null ? null : seconds(d.commitTime(), finished), Types.DOUBLE)
          .addValue("start_deviation", d.plannedStart() == null || d.startedAt() == null ? null
              : seconds(d.plannedStart(), d.startedAt().toInstant()), Types.DOUBLE)
          .addValue("rollback_seconds", !d.state().equals(DeploymentState.ROLLED_BACK.name()) ? null
              : record.stream().filter(e -> e.to() == DeploymentState.ROLLING_BACK).findFirst()
                  .map(e -> seconds(e.at(), finished)).orElse(null), Types.DOUBLE);
      Map<Activity, double[]> byActivity = new EnumMap<>(Activity.class);
      Map<Waited, Double> waited = new LinkedHashMap<>();
      for (Stretch stretch : Stretch.cut(record, true, finished)) {
        double[] sums = byActivity.computeIfAbsent(stretch.activity(), a -> new double[2]);
        sums[stretch.waiting() ? 1 : 0] += stretch.seconds();
        if (stretch.waiting()) {
          waited.merge(new Waited(stretch.activity(), stretch.waitingFor()), stretch.seconds(), Double::sum);
        }
      }
      boolean any = !byActivity.isEmpty();
      row.addValue("process_seconds", any ? byActivity.values().stream().mapToDouble(v -> v[0]).sum() : null,
          Types.DOUBLE);
      row.addValue("wait_seconds", any ? byActivity.values().stream().mapToDouble(v -> v[1]).sum() : null,
          Types.DOUBLE);
      for (Activity a : Activity.values()) {
        double[] sums = byActivity.get(a);
        row.addValue(column(a, 'p'), sums == null ? null : sums[0], Types.DOUBLE);
        row.addValue(column(a, 'w'), sums == null ? null : sums[1], Types.DOUBLE);
      }
      facts.add(row);
      waited.forEach((key, secs) -> waits.add(new MapSqlParameterSource().addValue("id", d.id())
          .addValue("finished_at", d.finishedAt()).addValue("environment", d.environment())
          .addValue("service", d.service()).addValue("model", d.model())
          .addValue("activity", key.activity().state.name()).addValue("waiting_for", key.waitingFor())
          .addValue("seconds", secs)));
    }
    try {
      tx.executeWithoutResult(status -> {
        batch.batchUpdate(INSERT_FACTS, facts.toArray(MapSqlParameterSource[]::new));
        batch.batchUpdate("""
            insert into metrics_deployment_waits (deployment_id, finished_at, environment, service, model, activity,
                                                  waiting_for, seconds)
            values (:id, :finished_at, :environment, :service, :model, :activity, :waiting_for, :seconds)
            """, waits.toArray(MapSqlParameterSource[]::new));
        writeCommitLeads(ids);
      });
      return facts.size();
    } catch (DuplicateKeyException e) {
      if (ids.size() == 1) {
        return 0; // written meanwhile (when the deployment ended, or by a report): the facts are the same
      }
      // some of the batch were written meanwhile: the others one by one, so that none is left out
      int written = 0;
      for (long id : ids) {
        written += writeBatch(List.of(id));
      }
      return written;
    }
  }

  /**
   * The commits counted in each successful deployment that lists its commits (one recorded from another
   * tool): those not already counted in an earlier successful deployment of the same component to the same
   * environment, each with the seconds from the commit to the deployment's end.
   */
  private void writeCommitLeads(List<Long> ids) {
    jdbc.sql("""
        insert into metrics_commit_leads (deployment_id, sha, seconds)
        select c.deployment_id, c.sha, cast(%s - %s as double precision)
          from deployment_commits c join deployments d on d.id = c.deployment_id
         where d.id in (:ids) and d.state = 'SUCCEEDED'
           and not exists (select 1 from deployment_commits p join deployments e on e.id = p.deployment_id
                            where p.sha = c.sha and e.environment = d.environment and e.service = d.service
                              and e.component = d.component and e.state = 'SUCCEEDED'
                              and (e.finished_at < d.finished_at or e.finished_at = d.finished_at and e.id < d.id))
        """.formatted(Scope.epoch("d.finished_at"), Scope.epoch("c.committed_at"))).param("ids", ids).update();
  }

  /** What a deployment waited for in one activity. */
  private record Waited(Activity activity, String waitingFor) {}

  private static final String INSERT_FACTS;

  static {
    StringBuilder columns = new StringBuilder();
    StringBuilder values = new StringBuilder();
    for (Activity a : Activity.values()) {
      for (char type : new char[] {'p', 'w'}) {
        columns.append(", ").append(column(a, type));
        values.append(", :").append(column(a, type));
      }
    }
    INSERT_FACTS = """
        insert into metrics_deployment_facts (deployment_id, finished_at, environment, service, component, model,
               model_version, state, kind, requested_at, started_at, executed, model_in_force, lead_seconds, commit_seconds,
               start_deviation, rollback_seconds, process_seconds, wait_seconds%s)
        values (:id, :finished_at, :environment, :service, :component, :model, :model_version, :state, :kind, :requested_at,
                :started_at, :executed, :model_in_force, :lead_seconds, :commit_seconds, :start_deviation,
                :rollback_seconds, :process_seconds, :wait_seconds%s)
        """.formatted(columns, values);
  }

  private static double seconds(Timestamp from, Instant to) {
    return Duration.between(from.toInstant(), to).toNanos() / 1e9;
  }

  private static double seconds(Instant from, Instant to) {
    return Duration.between(from, to).toNanos() / 1e9;
  }
}
