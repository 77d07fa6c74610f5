package io.gantry.agent;

import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The agents' work, one row per piece: {@code QUEUED} until its agent claims it; {@code CLAIMED} under a claim
 * id for a short lease ({@link #LEASE}), in which the claiming process must start it, or it is offered again
 * (the answer may never have reached the agent); {@code STARTED} once that process confirmed it, after which
 * it is never handed out again, so an agent that restarts half-way does not run it twice (it fails at its
 * deadline instead); {@code FINISHED} with its outcome. An agent that asks in a session of its own ({@link #take})
 * skips the lease when its request is fresh: the answer that gives it a piece starts it.
 */
@Component
class WorkQueue {

  enum State { QUEUED, CLAIMED, STARTED, FINISHED }

  /**
   * How young a request for work must be for its answer to start the piece ({@link #take}): its process asked
   * that recently, and is taken to be alive. A request that waited longer may be a dead process's, whose answer
   * would never be read: it gets its piece under a lease, to be started by the agent or offered again.
   */
  static final java.time.Duration FRESH = java.time.Duration.ofSeconds(2);

  /** How long a claimed piece waits for its agent to start it before it is offered again. */
  static final java.time.Duration LEASE = java.time.Duration.ofSeconds(15);

  record Item(long id, String agent, String target, String payload, State state, Instant createdAt,
      Instant deadlineAt, String claimId, Instant startedAt, String outcome, String outcomeText) {}

  private final JdbcClient jdbc;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private final WorkSignals signals;

  WorkQueue(JdbcClient jdbc, Clock clock, WorkSignals signals) {
    this.jdbc = jdbc;
    this.clock = clock;
    this.signals = signals;
  }

  long enqueue(String agent, String target, String payload, Instant deadline) {
    var keys = new org.springframework.jdbc.support.GeneratedKeyHolder();
    jdbc.sql("""
        insert into agent_work (agent, target, payload, state, created_at, deadline_at)
        values (:agent, :target, :payload, 'QUEUED', :now, :deadline)
        """).param("agent", agent).param("target", target).param("payload", payload)
        .param("now", Timestamp.from(clock.instant())).param("deadline", Timestamp.from(deadline)).update(keys, "id");
    signals.agentChanged(agent);
    return keys.getKeyAs(Number.class).longValue();
  }

  Optional<Item> get(long id) {
    return jdbc.sql("select * from agent_work where id = :id").param("id", id).query(WorkQueue::item).optional();
  }

  /** The piece {@code id} without its payload (null in the item): what is looked at while it is worked on. */
  Optional<Item> look(long id) {
    return jdbc.sql("select " + WITHOUT_PAYLOAD + " from agent_work where id = :id").param("id", id)
        .query(WorkQueue::item).optional();
  }

  private static final String WITHOUT_PAYLOAD = "id, agent, target, null as payload, state, created_at, deadline_at, "
      + "claim_id, started_at, outcome, outcome_text";

  /**
   * The oldest queued piece of {@code agent}'s, now claimed by the caller alone: the row changes only if it is
   * still queued, so of two claims at once one gets it.
   */
  Optional<Item> claim(String agent) {
    return claimOldest(agent, null);
  }

  /**
   * For an agent process that asks in {@code session}, which asks only once it has reported every piece it was
   * given: the oldest piece given to that session and neither reported nor failed, whose answer was therefore lost
   * on the way (given again as it was), else the oldest queued piece, claimed and started at once for the session.
   * A piece given to one session is never given to another: an agent restarted half-way does not run it twice.
   * {@code lost}: whether to look for a lost answer (once per request: an answer can only have been lost before it).
   */
  Optional<Item> take(String agent, String session, boolean lost) {
    Optional<Item> given = !lost ? Optional.empty() : jdbc.sql("""
        select * from agent_work where agent = :agent and session_id = :session and state = 'STARTED' order by id
        """).param("agent", agent).param("session", session)
        .query(WorkQueue::item).list().stream().findFirst();
    return given.isPresent() ? given : claimOldest(agent, session);
  }

  /**
   * The oldest queued piece of {@code agent}'s (or claimed under a lease that passed), now the caller's alone:
   * claimed under a lease when {@code session} is null, else started for that session.
   */
  private Optional<Item> claimOldest(String agent, String session) {
    Timestamp now = Timestamp.from(clock.instant());
    List<Long> queued = jdbc.sql("""
        select id from agent_work
        where agent = :agent and (state = 'QUEUED' or state = 'CLAIMED' and lease_until < :now) order by id
        """).param("agent", agent).param("now", now).query(Long.class).list();
    for (long id : queued) {
      int rows = jdbc.sql(session == null ? """
          update agent_work set state = 'CLAIMED', claim_id = :claim, claimed_at = :now, lease_until = :lease
          where id = :id and (state = 'QUEUED' or state = 'CLAIMED' and lease_until < :now)
          """ : """
          update agent_work set state = 'STARTED', claim_id = :claim, claimed_at = :now, started_at = :now,
            session_id = :session
          where id = :id and (state = 'QUEUED' or state = 'CLAIMED' and lease_until < :now)
          """).param("claim", HexFormat.of().formatHex(bytes())).param("now", now)
          .param("lease", Timestamp.from(now.toInstant().plus(LEASE))).param("session", session).param("id", id)
          .update();
      if (rows == 1) {
        return get(id);
      }
    }
    return Optional.empty();
  }

  private byte[] bytes() {
    byte[] b = new byte[16];
    random.nextBytes(b);
    return b;
  }

  /**
   * Starts claimed work for the holder of {@code claim} while its lease runs; from then on it is never handed
   * out again. True also for work taken in a session ({@link #take}), started with the answer that gave it. False
   * when the claim is not the work's, its lease passed or it was started already under a claim.
   */
  boolean start(long id, String claim) {
    Timestamp now = Timestamp.from(clock.instant());
    return jdbc.sql("""
        update agent_work set state = 'STARTED', started_at = :now
        where id = :id and claim_id = :claim and state = 'CLAIMED' and lease_until >= :now
        """).param("now", now).param("id", id).param("claim", claim).update() == 1
        || jdbc.sql("""
            select count(*) from agent_work
            where id = :id and claim_id = :claim and state = 'STARTED' and session_id is not null
            """).param("id", id).param("claim", claim).query(Long.class).single() == 1;
  }

  /** Adds log lines to claimed work; false when the claim is not the work's or the work is finished. */
  boolean log(long id, String claim, List<String> lines) {
    if (!held(id, claim)) {
      return false;
    }
    int next = jdbc.sql("select coalesce(max(seq), 0) from agent_work_log where work_id = :id").param("id", id)
        .query(Integer.class).single();
    if (!lines.isEmpty()) {
      // one statement for the lines of a request: one commit rather than one per line
      StringBuilder insert = new StringBuilder("insert into agent_work_log (work_id, seq, line) values ");
      Map<String, Object> values = new HashMap<>();
      values.put("id", id);
      for (int i = 0; i < lines.size(); i++) {
        insert.append(i == 0 ? "" : ", ").append("(:id, :seq").append(i).append(", :line").append(i).append(')');
        values.put("seq" + i, next + 1 + i);
        values.put("line" + i, shorten(io.gantry.shared.Masking.mask(lines.get(i))));
      }
      jdbc.sql(insert.toString()).params(values).update();
    }
    signals.workChanged(id);
    return true;
  }

  /** The log lines after {@code seq}, in order. */
  List<String> logAfter(long id, int seq) {
    return jdbc.sql("select line from agent_work_log where work_id = :id and seq > :seq order by seq")
        .param("id", id).param("seq", seq).query(String.class).list();
  }

  /** Finishes claimed work with the agent's outcome; false when the claim is not the work's or it is finished. */
  boolean finish(long id, String claim, String outcome, String text) {
    return changed(id, jdbc.sql("""
        update agent_work set state = 'FINISHED', outcome = :outcome, outcome_text = :text, finished_at = :now
        where id = :id and claim_id = :claim and state = 'STARTED'
        """).param("outcome", outcome).param("text", shorten(io.gantry.shared.Masking.mask(text)))
        .param("now", Timestamp.from(clock.instant()))
        .param("id", id).param("claim", claim).update() == 1);
  }

  /** Fails unfinished work from the server's side (agent lost, deadline passed, deployment stopped). */
  boolean fail(long id, String reason) {
    return changed(id, jdbc.sql("""
        update agent_work set state = 'FINISHED', outcome = 'FAILED', outcome_text = :text, finished_at = :now
        where id = :id and state <> 'FINISHED'
        """).param("text", shorten(reason)).param("now", Timestamp.from(clock.instant())).param("id", id)
        .update() == 1);
  }

  private boolean changed(long id, boolean changed) {
    if (changed) {
      signals.workChanged(id);
    }
    return changed;
  }

  /** Fails every unfinished piece of {@code agent}'s work; how many. */
  int failAll(String agent, String reason) {
    return jdbc.sql("""
        update agent_work set state = 'FINISHED', outcome = 'FAILED', outcome_text = :text, finished_at = :now
        where agent = :agent and state <> 'FINISHED'
        """).param("text", shorten(reason)).param("now", Timestamp.from(clock.instant())).param("agent", agent)
        .update();
  }

  boolean held(long id, String claim) {
    return claim != null && jdbc.sql("select count(*) from agent_work where id = :id and claim_id = :claim "
        + "and state = 'STARTED'").param("id", id).param("claim", claim).query(Long.class).single() == 1;
  }

  private static String shorten(String text) {
    return text == null ? null : text.length() > 4000 ? text.substring(0, 3997) + "..." : text;
  }

  private static Item item(ResultSet rs, int row) throws SQLException {
    return new Item(rs.getLong("id"), rs.getString("agent"), rs.getString("target"), rs.getString("payload"),
        State.valueOf(rs.getString("state")), rs.getTimestamp("created_at").toInstant(),
        rs.getTimestamp("deadline_at").toInstant(), rs.getString("claim_id"),
        rs.getTimestamp("started_at") == null ? null : rs.getTimestamp("started_at").toInstant(),
        rs.getString("outcome"), rs.getString("outcome_text"));
  }
}
