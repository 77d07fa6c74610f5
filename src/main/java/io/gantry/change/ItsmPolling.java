package io.gantry.change;

import io.gantry.shared.ConflictException;
import io.gantry.shared.InvalidInputException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * Follows changes decided in an external ITSM tool: asks the tool about each submitted change when its
 * poll is due, or at once when the tool calls back, and moves the change to authorized or rejected as
 * the tool's answer maps. A change with no decision (or no answer) within the system's timeout is
 * rejected, the reason saying so.
 */
@Component
public class ItsmPolling {

  /** The shortest time a server holds a due poll it took (see {@link #claim}). */
  static final Duration CLAIM = Duration.ofMinutes(1);

  private final Changes changes;
  private final ItsmSettings settings;
  private final Map<String, ItsmClient> clients = new ConcurrentHashMap<>();
  /** A secret's value by its name, for credentials kept as secrets; throws when it cannot be given. */
  private final java.util.function.UnaryOperator<String> secrets;

  /** Polling that takes no credentials from the secret store. */
  public ItsmPolling(Changes changes, ItsmSettings settings) {
    this(changes, settings, name -> {
      throw new IllegalStateException("this server has no secret store");
    });
  }

  @org.springframework.beans.factory.annotation.Autowired
  public ItsmPolling(Changes changes, ItsmSettings settings, io.gantry.secret.Secrets secrets) {
    this(changes, settings, secrets::value);
  }

  private ItsmPolling(Changes changes, ItsmSettings settings, java.util.function.UnaryOperator<String> secrets) {
    this.changes = changes;
    this.settings = settings;
    this.secrets = secrets;
  }

  /** Asks about every submitted external change whose poll is due; answers how many were asked about. */
  public int pollDue() {
    int asked = 0;
    Instant now = changes.clock().instant();
    for (Change c : changes.records().externalDue(now)) {
      if (claim(c, now)) {
        poll(c);
        asked++;
      }
    }
    return asked;
  }

  /**
   * Takes a due poll away from the other servers: its next poll moves a claim's time ahead (the system's
   * poll interval, at least {@link #CLAIM}), so the others skip it; the answer sets the real next poll, and
   * a server that dies while asking leaves the poll due again when the claim runs out.
   */
  private boolean claim(Change c, Instant now) {
    ItsmSettings.ItsmSystem system = settings.systems().get(c.external().system());
    Duration hold = system == null || system.pollInterval().compareTo(CLAIM) < 0 ? CLAIM : system.pollInterval();
    return changes.records().claimExternalPoll(c.id(), now, now.plus(hold));
  }

  /** The tool called back without saying more: ask it now. */
  public Change pollNow(String key) {
    Change c = awaiting(changes.get(key));
    return poll(c);
  }

  /**
   * The tool called back: with no body, ask it now; with a stated value for its reference, signed with
   * the secret shared with it, take that value (see {@link ItsmCallbacks}).
   */
  public Change callback(String key, byte[] body, String signature, String actor) {
    ItsmCallbacks.Said said = ItsmCallbacks.read(body);
    if (said.asksOnly()) {
      return pollNow(key);
    }
    Change c = awaiting(changes.get(key));
    ItsmCallbacks.requireSigned(c.external().system(), system(c), body, signature);
    if (!said.reference().equals(c.external().reference())) {
      throw InvalidInputException.of("reference", "the callback is about " + said.reference() + ", but " + c.key()
          + " stands for " + c.external().reference() + " in " + c.external().system());
    }
    return report(key, said.state(), actor);
  }

  /**
   * The tool called back with the change's value (its own, e.g. "approved" or "Declined", or one of
   * approved / rejected / pending).
   */
  Change report(String key, String value, String actor) {
    Change c = awaiting(changes.get(key));
    if (value == null || value.isBlank()) {
      throw InvalidInputException.of("state", "give the external state, or none to have Gantry ask");
    }
    ItsmSettings.ItsmSystem system = system(c);
    String v = value.strip();
    boolean known = system.mapped(v) || v.equals("approved") || v.equals("rejected") || v.equals("pending");
    if (!known) {
      throw InvalidInputException.of("state", "\"" + v + "\" means nothing in the state-mapping of "
          + c.external().system() + "; map it under gantry.itsm.systems." + c.external().system() + ".state-mapping");
    }
    return apply(c, v, null, actor);
  }

