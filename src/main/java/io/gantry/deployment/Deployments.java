package io.gantry.deployment;

import io.gantry.identity.Scope;

import io.gantry.catalog.ComponentRef;
import io.gantry.catalog.Digest;
import io.gantry.shared.ConflictException;
import io.gantry.shared.Masking;
import io.gantry.shared.NotFoundException;
import io.gantry.shared.Page;
import io.gantry.shared.PageRequest;
import io.gantry.shared.StaleUpdateException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.stereotype.Repository;

/**
 * Deployments with their target runs, step runs and append-only record. Every state change goes
 * through {@link #transition}, which writes the record entry first and then moves the state, guarded
 * by the transition table and the row version.
 */
@Repository
public class Deployments {

  private final JdbcClient jdbc;
  private final AnalysisRecords analyses;
  private final ApplicationEventPublisher events;

  /** Deployments whose changes are told to no one. */
  public Deployments(JdbcClient jdbc) {
    this(jdbc, event -> {});
  }

  /**
   * Deployments that publish {@link DeploymentRequested}, {@link DeploymentTransitioned}, {@link StepRunStarted},
   * {@link StepRunFinished} and {@link DeploymentWaiting} inside the transaction that writes what they report.
   */
  @org.springframework.beans.factory.annotation.Autowired
  public Deployments(JdbcClient jdbc, ApplicationEventPublisher events) {
    this.jdbc = jdbc;
    this.analyses = new AnalysisRecords(jdbc);
    this.events = events;
  }

  /** What a new deployment is. */
  public record NewDeployment(ComponentRef component, String version, String environment, String model,
      int modelVersion, String stage, String requestedBy, String reason, Deployment.Kind kind, Instant plannedStart,
      Instant plannedEnd, int priority) {

    /** A deployment to run as soon as it may, at the usual priority. */
    public NewDeployment(ComponentRef component, String version, String environment, String model, int modelVersion,
        String stage, String requestedBy, String reason) {
      this(component, version, environment, model, modelVersion, stage, requestedBy, reason, Deployment.Kind.DEPLOY,
          null, null, 0);
    }
  }

  public Deployment create(NewDeployment d, Instant now) {
    var keys = new GeneratedKeyHolder();
    jdbc.sql("""
        insert into deployments (service, component, version, environment, model, model_version, stage, state,
                                 requested_by, requested_at, reason, kind, planned_start, planned_end, priority,
                                 row_version)
        values (:service, :component, :version, :environment, :model, :modelVersion, :stage, 'REQUESTED',
                :by, :now, :reason, :kind, :plannedStart, :plannedEnd, :priority, 0)
        """)
        .param("service", d.component().service()).param("component", d.component().component())
        .param("version", d.version()).param("environment", d.environment()).param("model", d.model())
        .param("modelVersion", d.modelVersion()).param("stage", d.stage()).param("by", d.requestedBy())
        .param("now", Timestamp.from(now)).param("reason", d.reason())
        .param("kind", (d.kind() == null ? Deployment.Kind.DEPLOY : d.kind()).name())
        .param("plannedStart", d.plannedStart() == null ? null : Timestamp.from(d.plannedStart()))
        .param("plannedEnd", d.plannedEnd() == null ? null : Timestamp.from(d.plannedEnd()))
        .param("priority", d.priority()).update(keys, "id");
    long id = keys.getKeyAs(Number.class).longValue();
    insertEvent(id, now, DeploymentEvent.Kind.TRANSITION, null, DeploymentState.REQUESTED, null, null,
        d.requestedBy(), d.reason());
    Instant due = d.plannedStart() != null && d.plannedStart().isAfter(now) ? d.plannedStart() : now;
    jdbc.sql("insert into work_items (deployment_id, due_at, attempts) values (:id, :due, 0)")
        .param("id", id).param("due", Timestamp.from(due)).update();
    Deployment created = get(id);
    events.publishEvent(new DeploymentRequested(created));
    return created;
  }

  public Deployment get(long id) {
    return find(id).orElseThrow(() -> new NotFoundException("deployment", String.valueOf(id)));
  }

  public Optional<Deployment> find(long id) {
    return jdbc.sql("select * from deployments where id = :id").param("id", id).query(Deployments::map).optional();
  }

  /** Filters for listing; null means any. */
  /** {@code within}: only deployments inside one of these scopes; null for all. */
  public record Filter(String environment, String service, String component, DeploymentState state,
      List<Scope> within) {

    public Filter(String environment, String service, String component, DeploymentState state) {
      this(environment, service, component, state, null);
    }
  }

  public Page<Deployment> page(Filter filter, PageRequest request) {
    StringBuilder where = new StringBuilder(" where 1 = 1");
    Map<String, Object> params = new HashMap<>();
    if (filter.environment() != null) {
      where.append(" and environment = :environment");
      params.put("environment", filter.environment());
    }
    if (filter.service() != null) {
      where.append(" and service = :service");
      params.put("service", filter.service());
    }
    if (filter.component() != null) {
      where.append(" and component = :component");
      params.put("component", filter.component());
    }
    if (filter.state() != null) {
      where.append(" and state = :state");
      params.put("state", filter.state().name());
    }
    if (filter.within() != null) {
      where.append(" and ").append(WithinScopes.condition(filter.within(), "", params));
    }
    long total = jdbc.sql("select count(*) from deployments" + where).params(params).query(Long.class).single();
    List<Deployment> items = jdbc.sql("select * from deployments" + where + " order by id desc limit :limit offset :offset")
        .params(params).param("limit", request.size()).param("offset", request.offset()).query(Deployments::map).list();
    return new Page<>(items, request.page(), request.size(), total);
  }

