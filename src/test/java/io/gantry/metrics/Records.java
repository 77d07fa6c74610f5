package io.gantry.metrics;

import io.gantry.deployment.DeploymentEvent;
import io.gantry.deployment.DeploymentState;
import io.gantry.testing.TestDatabase;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.GeneratedKeyHolder;

/**
 * Writes small record sets straight into a test database: services, environments, models and their
 * versions, components and versions, and deployments with their record entry by entry, so every
 * expected figure of a test can be worked out by hand.
 */
final class Records {

  final JdbcClient jdbc;

  Records(TestDatabase.Instance db) {
    // one connection for all the writes: a test writes hundreds of rows
    try {
      this.jdbc = JdbcClient.create(new org.springframework.jdbc.datasource.SingleConnectionDataSource(
          db.dataSource().getConnection(), true));
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Over a running server's database. */
  Records(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /** Report transactions over a test database. */
  static ReportTransactions transactions(TestDatabase.Instance db) {
    return new ReportTransactions(db.jdbc(), db.transactions(), db.dataSource(),
        new DeploymentFacts(db.jdbc(), new CommitTimes(db.jdbc()), db.transactions(), db.dataSource()));
  }

  /** {@code "2026-03-02 10:15"} (UTC) or a full ISO instant. */
  static Instant at(String time) {
    if (time.endsWith("Z")) {
      return Instant.parse(time);
    }
    return LocalDateTime.parse(time.replace(' ', 'T')).toInstant(ZoneOffset.UTC);
  }

  private static Timestamp ts(String time) {
    return time == null ? null : Timestamp.from(at(time));
  }

  Records service(String name, String owner) {
    jdbc.sql("""
        insert into services (name, owner, labels, created_at, updated_at) values (:n, :o, '{}', :t, :t)
        """).param("n", name).param("o", owner).param("t", ts("2025-01-01 00:00")).update();
    return this;
  }

  Records environment(String name, String purpose) {
    jdbc.sql("""
        insert into environments (name, purpose, controlled, owner, promotes_to, labels, created_at, updated_at)
        values (:n, :p, false, 'ops', '[]', '{}', :t, :t)
        """).param("n", name).param("p", purpose).param("t", ts("2025-01-01 00:00")).update();
    return this;
  }

  /** A model with a version created at each time; a null text makes that version a retirement. */
  Records model(String name, String... versionTimes) {
    jdbc.sql("""
        insert into deployment_models (name, current_version, retired, created_at, updated_at)
        values (:n, :v, false, :t, :t)
        """).param("n", name).param("v", versionTimes.length).param("t", ts(versionTimes[0])).update();
    for (int i = 0; i < versionTimes.length; i++) {
      modelVersion(name, i + 1, versionTimes[i], "spec v" + (i + 1));
    }
    return this;
  }

  Records retire(String name, int number, String time) {
    modelVersion(name, number, time, null);
    jdbc.sql("update deployment_models set current_version = :v, retired = true where name = :n")
        .param("v", number).param("n", name).update();
    return this;
  }

  private void modelVersion(String name, int number, String time, String spec) {
    jdbc.sql("""
        insert into model_versions (model_id, number, spec, author, reason, created_at, diff)
        values ((select id from deployment_models where name = :n), :v, :spec, 'alice', 'test', :t, '')
        """).param("n", name).param("v", number).param("spec", spec).param("t", ts(time)).update();
    // each version in force when made, as for a model without an owner
    jdbc.sql("""
        insert into model_version_states (model_id, number, state, in_force_at, in_force_note)
        values ((select id from deployment_models where name = :n), :v, 'in-force', :t, 'test')
        """).param("n", name).param("v", number).param("t", ts(time)).update();
  }

  Records component(String service, String name, String model) {
    jdbc.sql("""
        insert into components (service_id, name, type, model, requires, required_attributes, labels, created_at,
                                updated_at)
        values ((select id from services where name = :s), :n, 'software', :m, '[]', '[]', '{}', :t, :t)
        """).param("s", service).param("n", name).param("m", model).param("t", ts("2025-01-01 00:00")).update();
    return this;
  }

  Records version(String service, String component, String version, Map<String, String> attributes) {
    jdbc.sql("""
        insert into component_versions (component_id, version, status, content_digest, attributes, created_by,
                                        created_at)
        values ((select c.id from components c join services s on s.id = c.service_id
                  where s.name = :s and c.name = :c), :v, 'APPROVED', :digest, :a, 'alice', :t)
        """).param("s", service).param("c", component).param("v", version)
        .param("digest", "sha256:" + "0".repeat(64)).param("a", io.gantry.shared.Json.write(attributes))
        .param("t", ts("2025-01-01 00:00")).update();
    return this;
  }

  /** A deployment requested at {@code time}, with its first record entry; add the rest with {@link Dep}. */
  Dep deployment(String service, String component, String version, String environment, String model,
      String requestedBy, String time) {
    var keys = new GeneratedKeyHolder();
    jdbc.sql("""
        insert into deployments (service, component, version, environment, model, model_version, stage, state,
                                 requested_by, requested_at, reason)
        values (:s, :c, :v, :e, :m, 1, 'main', 'REQUESTED', :by, :t, 'test')
        """).param("s", service).param("c", component).param("v", version).param("e", environment)
        .param("m", model).param("by", requestedBy).param("t", ts(time)).update(keys, "id");
    Dep d = new Dep(keys.getKeyAs(Number.class).longValue());
    d.event(time, "TRANSITION", null, "REQUESTED", null);
    return d;
  }

  /** A deployment that ran straight through: requested, planned at once, executing, verified, succeeded at {@code end}. */
  long succeeded(String service, String environment, String requested, String end) {
    return deployment(service, "web", "1.0", environment, "std", "alice", requested).runTo(requested)
        .to("VERIFYING", end).to("SUCCEEDED", end).id;
  }

  /** A deployment that executed and failed at {@code end}. */
  long failed(String service, String environment, String requested, String end) {
    return deployment(service, "web", "1.0", environment, "std", "alice", requested).runTo(requested)
        .to("FAILED", end).id;
  }

  /** A deployment's record, written entry by entry; its row follows each transition. */
  final class Dep {

    final long id;

    Dep(long id) {
      this.id = id;
    }

    /** Planned, both verifications and executing, all at {@code time}. */
    Dep runTo(String time) {
      return to("PLANNED", time).to("COMPONENTS_VERIFIED", time).to("ENVIRONMENT_VERIFIED", time)
          .to("EXECUTING", time);
    }

    Dep to(String state, String time) {
      DeploymentState to = DeploymentState.valueOf(state);
      event(time, "TRANSITION", null, state, null);
      jdbc.sql("""
          update deployments set state = :s,
                 started_at = case when :s = 'CANCELLED' then started_at else coalesce(started_at, :t) end,
                 finished_at = :f where id = :id
          """).param("s", state).param("t", ts(time)).param("f", to.isFinal() ? ts(time) : null).param("id", id)
          .update();
      return this;
    }

    Dep waitFor(DeploymentEvent.WaitKind kind, String time) {
      event(time, "WAIT", kind.name(), null, "waiting for " + kind.id());
      return this;
    }

    Dep step(String time) {
      event(time, "STEP", null, null, "step");
      return this;
    }

    /** A blue-green switch step's start, as the engine records it ({@code switch step proxy (switch) started}). */
    Dep switchStep(String time, String phase) {
      event(time, "STEP", null, null, phase + " step proxy (switch) started");
      return this;
    }

    Dep log(String time) {
      event(time, "LOG", null, null, "a log line");
      return this;
    }

    Dep planned(String start) {
      jdbc.sql("update deployments set planned_start = :p where id = :id").param("p", ts(start)).param("id", id)
          .update();
      return this;
    }

    Dep modelVersion(int number) {
      jdbc.sql("update deployments set model_version = :v where id = :id").param("v", number).param("id", id).update();
      return this;
    }

    private void event(String time, String kind, String waitingFor, String to, String message) {
      jdbc.sql("""
          insert into deployment_events (deployment_id, at, kind, to_state, actor, message, waiting_for)
          values (:d, :at, :kind, :to, 'gantry', :m, :w)
          """).param("d", id).param("at", ts(time)).param("kind", kind).param("to", to)
          .param("m", message == null ? "" : message).param("w", waitingFor).update();
    }
  }

  long incident(String service, String environment, int severity, String detected, String resolved, Long deployment) {
    var keys = new GeneratedKeyHolder();
    jdbc.sql("""
        insert into incidents (service, environment, severity, title, detected_at, resolved_at, deployment_id,
                               linked_by, reported_by, reported_at)
        values (:s, :e, :sev, 'down', :d, :r, :dep, :link, 'desk', :d)
        """).param("s", service).param("e", environment).param("sev", severity).param("d", ts(detected))
        .param("r", ts(resolved)).param("dep", deployment).param("link", deployment == null ? "NONE" : "EXPLICIT")
        .update(keys, "id");
    return keys.getKeyAs(Number.class).longValue();
  }

  void remediation(long incident, long deployment) {
    jdbc.sql("""
        insert into incident_remediations (incident_id, deployment_id, marked_by, marked_at)
        values (:i, :d, 'desk', :t)
        """).param("i", incident).param("d", deployment).param("t", ts("2026-01-01 00:00")).update();
  }

  void rating(long deployment, int leadTime, int quality, String comment, String time) {
    jdbc.sql("""
        insert into deployment_ratings (deployment_id, rated_by, lead_time, quality, comment, rated_at,
                                        deployment_finished_at)
        values (:d, 'alice', :l, :q, :c, :t, (select finished_at from deployments where id = :d))
        """).param("d", deployment).param("l", leadTime).param("q", quality).param("c", comment)
        .param("t", ts(time)).update();
  }
}
