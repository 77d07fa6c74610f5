package io.gantry.metrics;

import io.gantry.deployment.Deployment;
import io.gantry.deployment.DeploymentEvent;
import io.gantry.deployment.DeploymentGate;
import io.gantry.deployment.DeploymentState;
import io.gantry.model.Stage;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Prometheus meters of the practice. Counts come from the records (read at most every
 * {@link #REFRESH}, so a scrape costs a few aggregate queries, and a restart loses nothing):
 * deployments by state ({@code gantry_deployments_ended_total} by outcome, {@code gantry_deployments_queued}
 * by state), deployments waiting now by kind of wait ({@code gantry_deployments_waiting}) and open
 * incidents. Durations are histograms fed as each deployment ends: lead time (request to end),
 * run time (start to end), and the waiting time of each kind and the process time of each activity.
 *
 * <p>It hears of each end as a {@link DeploymentGate} that never holds a deployment back.
 */
@Component
class DeploymentMeters implements MeterBinder, DeploymentGate {

  static final Duration REFRESH = Duration.ofSeconds(10);
  /**
   * The upper bounds of the histograms' buckets: a few that read well for deployments (a minute, five
   * and fifteen minutes, an hour, six hours, a day), not a percentile histogram's seventy per series.
   */
  static final Duration[] BUCKETS = {Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15),
      Duration.ofHours(1), Duration.ofHours(6), Duration.ofDays(1)};
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(DeploymentMeters.class);
  /** One thread that feeds the histograms of ended deployments, in the order they ended. */
  private static final java.util.concurrent.Executor AFTER_COMMIT =
      java.util.concurrent.Executors.newSingleThreadExecutor(Thread.ofPlatform().name("gantry-meters").daemon()
          .factory());
  private static final DeploymentState[] ENDED = {DeploymentState.SUCCEEDED, DeploymentState.FAILED,
      DeploymentState.ROLLED_BACK, DeploymentState.CANCELLED};

  private final JdbcClient jdbc;
  private final ValueStreams valueStreams;
  private final Clock clock;
  private volatile MeterRegistry registry;
  private volatile Snapshot snapshot;

  DeploymentMeters(JdbcClient jdbc, ValueStreams valueStreams, Clock clock) {
    this.jdbc = jdbc;
    this.valueStreams = valueStreams;
    this.clock = clock;
  }

  /** What the records said at {@code at}. */
  record Snapshot(Instant at, Map<DeploymentState, Long> byState, Map<DeploymentEvent.WaitKind, Long> waiting,
      long openIncidents) {}

  @Override
  public void bindTo(MeterRegistry registry) {
    this.registry = registry;
    for (DeploymentState state : ENDED) {
      FunctionCounter.builder("gantry.deployments.ended", this, m -> m.current().byState().getOrDefault(state, 0L))
          .description("Deployments that ended, by outcome (from the records)")
          .tag("outcome", state.name().toLowerCase(Locale.ROOT)).register(registry);
    }
    for (DeploymentState state : DeploymentState.values()) {
      if (!state.isFinal()) {
        Gauge.builder("gantry.deployments.queued", this, m -> m.current().byState().getOrDefault(state, 0L))
            .description("Unfinished deployments by state: the deployment queue")
            .tag("state", state.name().toLowerCase(Locale.ROOT)).register(registry);
      }
    }
    for (DeploymentEvent.WaitKind kind : DeploymentEvent.WaitKind.values()) {
      Gauge.builder("gantry.deployments.waiting", this, m -> m.current().waiting().getOrDefault(kind, 0L))
          .description("Unfinished deployments waiting now, by what they wait for")
          .tag("kind", kind.id()).register(registry);
    }
    Gauge.builder("gantry.incidents.open", this, m -> m.current().openIncidents())
        .description("Incidents not yet resolved").register(registry);
  }

  /** The records' counts, read again when older than {@link #REFRESH}. */
  Snapshot current() {
    Snapshot s = snapshot;
    Instant now = clock.instant();
    if (s == null || !s.at().plus(REFRESH).isAfter(now)) {
      s = read(now);
      snapshot = s;
    }
    return s;
  }

  Snapshot read(Instant now) {
    Map<DeploymentState, Long> byState = new EnumMap<>(DeploymentState.class);
    jdbc.sql("select state, count(*) as n from deployments group by state")
        .query(rs -> {
          byState.put(DeploymentState.valueOf(rs.getString("state")), rs.getLong("n"));
        });
    Map<DeploymentEvent.WaitKind, Long> waiting = new HashMap<>();
    jdbc.sql("""
        select x.waiting_for, count(*) as n from deployment_events x
         where x.kind = 'WAIT' and x.id in (
               select max(y.id) from deployment_events y join deployments d on d.id = y.deployment_id
                where d.state not in ('SUCCEEDED', 'FAILED', 'ROLLED_BACK', 'CANCELLED')
                  and y.kind in ('TRANSITION', 'WAIT', 'STEP')
                group by y.deployment_id)
         group by x.waiting_for
        """).query(rs -> {
          String kind = rs.getString("waiting_for");
          if (kind != null) {
            waiting.put(DeploymentEvent.WaitKind.valueOf(kind), rs.getLong("n"));
          }
        });
    long open = jdbc.sql("select count(*) from incidents where resolved_at is null").query(Long.class).single();
    return new Snapshot(now, byState, waiting, open);
  }

  @Override
  public Verdict check(Deployment deployment, Stage stage, Instant now) {
    return Verdict.PASS;
  }

  @Override
  public void finished(Deployment d, Instant now) {
    MeterRegistry r = registry;
    if (r == null || d.finishedAt() == null) {
      return;
    }
    // Recorded off the engine's thread (the waits and activities need the whole record), and only
    // once the end is committed when this is called inside the transaction that ends the deployment.
    Runnable record = () -> record(r, d);
    if (TransactionSynchronizationManager.isSynchronizationActive()) {
      TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
        @Override
        public void afterCommit() {
          AFTER_COMMIT.execute(record);
        }
      });
    } else {
      AFTER_COMMIT.execute(record);
    }
  }

  private void record(MeterRegistry r, Deployment d) {
    String outcome = d.state().name().toLowerCase(Locale.ROOT);
    Timer.builder("gantry.deployment.lead.time").description("Request to end of each deployment")
        .tags("outcome", outcome, "environment", d.environment()).serviceLevelObjectives(BUCKETS).register(r)
        .record(Duration.between(d.requestedAt(), d.finishedAt()));
    if (d.startedAt() != null) {
      Timer.builder("gantry.deployment.run.time").description("Start (planning) to end of each deployment")
          .tags("outcome", outcome, "environment", d.environment()).serviceLevelObjectives(BUCKETS).register(r)
          .record(Duration.between(d.startedAt(), d.finishedAt()));
    }
    ValueStreamMap.Timeline timeline;
    try {
      timeline = valueStreams.timeline(d.id());
    } catch (RuntimeException e) {
      log.warn("Could not read the record of deployment {} for its wait and activity histograms: {}", d.id(),
          e.toString());
      return;
    }
    for (ValueStreamMap.WaitRow wait : timeline.waits()) {
      Timer.builder("gantry.deployment.wait").description("Waiting time of each deployment, by what it waited for")
          .tags("kind", wait.kind(), "environment", d.environment()).serviceLevelObjectives(BUCKETS).register(r)
          .record(Duration.ofNanos((long) (wait.seconds() * 1e9)));
    }
    for (ValueStreamMap.ActivityRow activity : timeline.activities()) {
      Timer.builder("gantry.deployment.activity.process").description("Process time of each lifecycle activity")
          .tags("activity", activity.activity(), "environment", d.environment()).serviceLevelObjectives(BUCKETS)
          .register(r).record(Duration.ofNanos((long) (activity.processSeconds() * 1e9)));
    }
  }
}