  /**
   * Deployments (kind deploy) that succeeded after {@code since}, in the order they ended: what those
   * who act on a success (triggers) look at.
   */
  public List<Deployment> succeededSince(Instant since) {
    return jdbc.sql("""
        select * from deployments where state = 'SUCCEEDED' and kind = 'DEPLOY' and finished_at > :since
         order by finished_at, id
        """).param("since", Timestamp.from(since)).query(Deployments::map).list();
  }

  /** Unfinished deployments touching the same environment and component, oldest first. */
  public List<Deployment> unfinished(String environment, ComponentRef component) {
    return jdbc.sql("""
        select * from deployments where environment = :environment and service = :service
           and component = :component and state not in ('SUCCEEDED', 'FAILED', 'ROLLED_BACK', 'CANCELLED')
         order by id
        """).param("environment", environment).param("service", component.service())
        .param("component", component.component()).query(Deployments::map).list();
  }

  /**
   * The deployment backlog of one environment and component, in the order the lock lets them run:
   * those already started first, then those waiting to start by priority (higher first) and then
   * first come, first served. Deployments planned for a later time than {@code now} are left out:
   * they do not hold up the queue until their time comes.
   */
  public List<Deployment> queue(String environment, ComponentRef component, Instant now) {
    return unfinished(environment, component).stream()
        .filter(d -> d.state() != DeploymentState.REQUESTED || d.plannedStart() == null
            || !d.plannedStart().isAfter(now))
        .sorted(QUEUE_ORDER).toList();
  }

  /**
   * Locks the queue of one environment and component, and its unfinished deployments, until the transaction ends,
   * so that whoever plans one of them, or requests one into it, sees the queue as it is: the queue's own row
   * (made the first time it is looked at) holds off everyone else who looks at the same queue, also while it is
   * empty, when there is no deployment's row to lock.
   */
  public void lockQueue(String environment, ComponentRef component) {
    jdbc.sql("""
        insert into deployment_queues (environment, service, component) values (:environment, :service, :component)
            on conflict do nothing
        """).param("environment", environment).param("service", component.service())
        .param("component", component.component()).update();
    jdbc.sql("""
        select environment from deployment_queues where environment = :environment and service = :service
           and component = :component for update
        """).param("environment", environment).param("service", component.service())
        .param("component", component.component()).query(String.class).list();
    jdbc.sql("""
        select id from deployments where environment = :environment and service = :service
           and component = :component and state not in ('SUCCEEDED', 'FAILED', 'ROLLED_BACK', 'CANCELLED')
           for update
        """).param("environment", environment).param("service", component.service())
        .param("component", component.component()).query(Long.class).list();
  }

  /** Started ones first, then higher priority, then older. */
  public static final java.util.Comparator<Deployment> QUEUE_ORDER = java.util.Comparator
      .comparing((Deployment d) -> d.state() == DeploymentState.REQUESTED)
      .thenComparing(Deployment::priority, java.util.Comparator.reverseOrder())
      .thenComparing(Deployment::id);

  /**
   * The version each target of an environment runs for a component: the last one it received
   * successfully, unless a later successful undeploy removed it.
   */
  public Map<String, String> currentVersions(String environment, ComponentRef component) {
    Map<String, String> out = new HashMap<>();
    jdbc.sql("""
        select r.target, d.version, d.kind from target_runs r join deployments d on d.id = r.deployment_id
         where d.environment = :environment and d.service = :service and d.component = :component
           and r.state = 'SUCCEEDED' and d.state = 'SUCCEEDED'
         order by d.id
        """).param("environment", environment).param("service", component.service())
        .param("component", component.component())
        .query((rs, n) -> "UNDEPLOY".equals(rs.getString("kind")) ? out.remove(rs.getString("target"))
            : out.put(rs.getString("target"), rs.getString("version"))).list();
    return out;
  }

  /** What runs where: for every environment and component, the version on each target (see {@link #currentVersions}). */
  public List<Placement> placements() {
    Map<String, Placement> latest = new java.util.LinkedHashMap<>();
    // a successful external deployment (no targets) stands for the whole environment: it replaces what
    // Gantry's own deployments put on the targets before it, and a later one of Gantry's replaces it
    jdbc.sql("""
        select d.environment, d.service, d.component, r.target, d.version, d.kind, d.id, d.finished_at
          from target_runs r join deployments d on d.id = r.deployment_id
         where r.state = 'SUCCEEDED' and d.state = 'SUCCEEDED'
        union all
        select d.environment, d.service, d.component, null, d.version, d.kind, d.id, d.finished_at
          from deployments d where d.kind = 'EXTERNAL' and d.state = 'SUCCEEDED'
         order by 7
        """).query((rs, n) -> {
          String place = rs.getString("environment") + "|" + rs.getString("service") + "/"
              + rs.getString("component") + "|";
          String target = rs.getString("target");
          Placement placement = new Placement(rs.getString("environment"), new ComponentRef(rs.getString("service"),
              rs.getString("component")), target, rs.getString("version"), rs.getLong("id"),
              rs.getTimestamp("finished_at").toInstant());
          if ("EXTERNAL".equals(rs.getString("kind"))) {
            latest.keySet().removeIf(k -> k.startsWith(place));
            latest.put(place, placement);
            return null;
          }
          latest.remove(place);
          if ("UNDEPLOY".equals(rs.getString("kind"))) {
            latest.remove(place + target);
          } else {
            latest.put(place + target, placement);
          }
          return null;
        }).list();
    return latest.values().stream().sorted(java.util.Comparator.comparing(Placement::environment)
        .thenComparing(p -> p.component().toString())
        .thenComparing(Placement::target, java.util.Comparator.nullsFirst(java.util.Comparator.naturalOrder())))
        .toList();
  }

