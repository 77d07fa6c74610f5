package io.gantry.schedule;

import io.gantry.deployment.Deployment;
import io.gantry.deployment.DeploymentEvent;
import io.gantry.deployment.DeploymentEvent.WaitKind;
import io.gantry.deployment.DeploymentGate;
import io.gantry.model.Stage;
import io.gantry.model.WindowRules;
import io.gantry.model.WindowRules.Span;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Holds a deployment back until its stage's window is open and no freeze holds it, and finds its
 * conflicts when it is requested and again when it starts. A freeze wins over a window; only an
 * emergency change ({@link FreezeExemptions}) runs inside a freeze, and that is recorded. A deployment
 * still waiting for a window once the window it was planned for has closed (plus {@code
 * gantry.schedule.window-expiry}) fails as having missed it. A requirement on another component
 * that the environment does not meet fails the deployment at its start; overlaps are recorded as
 * warnings (the lock runs deployments of one component one at a time).
 *
 * <p>Ordered late among the gates, so that authorization is asked for first and the requirements
 * are checked as close to the start as can be.
 */
@Component
@Order(Ordered.LOWEST_PRECEDENCE)
class ScheduleGate implements DeploymentGate {

  private final Freezes freezes;
  private final ConflictFinder finder;
  private final Conflicts conflicts;
  private final ScheduleSettings settings;
  private final TransactionTemplate tx;
  private final Supplier<List<FreezeExemptions>> exemptions;

  @Autowired
  ScheduleGate(Freezes freezes, ConflictFinder finder, Conflicts conflicts, ScheduleSettings settings,
      TransactionTemplate tx, ObjectProvider<FreezeExemptions> exemptions) {
    this(freezes, finder, conflicts, settings, tx, io.gantry.shared.OrderedBeans.once(exemptions));
  }

  ScheduleGate(Freezes freezes, ConflictFinder finder, Conflicts conflicts, ScheduleSettings settings,
      TransactionTemplate tx, Supplier<List<FreezeExemptions>> exemptions) {
    this.freezes = freezes;
    this.finder = finder;
    this.conflicts = conflicts;
    this.settings = settings;
    this.tx = tx;
    this.exemptions = exemptions;
  }

  @Override
  public void requested(Deployment d, Stage stage, Instant now) {
    finder.atRequest(d, now).forEach(found -> conflicts.record(d.id(), found, now));
  }

  @Override
  public Verdict check(Deployment d, Stage stage, Instant now) {
    Verdict frozen = freezes(d, now);
    if (frozen != null) {
      return frozen;
    }
    Verdict window = windows(d, stage, now);
    if (window != null) {
      return window;
    }
    List<ConflictFinder.Unmet> requirements = finder.unmet(d);
    List<Conflict.Found> unmet = requirements.stream().map(ConflictFinder.Unmet::found).toList();
    // at most ConflictFinder.MAX_OVERLAPS overlaps are recorded for a deployment, at its request and
    // its start together: once they are, the start does not look for more
    List<Conflict.Found> overlaps = conflicts.count(d.id(), Conflict.Kind.OVERLAP) >= ConflictFinder.MAX_OVERLAPS
        ? List.of() : finder.overlaps(d, Placement.starting(d, now, settings.defaultDuration), now);
    tx.executeWithoutResult(s -> {
      unmet.forEach(found -> conflicts.record(d.id(), found, now));
      overlaps.forEach(found -> conflicts.record(d.id(), found, now));
    });
    if (!requirements.isEmpty() && requirements.stream().allMatch(r -> !r.earlier().isEmpty())) {
      // what it needs was asked for first: it goes after that, rather than failing for want of it
      Deployment first = requirements.getFirst().earlier().getFirst();
      return new Verdict.Wait(DeploymentEvent.WaitKind.LOCK, "deployment #" + first.id() + " of " + first.component()
          + " " + first.version() + ", which it requires, to end", null);
    }
    if (!unmet.isEmpty()) {
      return new Verdict.Fail("missing dependency: " + String.join("; ", unmet.stream()
          .map(Conflict.Found::message).toList()));
    }
    return Verdict.PASS;
  }

