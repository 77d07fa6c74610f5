package io.gantry.change;

import io.gantry.catalog.ComponentRef;
import io.gantry.shared.Json;
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
 * Changes with their history, decisions, reviews and linked deployments. Every state change goes
 * through {@link #transition}: the history entry first, then the state, guarded by the transition
 * table and the row version.
 */
@Repository
class ChangeRecords {

  private final JdbcClient jdbc;
  private final ApplicationEventPublisher events;

  ChangeRecords(JdbcClient jdbc) {
    this(jdbc, event -> {});
  }

  /** Records that publish {@link ChangeCreated} and {@link ChangeTransitioned} inside the writing transaction. */
  @org.springframework.beans.factory.annotation.Autowired
  ChangeRecords(JdbcClient jdbc, ApplicationEventPublisher events) {
    this.jdbc = jdbc;
    this.events = events;
  }

  long insert(Change c, Instant now) {
    var keys = new GeneratedKeyHolder();
    jdbc.sql("""
        insert into changes (title, type, risk, impact, planned_start, planned_end, implementation_plan, backout_plan,
                             test_plan, services, components, environments, requested_by, requested_at, state,
                             emergency_reason, approval_rules, for_deployment, external_system, external_reference,
                             row_version)
        values (:title, :type, :risk, :impact, :start, :end, :impl, :backout, :test, :services, :components,
                :environments, :by, :now, 'NEW', :emergency, :rules, :forDeployment, :system, :reference, 0)
        """).param("title", c.title()).param("type", c.type().name()).param("risk", c.risk().name())
        .param("impact", c.impact().name()).param("start", ts(c.plannedStart())).param("end", ts(c.plannedEnd()))
        .param("impl", c.implementationPlan()).param("backout", c.backoutPlan()).param("test", c.testPlan())
        .param("services", Json.write(c.services()))
        .param("components", Json.write(c.components().stream().map(ComponentRef::toString).toList()))
        .param("environments", Json.write(c.environments())).param("by", c.requestedBy()).param("now", ts(now))
        .param("emergency", c.emergencyReason()).param("rules", Json.write(c.rules()))
        .param("forDeployment", c.forDeployment())
        .param("system", c.external() == null ? null : c.external().system())
        .param("reference", c.external() == null ? null : c.external().reference()).update(keys, "id");
    long id = keys.getKeyAs(Number.class).longValue();
    history(id, now, ChangeEntry.Kind.TRANSITION, null, ChangeState.NEW, c.requestedBy(), "created: " + c.title());
    events.publishEvent(new ChangeCreated(get(id), now));
    return id;
  }

  Optional<Change> find(long id) {
    return jdbc.sql("select * from changes where id = :id").param("id", id).query(ChangeRecords::map).optional();
  }

  Change get(long id) {
    return find(id).orElseThrow(() -> new NotFoundException("change", Change.key(id)));
  }

  /** The change, its row locked until the transaction ends (a second server's writer waits). */
  Change lock(long id) {
    return jdbc.sql("select * from changes where id = :id for update").param("id", id).query(ChangeRecords::map)
        .optional().orElseThrow(() -> new NotFoundException("change", Change.key(id)));
  }

  Optional<Change> forDeployment(long deployment) {
    return jdbc.sql("select * from changes where for_deployment = :d").param("d", deployment)
        .query(ChangeRecords::map).optional();
  }

  /** Filters for listing; null means any. */
  record Filter(ChangeState state, Change.Type type, String environment, String service, String requestedBy) {}

  Page<Change> page(Filter filter, PageRequest request) {
    StringBuilder where = new StringBuilder(" where 1 = 1");
    Map<String, Object> params = new HashMap<>();
    if (filter.state() != null) {
      where.append(" and state = :state");
      params.put("state", filter.state().name());
    }
    if (filter.type() != null) {
      where.append(" and type = :type");
      params.put("type", filter.type().name());
    }
    if (filter.requestedBy() != null) {
      where.append(" and requested_by = :by");
      params.put("by", filter.requestedBy());
    }
    // Scope lists are JSON arrays of names; a quoted name cannot match part of another name.
    if (filter.environment() != null) {
      where.append(" and environments like :environment");
      params.put("environment", "%\"" + filter.environment() + "\"%");
    }
    if (filter.service() != null) {
      where.append(" and (services like :service or components like :serviceComponent)");
      params.put("service", "%\"" + filter.service() + "\"%");
      params.put("serviceComponent", "%\"" + filter.service() + "/%");
    }
    long total = jdbc.sql("select count(*) from changes" + where).params(params).query(Long.class).single();
    List<Change> items = jdbc.sql("select * from changes" + where + " order by id desc limit :limit offset :offset")
        .params(params).param("limit", request.size()).param("offset", request.offset())
        .query(ChangeRecords::map).list();
    return new Page<>(items, request.page(), request.size(), total);
  }

  /** Changes whose scope names this environment, not cancelled or closed, newest first. */
  List<Change> open(String environment) {
    return jdbc.sql("""
        select * from changes where environments like :environment and state not in ('CANCELLED', 'CLOSED')
         order by id desc
        """).param("environment", "%\"" + environment + "\"%").query(ChangeRecords::map).list();
  }

  List<Change> inState(ChangeState state) {
    return jdbc.sql("select * from changes where state = :state order by id").param("state", state.name())
        .query(ChangeRecords::map).list();
  }

  /** Submitted external changes whose next poll is due. */
  List<Change> externalDue(Instant now) {
    return jdbc.sql("""
        select * from changes where state = 'ASSESSED' and external_system is not null
           and external_next_poll is not null and external_next_poll <= :now order by external_next_poll, id
        """).param("now", ts(now)).query(ChangeRecords::map).list();
  }

  List<Change> emergenciesWithoutReview() {
    return jdbc.sql("""
        select * from changes c where c.type = 'EMERGENCY' and c.state = 'CLOSED'
           and not exists (select 1 from change_reviews r where r.change_id = c.id) order by c.id
        """).query(ChangeRecords::map).list();
  }

  Change transition(Change c, ChangeState to, ClosureCodeOrNull closure, String actor, String reason, Instant now) {
    if (!c.state().canBecome(to)) {
      throw new IllegalStateException(c.key() + " cannot go from " + c.state() + " to " + to);
    }
    history(c.id(), now, ChangeEntry.Kind.TRANSITION, c.state(), to, actor, reason);
    int rows = jdbc.sql("""
        update changes set state = :to, row_version = row_version + 1, closure_code = :closure,
               submitted_at = :submitted, outcome = :outcome
         where id = :id and row_version = :expected
        """).param("to", to.name()).param("closure", closure.code() == null ? null : closure.code().name())
        .param("submitted", ts(to == ChangeState.ASSESSED ? now : c.submittedAt()))
        .param("outcome", to == ChangeState.ASSESSED || to == ChangeState.AUTHORIZED ? c.outcome() : truncate(reason))
        .param("id", c.id()).param("expected", c.rowVersion()).update();
    if (rows == 0) {
      throw new StaleUpdateException("change", c.key(), c.rowVersion());
    }
    Change after = get(c.id());
    events.publishEvent(new ChangeTransitioned(c, after, actor, reason, now));
    return after;
  }

  /** A closure code, or none (every transition but the one to CLOSED). */
  record ClosureCodeOrNull(Change.ClosureCode code) {
    static final ClosureCodeOrNull NONE = new ClosureCodeOrNull(null);
  }

  void history(long change, Instant at, ChangeEntry.Kind kind, ChangeState from, ChangeState to, String actor,
      String reason) {
    jdbc.sql("""
        insert into change_history (change_id, at, kind, from_state, to_state, actor, reason)
        values (:c, :at, :kind, :from, :to, :actor, :reason)
        """).param("c", change).param("at", ts(at)).param("kind", kind.name())
        .param("from", from == null ? null : from.name()).param("to", to == null ? null : to.name())
        .param("actor", actor).param("reason", truncate(reason == null ? "" : reason)).update();
  }

  List<ChangeEntry> history(long change) {
    return jdbc.sql("select * from change_history where change_id = :c order by id").param("c", change)
        .query((rs, n) -> new ChangeEntry(rs.getLong("id"), rs.getLong("change_id"), instant(rs, "at"),
            ChangeEntry.Kind.valueOf(rs.getString("kind")), state(rs.getString("from_state")),
            state(rs.getString("to_state")), rs.getString("actor"), rs.getString("reason"))).list();
  }

  void decide(long change, String approver, List<String> roles, ChangeDecision.Verdict verdict, String reason,
      Instant now) {
    jdbc.sql("""
        insert into change_approvals (change_id, approver, roles, decision, reason, at)
        values (:c, :approver, :roles, :decision, :reason, :at)
        """).param("c", change).param("approver", approver).param("roles", String.join(",", roles))
        .param("decision", verdict.name()).param("reason", reason).param("at", ts(now)).update();
  }

  List<ChangeDecision> decisions(long change) {
    return jdbc.sql("select * from change_approvals where change_id = :c order by id").param("c", change)
        .query((rs, n) -> new ChangeDecision(rs.getLong("id"), rs.getLong("change_id"), rs.getString("approver"),
            rs.getString("roles").isBlank() ? List.of() : List.of(rs.getString("roles").split(",")),
            ChangeDecision.Verdict.valueOf(rs.getString("decision")), rs.getString("reason"), instant(rs, "at")))
        .list();
  }

  void link(long change, long deployment, Instant now) {
    jdbc.sql("insert into change_deployments (change_id, deployment_id, linked_at) values (:c, :d, :at)")
        .param("c", change).param("d", deployment).param("at", ts(now)).update();
  }

  boolean linked(long change, long deployment) {
    return jdbc.sql("select count(*) from change_deployments where change_id = :c and deployment_id = :d")
        .param("c", change).param("d", deployment).query(Long.class).single() > 0;
  }

  List<Long> linkedDeployments(long change) {
    return jdbc.sql("select deployment_id from change_deployments where change_id = :c order by deployment_id")
        .param("c", change).query(Long.class).list();
  }

  List<Change> linkedTo(long deployment) {
    return jdbc.sql("""
        select c.* from changes c join change_deployments l on l.change_id = c.id
         where l.deployment_id = :d order by c.id
        """).param("d", deployment).query(ChangeRecords::map).list();
  }

  void review(Review review) {
    jdbc.sql("""
        insert into change_reviews (change_id, reviewer, summary, follow_ups, at)
        values (:c, :reviewer, :summary, :followUps, :at)
        """).param("c", review.change()).param("reviewer", review.reviewer()).param("summary", review.summary())
        .param("followUps", review.followUps()).param("at", ts(review.at())).update();
  }

  Optional<Review> review(long change) {
    return jdbc.sql("select * from change_reviews where change_id = :c").param("c", change)
        .query((rs, n) -> new Review(rs.getLong("change_id"), rs.getString("reviewer"), rs.getString("summary"),
            rs.getString("follow_ups"), instant(rs, "at"))).optional();
  }

  /** What the external system last said about a change, and when to ask again (null: no more). */
  /**
   * Takes the due poll of an external change for this server: moves its next poll to {@code until}, if it is
   * still due at {@code now}. Answers false when another server took it first (or the change moved on).
   */
  boolean claimExternalPoll(long change, Instant now, Instant until) {
    return jdbc.sql("""
        update changes set external_next_poll = :until
         where id = :id and state = 'ASSESSED' and external_next_poll <= :now
        """).param("until", ts(until)).param("id", change).param("now", ts(now)).update() == 1;
  }

  void externalChecked(long change, String state, String error, Instant checkedAt, Instant nextPoll) {
    jdbc.sql("""
        update changes set external_state = coalesce(:state, external_state), external_error = :error,
               external_checked_at = :checked, external_next_poll = :next where id = :id
        """).param("state", state).param("error", truncate(error)).param("checked", ts(checkedAt))
        .param("next", ts(nextPoll)).param("id", change).update();
  }

  /** The external columns the record has no place for. */
  record ExternalStatus(String state, String error, Instant checkedAt, Instant nextPoll) {}

  ExternalStatus externalStatus(long change) {
    return jdbc.sql("""
        select external_state, external_error, external_checked_at, external_next_poll from changes where id = :id
        """).param("id", change).query((rs, n) -> new ExternalStatus(rs.getString("external_state"),
        rs.getString("external_error"), instant(rs, "external_checked_at"), instant(rs, "external_next_poll")))
        .single();
  }

  static Change map(ResultSet rs, int row) throws SQLException {
    String closure = rs.getString("closure_code");
    long forDeployment = rs.getLong("for_deployment");
    boolean noDeployment = rs.wasNull();
    String system = rs.getString("external_system");
    return new Change(rs.getLong("id"), rs.getString("title"), Change.Type.valueOf(rs.getString("type")),
        Change.Level.valueOf(rs.getString("risk")), Change.Level.valueOf(rs.getString("impact")),
        instant(rs, "planned_start"), instant(rs, "planned_end"), rs.getString("implementation_plan"),
        rs.getString("backout_plan"), rs.getString("test_plan"), Json.readStringList(rs.getString("services")),
        Json.readStringList(rs.getString("components")).stream().map(ComponentRef::parse).toList(),
        Json.readStringList(rs.getString("environments")), rs.getString("requested_by"),
        instant(rs, "requested_at"), ChangeState.valueOf(rs.getString("state")),
        closure == null ? null : Change.ClosureCode.valueOf(closure), rs.getString("emergency_reason"),
        Json.readList(rs.getString("approval_rules"), ApprovalRule.class), instant(rs, "submitted_at"),
        rs.getString("outcome"), noDeployment ? null : forDeployment,
        system == null ? null : new Change.External(system, rs.getString("external_reference")),
        rs.getLong("row_version"));
  }

  private static ChangeState state(String name) {
    return name == null ? null : ChangeState.valueOf(name);
  }

  private static Timestamp ts(Instant instant) {
    return instant == null ? null : Timestamp.from(instant);
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    Timestamp t = rs.getTimestamp(column);
    return t == null ? null : t.toInstant();
  }

  private static String truncate(String message) {
    return message == null || message.length() <= 4000 ? message : message.substring(0, 3997) + "...";
  }
}