  /** Records a file attached to a manual step. */
  public Evidence addEvidence(long deployment, String target, String step, String fileName, Digest digest, long size,
      String actor, Instant now) {
    var keys = new GeneratedKeyHolder();
    jdbc.sql("""
        insert into evidence (deployment_id, target, step, file_name, digest, size, uploaded_by, at)
        values (:d, :target, :step, :name, :digest, :size, :by, :at)
        """).param("d", deployment).param("target", target).param("step", step).param("name", fileName)
        .param("digest", digest.value()).param("size", size).param("by", actor).param("at", Timestamp.from(now))
        .update(keys, "id");
    long id = keys.getKeyAs(Number.class).longValue();
    return evidence(deployment).stream().filter(e -> e.id() == id).findFirst().orElseThrow();
  }

  /** The files attached to a deployment's manual steps, oldest first. */
  public List<Evidence> evidence(long deployment) {
    return jdbc.sql("select * from evidence where deployment_id = :d order by id").param("d", deployment)
        .query((rs, n) -> new Evidence(rs.getLong("id"), rs.getLong("deployment_id"), rs.getString("target"),
            rs.getString("step"), rs.getString("file_name"), Digest.parse(rs.getString("digest")), rs.getLong("size"),
            rs.getString("uploaded_by"), rs.getTimestamp("at").toInstant())).list();
  }

  /** One component version on one target, put there by a deployment. */
  /** {@code target} is null for a version an external deployment put in the environment (no targets known). */
  public record Placement(String environment, ComponentRef component, String target, String version,
      long deployment, Instant since) {}

  /** Deployments that worked on a target, newest first. */
  public List<Deployment> onTarget(String target, int limit) {
    return jdbc.sql("""
        select d.* from deployments d where exists (select 1 from target_runs r where r.deployment_id = d.id
           and r.target = :target) order by d.id desc limit :limit
        """).param("target", target).param("limit", limit).query(Deployments::map).list();
  }

  /**
   * Moves a deployment to another state: refused unless the transition table allows it; the record
   * entry is written first, in the same transaction.
   */
  public Deployment transition(Deployment d, DeploymentState to, String actor, String message, Instant now) {
    if (!d.state().canBecome(to)) {
      throw new IllegalStateException("deployment " + d.id() + " cannot go from " + d.state() + " to " + to);
    }
    fence(d.id());
    insertEvent(d.id(), now, DeploymentEvent.Kind.TRANSITION, d.state(), to, null, null, actor, message);
    Instant at = stored(now);
    Instant started = d.startedAt() != null || to == DeploymentState.CANCELLED ? d.startedAt() : at;
    Instant finished = to.isFinal() ? at : null;
    String outcome = to.isFinal() ? truncate(message) : d.outcome();
    int rows = jdbc.sql("""
        update deployments set state = :to, row_version = row_version + 1, started_at = :started,
               finished_at = :finished, outcome = :outcome
         where id = :id and row_version = :expected
        """)
        .param("to", to.name()).param("started", started == null ? null : Timestamp.from(started))
        .param("finished", finished == null ? null : Timestamp.from(finished)).param("outcome", Masking.mask(outcome))
        .param("id", d.id()).param("expected", d.rowVersion()).update();
    if (rows == 0) {
      throw new StaleUpdateException("deployment", String.valueOf(d.id()), d.rowVersion());
    }
    // the row as it now reads, without reading it again
    Deployment after = new Deployment(d.id(), d.component(), d.version(), d.environment(), d.model(),
        d.modelVersion(), d.stage(), to, d.requestedBy(), d.requestedAt(), d.reason(), started, finished, outcome,
        d.kind(), d.plannedStart(), d.plannedEnd(), d.priority(), d.rowVersion() + 1);
    events.publishEvent(new DeploymentTransitioned(d, after, actor, message, now));
    return after;
  }

  /** An instant as a timestamp column keeps it (to the microsecond), so that a row built here reads as stored. */
  private static Instant stored(Instant t) {
    return t.truncatedTo(java.time.temporal.ChronoUnit.MICROS);
  }

  /** Adds an entry to the record (a wait, a log line, a target or step event, an interruption). */
  public void record(long deployment, DeploymentEvent.Kind kind, String target, String step, String actor,
      String message, Instant now) {
    fence(deployment);
    insertEvent(deployment, now, kind, null, null, target, step, actor, message);
  }

  /**
   * The record of a deployment another tool did: executing from its start, and its outcome at its end,
   * as that tool reported them.
   */
  void recordExternalRecord(long deployment, Instant started, Instant finished, DeploymentState outcome,
      String actor, String message) {
    insertEvent(deployment, started, DeploymentEvent.Kind.TRANSITION, null, DeploymentState.EXECUTING, null, null,
        actor, message);
    insertEvent(deployment, finished, DeploymentEvent.Kind.TRANSITION, DeploymentState.EXECUTING, outcome, null,
        null, actor, message);
  }

  /** Records that the deployment waits, for what and for what kind of thing. */
  public void recordWait(long deployment, DeploymentEvent.WaitKind waitingFor, String message, Instant now) {
    fence(deployment);
    insertEvent(deployment, now, DeploymentEvent.Kind.WAIT, null, null, null, null, "gantry", message, waitingFor);
    events.publishEvent(new DeploymentWaiting(deployment, waitingFor, message, now));
  }