  /** A wait for the end of the freezes holding the deployment now, unless it is exempt (then recorded). */
  private Verdict freezes(Deployment d, Instant now) {
    List<Freeze> holding = new ArrayList<>();
    List<Span> spans = new ArrayList<>();
    for (Freeze f : freezes.covering(d.environment(), d.component().service())) {
      f.holdingAt(now).ifPresent(span -> {
        holding.add(f);
        spans.add(span);
      });
    }
    if (holding.isEmpty()) {
      return null;
    }
    Optional<String> exemption = exemptions.get().stream().map(e -> e.exemption(d)).flatMap(Optional::stream)
        .findFirst();
    if (exemption.isPresent()) {
      tx.executeWithoutResult(s -> {
        for (int i = 0; i < holding.size(); i++) {
          Freeze f = holding.get(i);
          conflicts.record(d.id(), new Conflict.Found(Conflict.Kind.FREEZE_OVERRIDDEN, "freeze:" + f.id(), null,
              f.id(), ConflictFinder.describe(d) + " runs inside " + f.label() + " (" + f.scope() + ", "
                  + spans.get(i).start() + " to " + spans.get(i).end() + ": " + f.reason()
                  + ") as an emergency change: " + exemption.get()), now);
        }
      });
      return null;
    }
    int last = 0;
    for (int i = 1; i < spans.size(); i++) {
      if (spans.get(i).end().isAfter(spans.get(last).end())) {
        last = i;
      }
    }
    Freeze f = holding.get(last);
    return new Verdict.Wait(WaitKind.WINDOW, "the end of " + f.label() + " (" + f.scope() + ") at "
        + spans.get(last).end() + ": " + f.reason(), spans.get(last).end());
  }

  /** A wait for the next opening of the stage's windows, a failure once the planned one is missed, or null. */
  private Verdict windows(Deployment d, Stage stage, Instant now) {
    if (stage.windows().isEmpty()) {
      return null;
    }
    List<WindowRules.Weekly> windows = new ArrayList<>();
    for (Stage.Window w : stage.windows()) {
      try {
        windows.add(WindowRules.parse(w.days(), w.start(), w.end(), w.timeZone()));
      } catch (IllegalArgumentException e) {
        return new Verdict.Fail("stage " + stage.name() + " has a window that cannot be read (" + e.getMessage()
            + "); correct the model");
      }
    }
    if (windows.stream().anyMatch(w -> w.openAt(now).isPresent())) {
      return null;
    }
    Instant asked = d.plannedStart() != null && d.plannedStart().isAfter(d.requestedAt()) ? d.plannedStart()
        : d.requestedAt();
    Comparator<Opening> byStart = Comparator.comparing(o -> o.span().start());
    Opening plannedFor = windows.stream().map(w -> new Opening(w, w.currentOrNext(asked))).min(byStart).orElseThrow();
    Instant expires = settings.windowExpiry == null ? null : plannedFor.span().end().plus(settings.windowExpiry);
    if (expires != null && !now.isBefore(expires)) {
      return new Verdict.Fail("missed its window: it was planned for the window " + plannedFor.window().describe()
          + " from " + plannedFor.span().start() + " to " + plannedFor.span().end() + " and had not started by "
          + now + " (gantry.schedule.window-expiry=" + settings.windowExpiryText + "); request it again for a "
          + "later window");
    }
    Opening next = windows.stream().map(w -> new Opening(w, w.nextOpening(now))).min(byStart).orElseThrow();
    Instant lookAgain = expires != null && expires.isBefore(next.span().start()) ? expires : next.span().start();
    return new Verdict.Wait(WaitKind.WINDOW, "the window " + next.window().describe() + " of stage " + stage.name()
        + ", opening at " + next.span().start(), lookAgain);
  }

  private record Opening(WindowRules.Weekly window, Span span) {}
}