  private Change awaiting(Change c) {
    if (c.external() == null) {
      throw new ConflictException(c.key() + " does not stand for a change in an external system");
    }
    if (c.state() != ChangeState.ASSESSED) {
      throw new ConflictException(c.key() + " is not awaiting a decision (it is " + c.state().id() + ")");
    }
    return c;
  }

  private ItsmSettings.ItsmSystem system(Change c) {
    ItsmSettings.ItsmSystem system = settings.systems().get(c.external().system());
    if (system == null) {
      throw new ConflictException("ITSM system \"" + c.external().system() + "\" of " + c.key()
          + " is no longer configured");
    }
    return system;
  }

  private Change poll(Change c) {
    ItsmSettings.ItsmSystem system = settings.systems().get(c.external().system());
    if (system == null) {
      return apply(c, null, "ITSM system \"" + c.external().system() + "\" is not configured", Changes.SYSTEM);
    }
    ItsmClient client = clients.computeIfAbsent(c.external().system(), n -> new ItsmClient(n, system, secrets));
    try {
      return apply(c, client.fetch(c.external().reference()), null, c.external().system());
    } catch (ItsmClient.ItsmException e) {
      return apply(c, null, e.getMessage(), c.external().system());
    }
  }

  /** Records what was learned and moves the change if the answer is decisive or the timeout has passed. */
  private Change apply(Change seen, String value, String error, String actor) {
    ItsmSettings.ItsmSystem system = settings.systems().get(seen.external().system());
    Change moved = changes.tx().execute(s -> {
      ChangeRecords records = changes.records();
      Change c = records.lock(seen.id());
      if (c.state() != ChangeState.ASSESSED) {
        return c;
      }
      Instant now = changes.clock().instant();
      String name = c.external().system();
      String ref = c.external().reference();
      ChangeRecords.ExternalStatus before = records.externalStatus(c.id());
      String meaning = value == null ? null : meaning(system, value);
      String said = value == null ? "no answer: " + error : name + " says " + ref + " is \"" + value + "\" ("
          + meaning + ")";
      boolean news = value != null ? !value.equals(before.state()) || before.error() != null
          : !error.equals(before.error());
      if (news) {
        records.history(c.id(), now, ChangeEntry.Kind.EXTERNAL, null, null, actor, said);
      }
      if ("approved".equals(meaning)) {
        records.externalChecked(c.id(), value, null, now, null);
        return records.transition(c, ChangeState.AUTHORIZED, ChangeRecords.ClosureCodeOrNull.NONE, actor,
            "authorized: approved in " + name + " (" + ref + " is \"" + value + "\")", now);
      }
      if ("rejected".equals(meaning)) {
        records.externalChecked(c.id(), value, null, now, null);
        return records.transition(c, ChangeState.REJECTED, ChangeRecords.ClosureCodeOrNull.NONE, actor,
            "rejected in " + name + " (" + ref + " is \"" + value + "\")", now);
      }
      Duration timeout = system == null ? Duration.ZERO : system.timeout();
      if (c.submittedAt() != null && !c.submittedAt().plus(timeout).isAfter(now)) {
        records.externalChecked(c.id(), value, error, now, null);
        String last = value != null ? "it is still \"" + value + "\"" : error;
        return records.transition(c, ChangeState.REJECTED, ChangeRecords.ClosureCodeOrNull.NONE, Changes.SYSTEM,
            "rejected for want of a decision: " + name + " gave none on " + ref + " within " + timeout
                + " of submission (last: " + last + ")", now);
      }
      records.externalChecked(c.id(), value, error, now, now.plus(system.pollInterval()));
      return records.get(c.id());
    });
    changes.wakeDeployments(moved);
    return moved;
  }

  /** The tool's value as approved, rejected or pending; Gantry's own words stand for themselves. */
  private static String meaning(ItsmSettings.ItsmSystem system, String value) {
    if (system != null && system.mapped(value)) {
      return system.meaning(value);
    }
    return value.equals("approved") || value.equals("rejected") ? value : "pending";
  }
}