  public List<DeploymentEvent> events(long deployment, long afterId) {
    return jdbc.sql("select * from deployment_events where deployment_id = :id and id > :after order by id")
        .param("id", deployment).param("after", afterId).query(Deployments::mapEvent).list();
  }

  // --- target runs

  public void addTargetRun(long deployment, String target, int batch, String previousVersion) {
    fence(deployment);
    jdbc.sql("""
        insert into target_runs (deployment_id, target, batch, state, previous_version, row_version)
        values (:d, :t, :b, 'PENDING', :p, 0)
        """).param("d", deployment).param("t", target).param("b", batch).param("p", previousVersion).update();
  }

  public List<TargetRun> targetRuns(long deployment) {
    return jdbc.sql("select * from target_runs where deployment_id = :d order by batch, target")
        .param("d", deployment).query(Deployments::mapRun).list();
  }

  public TargetRun transition(TargetRun run, TargetRunState to, String message, Instant now) {
    if (!run.state().canBecome(to)) {
      throw new IllegalStateException("target " + run.target() + " cannot go from " + run.state() + " to " + to);
    }
    fence(run.deployment());
    insertEvent(run.deployment(), now, DeploymentEvent.Kind.TARGET, null, null, run.target(), null, "gantry",
        to.name().toLowerCase() + (message == null || message.isBlank() ? "" : ": " + message));
    boolean ended = to == TargetRunState.SUCCEEDED || to == TargetRunState.FAILED || to == TargetRunState.ROLLED_BACK
        || to == TargetRunState.SKIPPED;
    Instant started = run.startedAt() == null ? stored(now) : run.startedAt();
    Instant finished = ended ? stored(now) : null;
    String outcome = truncate(message);
    int rows = jdbc.sql("""
        update target_runs set state = :to, row_version = row_version + 1, started_at = :started,
               finished_at = :finished, outcome = :message
         where id = :id and row_version = :expected
        """).param("to", to.name())
        .param("started", Timestamp.from(started))
        .param("finished", finished == null ? null : Timestamp.from(finished)).param("message", Masking.mask(outcome))
        .param("id", run.id()).param("expected", run.rowVersion()).update();
    if (rows == 0) {
      throw new StaleUpdateException("target run", run.target(), run.rowVersion());
    }
    return new TargetRun(run.id(), run.deployment(), run.target(), run.batch(), to, run.previousVersion(), started,
        finished, outcome, run.rowVersion() + 1);
  }

  // --- step runs

  /** Records that a step starts (RUNNING), before it is acted on. */
  public StepRun startStep(TargetRun run, String phase, int index, String name, String type, boolean idempotent,
      int attempt, Instant now) {
    fence(run.deployment());
    insertEvent(run.deployment(), now, DeploymentEvent.Kind.STEP, null, null, run.target(), name, "gantry",
        phase + " step " + name + " (" + type + ") started" + (attempt > 1 ? ", attempt " + attempt : ""));
    var keys = new GeneratedKeyHolder();
    jdbc.sql("""
        insert into step_runs (target_run_id, phase, step_index, step_name, step_type, idempotent, attempt, state,
                               started_at)
        values (:run, :phase, :index, :name, :type, :idempotent, :attempt, :state, :now)
        """).param("run", run.id()).param("phase", phase).param("index", index).param("name", name)
        .param("type", type).param("idempotent", idempotent).param("attempt", attempt)
        .param("state", StepRunState.RUNNING.name()).param("now", Timestamp.from(now)).update(keys, "id");
    StepRun started = new StepRun(keys.getKeyAs(Number.class).longValue(), run.id(), phase, index, name, type,
        idempotent, attempt, StepRunState.RUNNING, stored(now), null, null, null, null, null, null);
    events.publishEvent(new StepRunStarted(run.deployment(), run.target(), started, now));
    return started;
  }

  /**
   * Records that a step is not run on a target (its target does not carry the step's tags): a run
   * that starts and ends SKIPPED, with the reason.
   */
  public StepRun skipStep(TargetRun run, String phase, int index, String name, String type, boolean idempotent,
      String reason, Instant now) {
    fence(run.deployment());
    insertEvent(run.deployment(), now, DeploymentEvent.Kind.STEP, null, null, run.target(), name, "gantry",
        phase + " step " + name + " (" + type + ") skipped: " + reason);
    var keys = new GeneratedKeyHolder();
    jdbc.sql("""
        insert into step_runs (target_run_id, phase, step_index, step_name, step_type, idempotent, attempt, state,
                               started_at, finished_at, outcome)
        values (:run, :phase, :index, :name, :type, :idempotent, 1, :state, :now, :now, :outcome)
        """).param("run", run.id()).param("phase", phase).param("index", index).param("name", name)
        .param("type", type).param("idempotent", idempotent).param("state", StepRunState.SKIPPED.name())
        .param("now", Timestamp.from(now)).param("outcome", truncate(Masking.mask(reason))).update(keys, "id");
    return new StepRun(keys.getKeyAs(Number.class).longValue(), run.id(), phase, index, name, type, idempotent, 1,
        StepRunState.SKIPPED, stored(now), stored(now), null, reason, null, null, null);
  }

