package io.gantry.schedule;

import io.gantry.catalog.Services;
import io.gantry.deployment.Deployment;
import io.gantry.environment.Environments;
import io.gantry.model.WindowRules.Span;
import io.gantry.shared.ConflictException;
import io.gantry.shared.InvalidInputException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Declares and removes freezes. A new freeze is checked whole (refused input changes nothing), and
 * every unfinished deployment it falls on gets the conflict in its record at once.
 */
@Service
class FreezeDeclarations {

  private final Freezes freezes;
  private final Conflicts conflicts;
  private final ScheduleRows rows;
  private final Environments environments;
  private final Services services;
  private final ScheduleSettings settings;
  private final TransactionTemplate tx;
  private final Clock clock;

  FreezeDeclarations(Freezes freezes, Conflicts conflicts, ScheduleRows rows, Environments environments,
      Services services, ScheduleSettings settings, TransactionTemplate tx, Clock clock) {
    this.freezes = freezes;
    this.conflicts = conflicts;
    this.rows = rows;
    this.environments = environments;
    this.services = services;
    this.settings = settings;
    this.tx = tx;
    this.clock = clock;
  }

  Freeze declare(FreezeRules.Draft draft, String actor) {
    Instant now = clock.instant();
    FreezeRules.Checked checked = FreezeRules.check(draft, e -> environments.find(e).isPresent(),
        s -> services.find(s).isPresent(), now);
    return tx.execute(status -> {
      Freeze f = freezes.add(checked, actor, now);
      for (Deployment d : rows.unfinished()) {
        if (!f.covers(d.environment(), d.component().service())) {
          continue;
        }
        Span span = Placement.of(d, now, settings.defaultDuration);
        List<Span> held = f.recurrence().occurrences(span.start(), span.end());
        if (!held.isEmpty()) {
          conflicts.record(d.id(), ConflictFinder.inFreeze(d, f, held.getFirst()), now);
        }
      }
      return f;
    });
  }

  Freeze remove(long id, String reason, String actor) {
    if (reason == null || reason.isBlank()) {
      throw InvalidInputException.of("reason", "say why the freeze is removed (the reason is recorded)");
    }
    return tx.execute(status -> {
      Freeze f = freezes.get(id);
      if (f.removed()) {
        throw new ConflictException(f.label() + " was already removed by " + f.removedBy() + " at " + f.removedAt());
      }
      return freezes.remove(f, actor, reason.strip(), clock.instant());
    });
  }
}
