package io.gantry.agent;

import io.gantry.execution.AgentHosts;
import io.gantry.execution.StepOutcome;
import java.util.function.Consumer;
import io.gantry.shared.ConflictException;
import io.gantry.shared.InvalidInputException;
import io.gantry.shared.Json;
import io.gantry.shared.NotFoundException;
import io.gantry.shared.StaleUpdateException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Registration tokens and the agents registered with them. Secrets ({@code gtr_} for a registration
 * token, {@code gta_} for an agent's credential, each with 40 random characters) are returned once; only
 * their SHA-256 hashes are stored. Every change of an agent's state goes through {@link #transition}.
 */
@Component
public class AgentRegistry implements AgentHosts {

  static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
  static final Pattern FACT = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
  static final int MAX_FACTS = 64;
  static final int MAX_FACT_VALUE = 1000;
  static final int MAX_USES = 1000;
  static final Duration MAX_LIFETIME = Duration.ofDays(30);
  private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

  private final JdbcClient jdbc;
  private final TransactionTemplate tx;
  private final Clock clock;
  private final Duration grace;
  private final WorkQueue work;
  private final WorkSignals signals;
  private final Duration heardEvery;
  private final SecureRandom random = new SecureRandom();

  /**
   * @param grace how long an approved agent may go unheard before it counts as lost
   *     ({@code gantry.agents.grace}, 60s unless set)
   */
  AgentRegistry(JdbcClient jdbc, TransactionTemplate tx, Clock clock,
      @Value("${gantry.agents.grace:60s}") Duration grace, WorkQueue work, WorkSignals signals) {
    if (grace.isNegative() || grace.isZero()) {
      throw new IllegalArgumentException("gantry.agents.grace must be a positive duration, not " + grace);
    }
    this.jdbc = jdbc;
    this.tx = tx;
    this.clock = clock;
    this.grace = grace;
    this.work = work;
    this.signals = signals;
    this.heardEvery = grace.dividedBy(10);
  }

  @Override
  public StepOutcome perform(String target, String payload, Duration timeout, Consumer<String> log) {
    Agent agent = boundTo(target).orElse(null);
    if (agent == null) {
      return new StepOutcome.Failed("no approved agent works for target " + target);
    }
    String lost = lost(agent);
    if (lost != null) {
      return new StepOutcome.Failed(lost);
    }
    // the agent keeps to the step's timeout itself; the grace lets its report of running late arrive
    Instant deadline = clock.instant().plus(timeout).plus(grace);
    long id = work.enqueue(agent.name(), target, payload, deadline);
    WorkSignals.Signal changes = signals.work(id);
    int seen = 0;
    try {
      while (true) {
        long changed = changes.seen();
        List<String> lines = work.logAfter(id, seen);
        lines.forEach(log);
        seen += lines.size();
        WorkQueue.Item item = work.look(id).orElseThrow();
        if (item.state() == WorkQueue.State.FINISHED) {
          List<String> last = work.logAfter(id, seen);
          last.forEach(log);
          return outcome(item);
        }
        Agent now = find(agent.name()).orElseThrow();
        String why = now.state() != AgentState.APPROVED || !target.equals(now.target())
            ? "agent " + agent.name() + " was revoked while it had this work" : lost(now);
        if (why == null && clock.instant().isAfter(item.deadlineAt())) {
          why = item.state() == WorkQueue.State.STARTED
              ? "agent " + agent.name() + " started this work at " + item.startedAt() + " and did not report how it "
                  + "ended by " + item.deadlineAt() + " (did it restart?); what it did on the host is unknown"
              : "agent " + agent.name() + " did not take this work by " + item.deadlineAt();
        }
        if (why != null && work.fail(id, why)) {
          log.accept("failed: " + why);
          return new StepOutcome.Failed(why);
        }
        // woken by the agent's log lines and report on this server; a report to another one is seen within LOOK
        changes.await(changed, WorkSignals.LOOK);
      }
    } catch (InterruptedException e) {
      work.fail(id, "stopped on the server before agent " + agent.name() + " reported it");
      Thread.currentThread().interrupt();
      return new StepOutcome.Failed("interrupted while agent " + agent.name() + " had the work");
    } finally {
      signals.forget(id);
    }
  }

  private static StepOutcome outcome(WorkQueue.Item item) {
    String text = item.outcomeText() == null ? "" : item.outcomeText();
    return switch (item.outcome()) {
      case "SUCCEEDED" -> new StepOutcome.Succeeded(text);
      case "NEEDS_PERSON" -> new StepOutcome.NeedsPerson(text);
      default -> new StepOutcome.Failed(text);
    };
  }

  /** Fails the unfinished work of every approved agent not heard within the grace period; how many pieces. */
  int failWorkOfLostAgents() {
    int failed = 0;
    for (Agent agent : all()) {
      String lost = agent.state() == AgentState.APPROVED ? lost(agent) : null;
      if (lost != null) {
        failed += work.failAll(agent.name(), lost);
      }
    }
    return failed;
  }

  @Override
  public Reported reported(String target) {
    return boundTo(target).map(a -> new Reported(a.name(), a.facts(), lost(a))).orElse(null);
  }

  /**
   * Why the agent counts as lost, or null while it is heard within the grace period. The time it was heard is
   * written at most every {@link #heardEvery}, so that much is added: an agent is never lost before it has been
   * silent for the whole grace period.
   */
  String lost(Agent agent) {
    return agent.lastHeardAt().plus(grace).plus(heardEvery).isBefore(clock.instant())
        ? "agent " + agent.name() + " lost: last heard at " + agent.lastHeardAt() : null;
  }

  /** A token just made, with its secret: shown this once. */
  record CreatedToken(RegistrationToken token, String secret) {}

  /** An agent just registered, with its credential: given to the agent this once. */
  record Registered(Agent agent, String credential) {}

  /** A credential or registration token that is unknown, used up, expired or revoked: the caller learns no more. */
  static final class Unauthorized extends RuntimeException {
    Unauthorized() {
      super("not accepted", null, false, false);
    }
  }

  CreatedToken createToken(String name, int uses, Duration lifetime, String by) {
    if (name == null || name.isBlank() || name.length() > 200) {
      throw InvalidInputException.of("name", "give the token a name of 1 to 200 characters (what it is for)");
    }
    if (uses < 1 || uses > MAX_USES) {
      throw InvalidInputException.of("uses", "a registration token registers 1 to " + MAX_USES + " agents, not " + uses);
    }
    if (lifetime.isNegative() || lifetime.isZero() || lifetime.compareTo(MAX_LIFETIME) > 0) {
      throw InvalidInputException.of("expiresInHours", "a registration token lives more than 0 and at most "
          + MAX_LIFETIME.toHours() + " hours");
    }
    String secret = secret("gtr_");
    Instant now = clock.instant();
    jdbc.sql("""
        insert into agent_registration_tokens (name, token_prefix, token_hash, uses_allowed, uses, created_by,
                                               created_at, expires_at)
        values (:name, :prefix, :hash, :uses, 0, :by, :now, :expires)
        """).param("name", name).param("prefix", secret.substring(0, 10)).param("hash", hash(secret))
        .param("uses", uses).param("by", by).param("now", Timestamp.from(now))
        .param("expires", Timestamp.from(now.plus(lifetime))).update();
    RegistrationToken token = jdbc.sql(TOKENS + " where token_hash = :hash").param("hash", hash(secret))
        .query(AgentRegistry::token).single();
    return new CreatedToken(token, secret);
  }

  List<RegistrationToken> tokens() {
    return jdbc.sql(TOKENS + " order by id").query(AgentRegistry::token).list();
  }

  RegistrationToken revokeToken(long id, String by) {
    int rows = jdbc.sql("""
        update agent_registration_tokens set revoked_at = :now, revoked_by = :by where id = :id and revoked_at is null
        """).param("now", Timestamp.from(clock.instant())).param("by", by).param("id", id).update();
    RegistrationToken token = jdbc.sql(TOKENS + " where id = :id").param("id", id).query(AgentRegistry::token)
        .optional().orElseThrow(() -> new NotFoundException("agent registration token", String.valueOf(id)));
    if (rows == 0) {
      throw new ConflictException("agent registration token " + id + " was already revoked at " + token.revokedAt());
    }
    return token;
  }

  /**
   * Registers an agent under {@code name} with a registration token, which it uses up by one; a bad token
   * is refused as {@link Unauthorized}, a name in use (also by a revoked agent) as a conflict, and neither
   * uses the token.
   */
  Registered register(String tokenSecret, String name, Map<String, String> facts, String from) {
    checkName(name);
    checkFacts(facts);
    String credential = secret("gta_");
    Instant now = clock.instant();
    return tx.execute(status -> {
      RegistrationToken token = tokenSecret == null ? null : jdbc.sql(TOKENS + " where token_hash = :hash")
          .param("hash", hash(tokenSecret)).query(AgentRegistry::token).optional().orElse(null);
      if (token == null) {
        throw new Unauthorized();
      }
      // counted in the row itself, so two registrations at once cannot both take a token's last use
      int taken = jdbc.sql("""
          update agent_registration_tokens set uses = uses + 1
          where id = :id and uses < uses_allowed and revoked_at is null and expires_at > :now
          """).param("id", token.id()).param("now", Timestamp.from(now)).update();
      if (taken == 0) {
        throw new Unauthorized();
      }
      try {
        jdbc.sql("""
            insert into agents (name, state, credential_prefix, credential_hash, registration_token_id, facts,
                                registered_at, registered_from, last_heard_at, row_version)
            values (:name, 'PENDING', :prefix, :hash, :token, :facts, :now, :from, :now, 0)
            """).param("name", name).param("prefix", credential.substring(0, 10)).param("hash", hash(credential))
            .param("token", token.id()).param("facts", Json.write(facts)).param("now", Timestamp.from(now))
            .param("from", from).update();
      } catch (DuplicateKeyException e) {
        status.setRollbackOnly();
        throw new ConflictException("an agent named " + name + " is already registered; an agent's name is never "
            + "reused, also after it is revoked: register under another name (--name)");
      }
      return new Registered(find(name).orElseThrow(), credential);
    });
  }

  /** The agent holding {@code credential}, unless it is unknown or revoked. */
  Optional<Agent> authenticate(String credential) {
    if (credential == null || !credential.startsWith("gta_")) {
      return Optional.empty();
    }
    return jdbc.sql(AGENTS + " where credential_hash = :hash and state <> 'REVOKED'").param("hash", hash(credential))
        .query(AgentRegistry::agent).optional();
  }

  /**
   * Records that the agent was heard from now, with the facts it reports (null keeps the last ones). Without
   * facts the time is written only when the one written last is older than {@link #heardEvery}: an agent at
   * work is heard many times a second. Returns the agent as it is after the write, or {@code agent} as given
   * when nothing was written.
   */
  Agent heard(Agent agent, Map<String, String> facts) {
    if (facts != null) {
      checkFacts(facts);
    } else if (agent.lastHeardAt() != null && !agent.lastHeardAt().plus(heardEvery).isBefore(clock.instant())) {
      return agent;
    }
    jdbc.sql("update agents set last_heard_at = :now, facts = coalesce(:facts, facts) where id = :id")
        .param("now", Timestamp.from(clock.instant())).param("facts", facts == null ? null : Json.write(facts))
        .param("id", agent.id()).update();
    return find(agent.name()).orElseThrow();
  }

  List<Agent> all() {
    return jdbc.sql(AGENTS + " order by name").query(AgentRegistry::agent).list();
  }

  Optional<Agent> find(String name) {
    return jdbc.sql(AGENTS + " where name = :name").param("name", name).query(AgentRegistry::agent).optional();
  }

  Agent get(String name) {
    return find(name).orElseThrow(() -> new NotFoundException("agent", name));
  }

  /** The approved agent bound to {@code target}, if any. */
  Optional<Agent> boundTo(String target) {
    return jdbc.sql(AGENTS + " where target = :target and state = 'APPROVED'").param("target", target)
        .query(AgentRegistry::agent).optional();
  }

  /** Approves a pending agent and binds it to {@code target} (which the caller checked is of kind agent). */
  Agent approve(String name, String target, String by) {
    Agent agent = get(name);
    Optional<Agent> holder = jdbc.sql(AGENTS + " where target = :target").param("target", target)
        .query(AgentRegistry::agent).optional();
    if (holder.isPresent()) {
      throw new ConflictException("target " + target + " already has agent " + holder.get().name()
          + "; one agent works for a target: revoke that one first (gantry agents revoke " + holder.get().name() + ")");
    }
    try {
      return transition(agent, AgentState.APPROVED, target, by);
    } catch (DuplicateKeyException e) {
      throw new ConflictException("target " + target + " was bound to another agent at the same time");
    }
  }

  /** Revokes an agent for good: its credential is refused from now on and its target is free again. */
  Agent revoke(String name, String by) {
    Agent revoked = transition(get(name), AgentState.REVOKED, null, by);
    work.failAll(name, "agent " + name + " was revoked by " + by);
    return revoked;
  }

  /** The queue of the agents' work. */
  WorkQueue work() {
    return work;
  }

  /**
   * The agent's next piece of work, claimed for it, waiting up to {@code wait} for one: empty when none came or
   * the agent is revoked. Asked in a {@code session} (else null), the piece is started with it if it comes within
   * {@link WorkQueue#FRESH} of the asking, or is the one given to that session before whose answer was lost
   * ({@link WorkQueue#take}); one that comes later is claimed under a lease. A pending agent waits as well rather
   * than asking again at once, and gets work as soon as it is approved.
   */
  Optional<WorkQueue.Item> next(Agent agent, String session, Duration wait) throws InterruptedException {
    long asked = System.nanoTime();
    long until = asked + wait.toNanos();
    WorkSignals.Signal changes = signals.agent(agent.name());
    Agent now = agent; // as the caller just read it
    boolean read = true;
    boolean first = true;
    while (true) {
      long changed = changes.seen();
      // read again after each wait: it may have been approved or revoked meanwhile
      now = heard(read ? now : find(now.name()).orElseThrow(), null);
      read = false;
      if (now.state() == AgentState.APPROVED) {
        // a piece is started with its answer only while the request is fresh: a process that died while its
        // request waited (restarted, killed) would never run it, and one claimed under a lease is offered again
        Optional<WorkQueue.Item> item = session == null ? work.claim(now.name())
            : System.nanoTime() - asked <= WorkQueue.FRESH.toNanos() ? work.take(now.name(), session, first)
            : work.claim(now.name());
        first = false;
        if (item.isPresent()) {
          return item;
        }
      } else if (now.state() != AgentState.PENDING) {
        return Optional.empty();
      }
      long left = until - System.nanoTime();
      if (left <= 0) {
        return Optional.empty();
      }
      // woken when work is queued for it or it is approved on this server; what another server did, or a claim's
      // lease that passed, is seen within LOOK
      changes.await(changed, Duration.ofNanos(Math.min(left, WorkSignals.LOOK.toNanos())));
    }
  }

  private Agent transition(Agent agent, AgentState next, String target, String by) {
    if (!agent.state().canBecome(next)) {
      throw new ConflictException("agent " + agent.name() + " is " + agent.state().id() + " and cannot become "
          + next.id());
    }
    Timestamp now = Timestamp.from(clock.instant());
    String column = next == AgentState.APPROVED ? "approved" : "revoked";
    int rows = jdbc.sql("update agents set state = :state, target = :target, " + column + "_at = :now, " + column
        + "_by = :by, row_version = row_version + 1 where id = :id and row_version = :version")
        .param("state", next.name()).param("target", target).param("now", now).param("by", by)
        .param("id", agent.id()).param("version", agent.rowVersion()).update();
    if (rows == 0) {
      throw new StaleUpdateException("agent", agent.name(), agent.rowVersion());
    }
    signals.agentChanged(agent.name());
    return get(agent.name());
  }

  static void checkName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw InvalidInputException.of("name", "an agent's name is 1 to 63 characters: lower-case letters, digits, "
          + "'.', '_' and '-', starting with a letter or digit; not \"" + name + "\"");
    }
  }

  static void checkFacts(Map<String, String> facts) {
    if (facts == null) {
      throw InvalidInputException.of("facts", "give the host's facts (an object of names to text)");
    }
    if (facts.size() > MAX_FACTS) {
      throw InvalidInputException.of("facts", "at most " + MAX_FACTS + " facts, not " + facts.size());
    }
    facts.forEach((key, value) -> {
      if (key == null || !FACT.matcher(key).matches()) {
        throw InvalidInputException.of("facts", "a fact's name is lower-case letters, digits, '.', '_' and '-' "
            + "(at most 64), not \"" + key + "\"");
      }
      if (value == null || value.length() > MAX_FACT_VALUE) {
        throw InvalidInputException.of("facts." + key, "a fact's value is text of at most " + MAX_FACT_VALUE
            + " characters");
      }
    });
  }

  private String secret(String prefix) {
    StringBuilder secret = new StringBuilder(prefix);
    for (int i = 0; i < 40; i++) {
      secret.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    return secret.toString();
  }

  static String hash(String secret) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(secret.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final String TOKENS = "select * from agent_registration_tokens";
  private static final String AGENTS = "select * from agents";

  private static RegistrationToken token(ResultSet rs, int row) throws SQLException {
    return new RegistrationToken(rs.getLong("id"), rs.getString("name"), rs.getString("token_prefix"),
        rs.getInt("uses_allowed"), rs.getInt("uses"), rs.getString("created_by"), instant(rs, "created_at"),
        instant(rs, "expires_at"), instant(rs, "revoked_at"), rs.getString("revoked_by"));
  }

  private static Agent agent(ResultSet rs, int row) throws SQLException {
    return new Agent(rs.getLong("id"), rs.getString("name"), AgentState.valueOf(rs.getString("state")),
        rs.getString("credential_prefix"), rs.getString("target"), Json.readStringMap(rs.getString("facts")),
        instant(rs, "registered_at"), rs.getString("registered_from"), instant(rs, "approved_at"),
        rs.getString("approved_by"), instant(rs, "revoked_at"), rs.getString("revoked_by"),
        instant(rs, "last_heard_at"), rs.getLong("row_version"));
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    Timestamp t = rs.getTimestamp(column);
    return t == null ? null : t.toInstant();
  }
}