  /**
   * Ends a step's run, or makes it wait for people: refused unless the transition table allows it
   * from the state {@code step} was read in.
   */
  public void finishStep(StepRun step, TargetRun run, StepRunState to, String output, String outcome, Instant now) {
    finishStepWithOutput(step, run, to, output == null ? null
        : new StepOutput(output, null, output.getBytes(java.nio.charset.StandardCharsets.UTF_8).length, null),
        outcome, now);
  }

  /** Ends a step's run as {@link #finishStep} does, keeping what was captured of its output. */
  void finishStepWithOutput(StepRun step, TargetRun run, StepRunState to, StepOutput output, String outcome,
      Instant now) {
    if (!step.state().canBecome(to)) {
      throw new IllegalStateException("step " + step.name() + " on " + run.target() + " cannot go from "
          + step.state() + " to " + to);
    }
    fence(run.deployment());
    // only from the state it was read in: an engine that lost its lease while the step ran must not
    // overwrite what the engine that took over has recorded since (e.g. UNKNOWN)
    int changed = jdbc.sql("""
        update step_runs set state = :state, finished_at = :now, output = :output, outcome = :outcome,
               output_file = :file, output_size = :size, output_sha256 = :sha256
         where id = :id and state = :from
        """).param("state", to.name()).param("now", Timestamp.from(now))
        .param("output", output == null ? null : output.tail()).param("outcome", Masking.mask(outcome))
        .param("file", output == null ? null : output.file())
        .param("size", output == null ? null : output.size())
        .param("sha256", output == null ? null : output.sha256()).param("id", step.id())
        .param("from", step.state().name()).update();
    if (changed == 0) {
      throw new ConflictException("step " + step.name() + " on " + run.target() + " is no longer " + step.state()
          + ": another engine has recorded it since");
    }
    insertEvent(run.deployment(), now, DeploymentEvent.Kind.STEP, null, null, run.target(), step.name(), "gantry",
        "step " + step.name() + " " + to.name().toLowerCase() + (outcome == null ? "" : ": " + outcome));
    if (to.isFinal()) {
      events.publishEvent(new StepRunFinished(run.deployment(), run.target(), step, to, outcome, now));
    }
  }

  public List<StepRun> stepRuns(TargetRun run) {
    return jdbc.sql("select * from step_runs where target_run_id = :run order by id").param("run", run.id())
        .query(Deployments::mapStep).list();
  }

  /** Every step run of a deployment, on all its targets, in the order they started. */
  public List<StepRun> stepRuns(long deployment) {
    return jdbc.sql("""
        select s.* from step_runs s join target_runs t on t.id = s.target_run_id
         where t.deployment_id = :deployment order by s.id
        """).param("deployment", deployment).query(Deployments::mapStep).list();
  }

  /**
   * The deployments that ended FAILED or ROLLED_BACK in {@code [from, to)}, oldest end first, each with the first
   * step run that failed in it; {@code within}: only those inside one of these scopes, null for all.
   */
  public List<FailedDeployment> failedBetween(Instant from, Instant to, List<Scope> within) {
    Map<String, Object> params = new HashMap<>();
    params.put("from", Timestamp.from(from));
    params.put("to", Timestamp.from(to));
    String scoped = within == null ? "" : " and " + WithinScopes.condition(within, "", params);
    List<Deployment> ended = jdbc.sql("""
        select * from deployments where state in ('FAILED', 'ROLLED_BACK')
           and finished_at >= :from and finished_at < :to""" + scoped + " order by finished_at, id")
        .params(params).query(Deployments::map).list();
    Map<Long, FailedDeployment> firstFailed = new HashMap<>();
    jdbc.sql("""
        select t.deployment_id, t.target, s.phase, s.step_name, s.output, s.outcome
          from step_runs s join target_runs t on t.id = s.target_run_id join deployments d on d.id = t.deployment_id
         where s.state = 'FAILED' and d.state in ('FAILED', 'ROLLED_BACK')
           and d.finished_at >= :from and d.finished_at < :to
         order by s.id
        """).param("from", Timestamp.from(from)).param("to", Timestamp.from(to)).query(rs -> {
          firstFailed.putIfAbsent(rs.getLong("deployment_id"), new FailedDeployment(null, rs.getString("target"),
              rs.getString("phase"), rs.getString("step_name"), rs.getString("output"), rs.getString("outcome")));
        });
    return ended.stream().map(d -> {
      FailedDeployment step = firstFailed.get(d.id());
      return step == null ? new FailedDeployment(d, null, null, null, null, null)
          : new FailedDeployment(d, step.target(), step.phase(), step.step(), step.output(), step.outcome());
    }).toList();
  }

  // --- people's decisions

  public void addDecision(long deployment, String target, String step, Decision.Kind kind, String actor, String note,
      List<String> checklist, Instant now) {
    jdbc.sql("""
        insert into decisions (deployment_id, target, step, decision, actor, note, checklist, at)
        values (:d, :target, :step, :decision, :actor, :note, :checklist, :at)
        """).param("d", deployment).param("target", target).param("step", step).param("decision", kind.name())
        .param("actor", actor).param("note", truncate(note)).param("checklist", io.gantry.shared.Json.write(checklist))
        .param("at", Timestamp.from(now)).update();
    String verb = switch (kind) {
      case SIGNOFF -> "signed off";
      case APPROVE -> "approved";
      case REJECT -> "rejected";
      case RETRY -> "to be retried";
      case SKIP -> "to be skipped";
      case ABORT -> "aborted";
      case RESUME -> "ended early";
      case CONFIRM -> "confirmed";
    };
    if (kind == Decision.Kind.RESUME) {
      insertEvent(deployment, now, DeploymentEvent.Kind.LOG, null, null, null, null, actor,
          "the pause between batches " + verb + " by " + actor + ": " + note);
      return;
    }
    // a stage's criterion is decided for the whole deployment, not on a target
    String what = target.equals(Execution.ALL_TARGETS) ? "criterion " : "step ";
    insertEvent(deployment, now, DeploymentEvent.Kind.STEP, null, null, target, step, actor,
        what + step + " " + verb + " by " + actor + ": " + note);
  }

