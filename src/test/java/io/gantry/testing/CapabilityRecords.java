package io.gantry.testing;

import java.sql.Timestamp;
import java.time.Instant;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.GeneratedKeyHolder;

/**
 * Hand-built records for the capability criteria's evidence: deployments ended at a time with their measurement
 * facts, their target and step runs, people's decisions, incidents and change links, written straight into a test
 * database so that every share a test expects can be worked out by hand.
 */
public final class CapabilityRecords {

  private final JdbcClient jdbc;

  public CapabilityRecords(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /** {@code "2026-03-02 10:15"} (UTC). */
  public static Instant at(String time) {
    return Instant.parse(time.replace(' ', 'T') + ":00Z");
  }

  private static Timestamp ts(String time) {
    return Timestamp.from(at(time));
  }

  /**
   * A deployment of shop/web into production that ended in {@code state} at {@code finished}, with its history
   * entry for that state and, when {@code valueStream}, its measured process time.
   */
  public long ended(String state, String finished, boolean valueStream) {
    return ended(state, "DEPLOY", finished, valueStream);
  }

  public long ended(String state, String kind, String finished, boolean valueStream) {
    return ended(state, kind, finished, valueStream, true);
  }

  /** A deployment that ended without the history entry of how it ended: its record is incomplete. */
  public long endedWithoutHistory(String state, String finished) {
    return ended(state, "DEPLOY", finished, true, false);
  }

  private long ended(String state, String kind, String finished, boolean valueStream, boolean history) {
    var keys = new GeneratedKeyHolder();
    Timestamp end = ts(finished);
    Timestamp start = Timestamp.from(at(finished).minusSeconds(600));
    jdbc.sql("""
        insert into deployments (service, component, version, environment, model, model_version, stage, state,
                                 requested_by, requested_at, reason, started_at, finished_at, kind)
        values ('shop', 'web', '1.0', 'production', 'std', 1, 'production', :state, 'alice', :start, 'test',
                :start, :end, :kind)
        """).param("state", state).param("start", start).param("end", end).param("kind", kind).update(keys, "id");
    long id = keys.getKeyAs(Number.class).longValue();
    if (history) {
      jdbc.sql("""
          insert into deployment_events (deployment_id, at, kind, from_state, to_state, actor, message)
          values (:id, :end, 'TRANSITION', 'EXECUTING', :state, 'engine', 'ended')
          """).param("id", id).param("end", end).param("state", state).update();
    }
    jdbc.sql("""
        insert into metrics_deployment_facts (deployment_id, finished_at, environment, service, component, model,
                                              model_version, state, requested_at, started_at, executed,
                                              model_in_force, lead_seconds, process_seconds, wait_seconds, kind)
        values (:id, :end, 'production', 'shop', 'web', 'std', 1, :state, :start, :start, true, true, 600,
                :process, :wait, :kind)
        """).param("id", id).param("end", end).param("state", state).param("start", start)
        .param("process", valueStream ? 500.0 : null).param("wait", valueStream ? 100.0 : null).param("kind", kind)
        .update();
    return id;
  }

  /** A target run of the deployment, finished or still open. */
  public long targetRun(long deployment, String target, boolean finished) {
    var keys = new GeneratedKeyHolder();
    jdbc.sql("""
        insert into target_runs (deployment_id, target, batch, state, started_at, finished_at)
        values (:d, :target, 0, :state, :at, :finished)
        """).param("d", deployment).param("target", target).param("state", finished ? "SUCCEEDED" : "RUNNING")
        .param("at", Timestamp.from(Instant.parse("2026-03-02T10:00:00Z")))
        .param("finished", finished ? Timestamp.from(Instant.parse("2026-03-02T10:05:00Z")) : null)
        .update(keys, "id");
    return keys.getKeyAs(Number.class).longValue();
  }

  /** A step run on a target run, started at {@code started}. */
  public void stepRun(long targetRun, String step, String type, String started) {
    jdbc.sql("""
        insert into step_runs (target_run_id, phase, step_index, step_name, step_type, idempotent, attempt, state,
                               started_at, finished_at)
        values (:t, 'DEPLOY', 0, :step, :type, true, 1, 'SUCCEEDED', :at, :at)
        """).param("t", targetRun).param("step", step).param("type", type).param("at", ts(started)).update();
  }

  /** A person's decision on a step of a deployment. */
  public void decision(long deployment, String target, String step, String kind) {
    jdbc.sql("""
        insert into decisions (deployment_id, target, step, decision, actor, note, checklist, at)
        values (:d, :target, :step, :kind, 'dana', 'ok', '[]', :at)
        """).param("d", deployment).param("target", target).param("step", step).param("kind", kind)
        .param("at", Timestamp.from(Instant.parse("2026-03-02T10:01:00Z"))).update();
  }

  /** An incident detected at {@code detected}, related to a deployment or not (null). */
  public void incident(String detected, Long deployment) {
    jdbc.sql("""
        insert into incidents (service, environment, severity, title, detected_at, deployment_id, linked_by,
                               reported_by, reported_at)
        values ('shop', 'production', 2, 'slow checkout', :at, :d, 'reporter', 'sam', :at)
        """).param("at", ts(detected)).param("d", deployment).update();
  }

  /** A change that let deployment {@code deployment} through. */
  public void change(long deployment) {
    var keys = new GeneratedKeyHolder();
    jdbc.sql("""
        insert into changes (title, type, risk, impact, planned_start, planned_end, implementation_plan, backout_plan,
                             test_plan, services, components, environments, requested_by, requested_at, state,
                             approval_rules, row_version)
        values ('release', 'NORMAL', 'LOW', 'LOW', :at, :at, 'p', 'b', 't', '["shop"]', '["shop/web"]',
                '["production"]', 'alice', :at, 'CLOSED', '[]', 0)
        """).param("at", Timestamp.from(Instant.parse("2026-03-01T00:00:00Z"))).update(keys, "id");
    jdbc.sql("insert into change_deployments (change_id, deployment_id, linked_at) values (:c, :d, :at)")
        .param("c", keys.getKeyAs(Number.class).longValue()).param("d", deployment)
        .param("at", Timestamp.from(Instant.parse("2026-03-01T00:00:00Z"))).update();
  }

  private static final Timestamp CREATED = Timestamp.from(Instant.parse("2026-01-01T00:00:00Z"));

  /** A model in use whose current (first) version stores {@code text} (description, labels and spec as YAML). */
  public void model(String name, String text) {
    jdbc.sql("""
        insert into deployment_models (name, current_version, retired, created_at, updated_at)
        values (:n, 1, false, :t, :t)
        """).param("n", name).param("t", CREATED).update();
    jdbc.sql("""
        insert into model_versions (model_id, number, spec, author, reason, created_at, diff)
        values ((select id from deployment_models where name = :n), 1, :spec, 'alice', 'test', :t, '')
        """).param("n", name).param("spec", text).param("t", CREATED).update();
  }

  /** An environment with one local target in it. */
  public void target(String environment, String target) {
    jdbc.sql("""
        insert into environments (name, purpose, controlled, owner, promotes_to, labels, created_at, updated_at)
        values (:n, 'PRODUCTION', true, 'ops', '[]', '{}', :t, :t)
        """).param("n", environment).param("t", CREATED).update();
    jdbc.sql("""
        insert into targets (name, environment_id, kind, settings, facts, tags, created_at, updated_at)
        values (:n, (select id from environments where name = :e), 'local', '{"path":"/srv/x"}', '{}', '[]', :t, :t)
        """).param("n", target).param("e", environment).param("t", CREATED).update();
  }

  /** A trusted key for checking signed artifacts. */
  public void trustedKey(String name) {
    jdbc.sql("""
        insert into trusted_keys (name, public_key, fingerprint, labels, created_at, updated_at)
        values (:n, 'key', 'ABCDEF0123456789', '{}', :t, :t)
        """).param("n", name).param("t", CREATED).update();
  }

  /** An inbound hook through which a registry delivers versions of shop/web. */
  public void inboundHook(String name) {
    jdbc.sql("""
        insert into inbound_hooks (name, provider, repository, service, component, labels, created_at, updated_at)
        values (:n, 'GITHUB', 'acme/shop', 'shop', 'web', '{}', :t, :t)
        """).param("n", name).param("t", CREATED).update();
  }

  /** An event subscription of another tool. */
  public void subscription(String name) {
    jdbc.sql("""
        insert into event_subscriptions (name, sink, address, mode, types, created_by, created_at)
        values (:n, 'http', 'https://ci.example.com/events', 'structured', '', 'dana', :t)
        """).param("n", name).param("t", CREATED).update();
  }
}