  public List<Decision> decisions(long deployment, String target, String step) {
    return jdbc.sql("select * from decisions where deployment_id = :d and target = :t and step = :s order by id")
        .param("d", deployment).param("t", target).param("s", step)
        .query((rs, n) -> new Decision(rs.getLong("id"), rs.getLong("deployment_id"), rs.getString("target"),
            rs.getString("step"), Decision.Kind.valueOf(rs.getString("decision")), rs.getString("actor"),
            rs.getString("note"), io.gantry.shared.Json.readStringList(rs.getString("checklist")),
            instant(rs, "at"), instant(rs, "applied_at"))).list();
  }

  /** Marks a decision acted on, so it is not acted on again. */
  public void applied(Decision decision, Instant now) {
    fence(decision.deployment());
    jdbc.sql("update decisions set applied_at = :now where id = :id").param("now", Timestamp.from(now))
        .param("id", decision.id()).update();
  }

  /** Asks the engine to look at a deployment again now (a person acted on it). */
  public void wake(long deployment, Instant now) {
    jdbc.sql("update work_items set due_at = :now, woken = true where deployment_id = :d")
        .param("now", Timestamp.from(now)).param("d", deployment).update();
  }

  /**
   * Wakes every deployment of an environment that waits to start (not those planned for later): one
   * that ended there may have been what they waited for (the queue, a component they require). One
   * that an engine holds right now is marked woken, so that its release asks to look again at once.
   */
  public void wakeWaiting(String environment, Instant now) {
    jdbc.sql("""
        update work_items set due_at = least(due_at, cast(:now as timestamp with time zone)), woken = true
         where (due_at > :now or owner is not null)
           and deployment_id in (select id from deployments where environment = :environment
           and state = 'REQUESTED' and (planned_start is null or planned_start <= :now))
        """).param("now", Timestamp.from(now)).param("environment", environment).update();
  }

  // --- aborts

  /** A person's request to abort an executing deployment. */
  public record AbortRequest(long deployment, String actor, String reason, Instant at, Instant appliedAt) {}

  /** Records an abort; false when one is already recorded for the deployment. */
  public boolean requestAbort(long deployment, String actor, String reason, Instant now) {
    return jdbc.sql("""
        insert into deployment_aborts (deployment_id, requested_by, reason, requested_at)
        select :d, :actor, :reason, :now from deployments where id = :d
           and not exists (select 1 from deployment_aborts where deployment_id = :d)
        """).param("d", deployment).param("actor", actor).param("reason", reason)
        .param("now", Timestamp.from(now)).update() == 1;
  }

  public Optional<AbortRequest> abortRequest(long deployment) {
    return jdbc.sql("select * from deployment_aborts where deployment_id = :d").param("d", deployment)
        .query((rs, row) -> new AbortRequest(rs.getLong("deployment_id"), rs.getString("requested_by"),
            rs.getString("reason"), instant(rs, "requested_at"), instant(rs, "applied_at"))).optional();
  }

  /** Marks the abort acted on: the failure policy has taken over. */
  public void abortApplied(long deployment, Instant now) {
    fence(deployment);
    jdbc.sql("update deployment_aborts set applied_at = :now where deployment_id = :d and applied_at is null")
        .param("now", Timestamp.from(now)).param("d", deployment).update();
  }

  // --- work items

  /**
   * A claimed work item. {@code previousOwner} is set when the last holder's lease ran out without a
   * release: that holder died (or stalled) while working on the deployment. {@code fence} is the claim's
   * fencing token: it grows with every claim of the deployment's work item, and every write made under
   * the claim checks it ({@link #fence}).
   */
  public record Claim(long deployment, String previousOwner, long fence) {}

  /**
   * Claims one work item due by {@code now} (the engine's clock, as due times are written) for {@code owner},
   * skipping rows others hold. Whether a lease ran out, and the new lease's end, are the database's clock's:
   * nodes whose clocks disagree still agree on who holds what.
   */
  public Optional<Claim> claim(String owner, Instant now, java.time.Duration lease) {
    Optional<Claim> claim = jdbc.sql("""
        select deployment_id, owner, fence from work_items
         where due_at <= :now and (lease_until is null or lease_until < current_timestamp)
         order by due_at, id limit 1 for update skip locked
        """).param("now", Timestamp.from(now))
        .query((rs, n) -> new Claim(rs.getLong("deployment_id"), rs.getString("owner"), rs.getLong("fence") + 1))
        .optional();
    claim.ifPresent(c -> jdbc.sql("""
        update work_items set owner = :owner,
               lease_until = current_timestamp + cast(:millis as bigint) * interval '0.001' second,
               attempts = attempts + 1, woken = false, fence = :fence
         where deployment_id = :d
        """).param("owner", owner).param("millis", lease.toMillis()).param("fence", c.fence())
        .param("d", c.deployment()).update());
    return claim;
  }

  /**
   * Keeps a claim alive for {@code lease} more, by the database's clock; false if the claim is no longer
   * this one (released, or claimed since by another owner).
   */
  public boolean extend(Claim claim, String owner, java.time.Duration lease) {
    return jdbc.sql(EXTEND).param("millis", lease.toMillis()).param("d", claim.deployment())
        .param("owner", owner).param("fence", claim.fence()).update() == 1;
  }

  /** How a claim is kept alive: by the engine's heartbeat on its own connection, and by {@link #extend}. */
  static final String EXTEND = """
      update work_items set lease_until = current_timestamp + cast(:millis as bigint) * interval '0.001' second
       where deployment_id = :d and owner = :owner and fence = :fence
      """;

  /**
   * Releases a claim and asks for the deployment to be advanced again at {@code due}; false (and nothing
   * changed) when the claim is no longer this one.
   */
  public boolean release(Claim claim, String owner, Instant due, Instant now) {
    return jdbc.sql("""
        update work_items set owner = null, lease_until = null, woken = false,
               due_at = case when woken then cast(:now as timestamp with time zone)
                             else cast(:due as timestamp with time zone) end
         where deployment_id = :d and owner = :owner and fence = :fence
        """).param("due", Timestamp.from(due)).param("now", Timestamp.from(now)).param("d", claim.deployment())
        .param("owner", owner).param("fence", claim.fence()).update() == 1;
  }

  /** Removes the work item of a deployment that ended (under the claim of the engine that ended it, if any). */
  public void complete(long deployment) {
    fence(deployment);
    jdbc.sql("delete from work_items where deployment_id = :d").param("d", deployment).update();
  }

  /**
   * Refuses a write for {@code deployment} made under a claim that is no longer the writer's: when the
   * thread works under a {@link Lease} for it, the work item must still carry that lease's owner and
   * fencing token, else {@link LeaseLost} is thrown (in the write's transaction, before anything is
   * written) and the lease is marked lost. On PostgreSQL the work item stays locked until the write's
   * commit, so that no claim falls between this check and the commit (on H2, one server's own database,
   * a step's start is looked at again after its commit: see StepsOnTarget). Writes made under no lease
   * (people's, the API's) are not fenced.
   */
  void fence(long deployment) {
    fence(jdbc, deployment);
  }

  /**
   * Whether a fenced write keeps the work item locked until its commit (PostgreSQL), so that no claim can fall
   * between its check and its commit; on H2 a write's check must be made again after its commit.
   */
  boolean fencesUntilCommit() {
    return postgres(jdbc);
  }

  /** As {@link #fence(long)}, on {@code jdbc}. */
  static void fence(JdbcClient jdbc, long deployment) {
    Lease lease = Lease.bound(deployment);
    if (lease == null) {
      return;
    }
    lease.check();
    record Holder(String owner, long fence) {}
    // on PostgreSQL the row stays locked until the write's commit: a claim (for update skip locked) skips it
    // meanwhile, so no claim falls between this look and the commit; a key-share lock, so that the updates that
    // wake a deployment or extend its lease go on beside it rather than wait (and never deadlock with it)
    Optional<Holder> now = jdbc.sql("select owner, fence from work_items where deployment_id = :d"
            + (postgres(jdbc) ? " for key share" : ""))
        .param("d", deployment).query((rs, n) -> new Holder(rs.getString("owner"), rs.getLong("fence"))).optional();
    if (now.isPresent() && lease.owner().equals(now.get().owner()) && now.get().fence() == lease.token()) {
      return;
    }
    lease.lose(now.isEmpty() ? "its work item is gone"
        : now.get().fence() != lease.token() ? "the deployment was claimed again since (claim " + now.get().fence()
            + (now.get().owner() == null ? ", since released" : ", by " + now.get().owner()) + ")"
        : now.get().owner() == null ? "the claim was released"
        : "the deployment is held by " + now.get().owner());
    throw new LeaseLost(deployment, lease.why());
  }

  /** Whether {@code jdbc} talks to PostgreSQL (else H2), asked once per client. */
  private static boolean postgres(JdbcClient jdbc) {
    synchronized (POSTGRES) {
      // H2's answer in its PostgreSQL mode starts alike: "PostgreSQL 8.2.23 server protocol using H2 2.4.240"
      return POSTGRES.computeIfAbsent(jdbc, j -> {
        String version = j.sql("select version()").query(String.class).single();
        return version.startsWith("PostgreSQL") && !version.contains(" H2 ");
      });
    }
  }

  private static final Map<JdbcClient, Boolean> POSTGRES = new java.util.WeakHashMap<>();

  /** How many claims a deployment's work item has had; more than one means it was interrupted. */
  public int attempts(long deployment) {
    return jdbc.sql("select attempts from work_items where deployment_id = :d").param("d", deployment)
        .query(Integer.class).optional().orElse(0);
  }

  private static String truncate(String message) {
    return message == null || message.length() <= 4000 ? message : message.substring(0, 3997) + "...";
  }

  private void insertEvent(long deployment, Instant at, DeploymentEvent.Kind kind, DeploymentState from,
      DeploymentState to, String target, String step, String actor, String message) {
    insertEvent(deployment, at, kind, from, to, target, step, actor, message, null);
  }

  private void insertEvent(long deployment, Instant at, DeploymentEvent.Kind kind, DeploymentState from,
      DeploymentState to, String target, String step, String actor, String message,
      DeploymentEvent.WaitKind waitingFor) {
    String text = message == null ? "" : truncate(Masking.mask(message));
    jdbc.sql("""
        insert into deployment_events (deployment_id, at, kind, from_state, to_state, target, step, actor, message,
                                       waiting_for)
        values (:d, :at, :kind, :from, :to, :target, :step, :actor, :message, :waitingFor)
        """).param("waitingFor", waitingFor == null ? null : waitingFor.name()).param("d", deployment).param("at", Timestamp.from(at)).param("kind", kind.name())
        .param("from", from == null ? null : from.name()).param("to", to == null ? null : to.name())
        .param("target", target).param("step", step).param("actor", actor).param("message", text).update();
  }

  static Deployment map(ResultSet rs, int row) throws SQLException {
    return new Deployment(rs.getLong("id"), new ComponentRef(rs.getString("service"), rs.getString("component")),
        rs.getString("version"), rs.getString("environment"), rs.getString("model"), rs.getInt("model_version"),
        rs.getString("stage"), DeploymentState.valueOf(rs.getString("state")), rs.getString("requested_by"),
        instant(rs, "requested_at"), rs.getString("reason"), instant(rs, "started_at"), instant(rs, "finished_at"),
        rs.getString("outcome"), Deployment.Kind.valueOf(rs.getString("kind")), instant(rs, "planned_start"),
        instant(rs, "planned_end"), rs.getInt("priority"), rs.getLong("row_version"));
  }

  static DeploymentEvent mapEvent(ResultSet rs, int row) throws SQLException {
    String from = rs.getString("from_state");
    String to = rs.getString("to_state");
    return new DeploymentEvent(rs.getLong("id"), rs.getLong("deployment_id"), instant(rs, "at"),
        DeploymentEvent.Kind.valueOf(rs.getString("kind")), from == null ? null : DeploymentState.valueOf(from),
        to == null ? null : DeploymentState.valueOf(to), rs.getString("target"), rs.getString("step"),
        rs.getString("actor"), rs.getString("message"),
        rs.getString("waiting_for") == null ? null : DeploymentEvent.WaitKind.valueOf(rs.getString("waiting_for")));
  }

  static TargetRun mapRun(ResultSet rs, int row) throws SQLException {
    return new TargetRun(rs.getLong("id"), rs.getLong("deployment_id"), rs.getString("target"), rs.getInt("batch"),
        TargetRunState.valueOf(rs.getString("state")), rs.getString("previous_version"), instant(rs, "started_at"),
        instant(rs, "finished_at"), rs.getString("outcome"), rs.getLong("row_version"));
  }

  static StepRun mapStep(ResultSet rs, int row) throws SQLException {
    return new StepRun(rs.getLong("id"), rs.getLong("target_run_id"), rs.getString("phase"), rs.getInt("step_index"),
        rs.getString("step_name"), rs.getString("step_type"), rs.getBoolean("idempotent"), rs.getInt("attempt"),
        StepRunState.valueOf(rs.getString("state")), instant(rs, "started_at"), instant(rs, "finished_at"),
        rs.getString("output"), rs.getString("outcome"), rs.getString("output_file"),
        rs.getObject("output_size") == null ? null : rs.getLong("output_size"), rs.getString("output_sha256"));
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    Timestamp t = rs.getTimestamp(column);
    return t == null ? null : t.toInstant();
  }

  /**
   * The components whose steps ever changed files on a target (install, remove, template or shell,
   * run or started there): who owns what an earlier Gantry left at the top of its folder.
   */
  List<ComponentRef> componentsChangingFilesOn(String target) {
    return jdbc.sql("""
        select distinct d.service, d.component from step_runs s join target_runs r on r.id = s.target_run_id
          join deployments d on d.id = r.deployment_id
         where r.target = :target and s.state <> 'SKIPPED'
           and s.step_type in ('artifact.install', 'artifact.remove', 'template', 'shell')
         order by d.service, d.component
        """).param("target", target)
        .query((rs, n) -> new ComponentRef(rs.getString("service"), rs.getString("component"))).list();
  }

  /** For the engine's own tables kept beside the deployments' (the targets' locks). */
  JdbcClient jdbc() {
    return jdbc;
  }

  /** Whether this version of the component was deployed (not removed) successfully in the environment, ever. */
  public boolean succeeded(String environment, ComponentRef component, String version) {
    return jdbc.sql("""
        select count(*) from deployments where environment = :environment and service = :service
           and component = :component and version = :version and kind = 'DEPLOY' and state = 'SUCCEEDED'
        """).param("environment", environment).param("service", component.service())
        .param("component", component.component()).param("version", version).query(Long.class).single() > 0;
  }

  /** The record of the deployments' analyses (canary, idle slots, verification), kept beside them. */
  /** Every round of every analysis of the deployment, in the order they ran. */
  public List<AnalysisRound> analysisRounds(long deployment) {
    AnalysisRecords records = analyses();
    List<AnalysisRound> all = new java.util.ArrayList<>();
    for (AnalysisRecords.Analysis a : records.analyses(deployment)) {
      String target = AnalysisRecords.targetOf(a.scope());
      List<AnalysisRecords.Measurement> measured = records.measurements(deployment, a.scope());
      for (AnalysisRecords.Round r : records.rounds(deployment, a.scope())) {
        all.add(new AnalysisRound(target == null ? a.scope() : "switch", target, r.round(), r.startedAt(), r.passed(),
            r.total(), measured.stream().filter(m -> m.round() == r.round()).map(m -> new AnalysisRound.Measured(
                m.metric(), m.verdict(), m.answer(), m.countedPassed())).toList(), a.passed()));
      }
    }
    all.sort(java.util.Comparator.comparing(AnalysisRound::at));
    return all;
  }

  AnalysisRecords analyses() {
    return analyses;
  }
}
