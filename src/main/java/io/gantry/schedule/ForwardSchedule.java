package io.gantry.schedule;

import io.gantry.catalog.ComponentRef;
import io.gantry.deployment.Deployment;
import io.gantry.deployment.DeploymentEvent;
import io.gantry.deployment.DeploymentEvent.WaitKind;
import io.gantry.identity.Access;
import io.gantry.identity.Scope;
import io.gantry.model.DeploymentModel;
import io.gantry.model.Models;
import io.gantry.model.Stage;
import io.gantry.model.WindowRules;
import io.gantry.model.WindowRules.Span;
import io.gantry.shared.Finding;
import io.gantry.shared.InvalidInputException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.springframework.stereotype.Service;

/**
 * The forward schedule of change (practice guide 3.2.2) over a bounded period: the deployments placed
 * in it, the occurrences of every stage's windows and of every freeze, and the conflicts recorded on
 * those deployments.
 */
@Service
class ForwardSchedule {

  /** The longest period one schedule covers. */
  static final Duration LONGEST = Duration.ofDays(366);

  private final ScheduleRows rows;
  private final Freezes freezes;
  private final Conflicts conflicts;
  private final Models models;
  private final ScheduleSettings settings;

  ForwardSchedule(ScheduleRows rows, Freezes freezes, Conflicts conflicts, Models models, ScheduleSettings settings) {
    this.rows = rows;
    this.freezes = freezes;
    this.conflicts = conflicts;
    this.models = models;
    this.settings = settings;
  }

  /** A bounded period, {@code [from, to)}. */
  record Period(Instant from, Instant to) {}

  /**
   * Reads a period: each end an ISO-8601 instant with an offset, or a date (its start, UTC). Refused
   * when an end is missing or unreadable, when it does not end after it starts, or when it is longer
   * than {@link #LONGEST}.
   */
  static Period period(String from, String to) {
    List<Finding> findings = new ArrayList<>();
    Instant a = bound("from", from, findings);
    Instant b = bound("to", to, findings);
    if (a != null && b != null) {
      if (!b.isAfter(a)) {
        findings.add(Finding.of("to", "the period ends (" + b + ") before it starts (" + a + ")"));
      } else if (Duration.between(a, b).compareTo(LONGEST) > 0) {
        findings.add(Finding.of("to", "the period from " + a + " to " + b + " is " + Duration.between(a, b).toDays()
            + " days long; a schedule covers at most " + LONGEST.toDays() + " days"));
      }
    }
    if (!findings.isEmpty()) {
      throw new InvalidInputException(findings.getFirst().message(), findings);
    }
    return new Period(a, b);
  }

  private static Instant bound(String field, String text, List<Finding> findings) {
    if (text == null || text.isBlank()) {
      findings.add(Finding.of(field, "the schedule needs a bounded period: give " + field
          + " (e.g. 2026-12-01T00:00:00Z or 2026-12-01)"));
      return null;
    }
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      // a date, below
    }
    try {
      return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
    } catch (DateTimeParseException e) {
      findings.add(Finding.of(field, "\"" + text + "\" is not a time; write ISO-8601 with an offset "
          + "(2026-12-01T00:00:00Z) or a date (2026-12-01)"));
      return null;
    }
  }

  record DeploymentEntry(long id, String kind, String component, String version, String environment, String model,
      String stage, String state, int priority, Instant start, Instant end, boolean planned, String requestedBy,
      Instant requestedAt, String reason) {}

  record WindowEntry(String environment, String model, String stage, String window, Instant start, Instant end) {}

  record FreezeEntry(long freeze, String name, String scope, String environment, String service, String recurrence,
      String reason, String declaredBy, Instant start, Instant end) {}

  /** A recorded conflict, placed where its deployment is. */
  record ConflictEntry(long id, long deployment, String kind, Long otherDeployment, Long freeze, String message,
      Instant foundAt, Instant start, Instant end) {}

  record View(Instant from, Instant to, Instant generatedAt, List<DeploymentEntry> deployments,
      List<WindowEntry> windows, List<FreezeEntry> freezes, List<ConflictEntry> conflicts) {

    /**
     * What of the schedule {@code reach} sees: the deployments in its scopes and their conflicts, the
     * freezes that apply there (those of the organisation everywhere), and the windows of a model's stage
     * when the model is used by a service it sees in that stage's environment.
     */
    View seenFrom(Access.Reach reach, Map<String, Set<String>> servicesByModel) {
      if (reach.everywhere()) {
        return this;
      }
      List<DeploymentEntry> seen = reach.filter(deployments,
          d -> new Scope(ComponentRef.parse(d.component()).service(), d.environment()));
      Set<Long> ids = seen.stream().map(DeploymentEntry::id).collect(Collectors.toSet());
      return new View(from, to, generatedAt, seen,
          windows.stream().filter(w -> servicesByModel.getOrDefault(w.model(), Set.of()).stream()
              .anyMatch(service -> reach.sees(new Scope(service, w.environment())))).toList(),
          reach.filter(freezes, f -> new Scope(f.service(), f.environment())),
          conflicts.stream().filter(c -> ids.contains(c.deployment())).toList());
    }
  }

  View build(Period period, Instant now) {
    List<DeploymentEntry> placed = new ArrayList<>();
    Map<Long, Placement.Placed> spans = new HashMap<>();
    List<ConflictEntry> waits = new ArrayList<>();
    for (Deployment d : rows.around(period.from(), period.to())) {
      Placement.Placed at = place(d, now, period.to());
      if (!at.in(period.from(), period.to())) {
        continue;
      }
      spans.put(d.id(), at);
      placed.add(new DeploymentEntry(d.id(), d.kind().id(), d.component().toString(), d.version(), d.environment(),
          d.model(), d.stage(), d.state().name(), d.priority(), at.start(), at.end(), Placement.planned(d),
          d.requestedBy(), d.requestedAt(), d.reason()));
      for (Placement.Note note : at.notes()) {
        waits.add(new ConflictEntry(0, d.id(), note.kind(), null, note.freeze(), ConflictFinder.describe(d) + " "
            + note.message(), now, at.start(), at.end()));
      }
    }
    placed.sort(Comparator.comparing(DeploymentEntry::start, Comparator.nullsLast(Comparator.naturalOrder()))
        .thenComparing(DeploymentEntry::id));

    List<WindowEntry> windows = new ArrayList<>();
    for (DeploymentModel model : models.all()) {
      if (model.retired() || model.definition() == null) {
        continue;
      }
      for (Stage stage : model.definition().spec().stages()) {
        for (Stage.Window w : stage.windows()) {
          WindowRules.Weekly weekly;
          try {
            weekly = WindowRules.parse(w.days(), w.start(), w.end(), w.timeZone());
          } catch (IllegalArgumentException e) {
            continue; // refused when the model was applied; an older one is shown by the gate's failure
          }
          for (Span s : weekly.occurrences(period.from(), period.to())) {
            windows.add(new WindowEntry(stage.environment(), model.name(), stage.name(), weekly.describe(),
                s.start(), s.end()));
          }
        }
      }
    }
    windows.sort(Comparator.comparing(WindowEntry::start).thenComparing(WindowEntry::environment));

    List<FreezeEntry> frozen = new ArrayList<>();
    for (Freeze f : freezes.active()) {
      for (Span s : f.recurrence().occurrences(period.from(), period.to())) {
        frozen.add(new FreezeEntry(f.id(), f.name(), f.scope(), f.environment(), f.service(),
            f.recurrence().describe(), f.reason(), f.declaredBy(), s.start(), s.end()));
      }
    }
    frozen.sort(Comparator.comparing(FreezeEntry::start).thenComparing(FreezeEntry::freeze));

    List<ConflictEntry> found = new ArrayList<>(conflicts.of(spans.keySet()).stream().map(c -> new ConflictEntry(
        c.id(), c.deployment(), c.kind().name(), c.otherDeployment(), c.freeze(), c.message(), c.foundAt(),
        spans.get(c.deployment()).start(), spans.get(c.deployment()).end())).toList());
    // a freeze already recorded as a conflict of the deployment is not listed twice
    Set<String> recorded = found.stream().filter(c -> c.freeze() != null).map(c -> c.deployment() + ":" + c.freeze())
        .collect(Collectors.toSet());
    waits.stream().filter(c -> c.freeze() == null || !recorded.contains(c.deployment() + ":" + c.freeze()))
        .forEach(found::add);
    return new View(period.from(), period.to(), now, placed, windows, frozen, found);
  }

  /**
   * Where a deployment goes: a finished or running one where its record puts it, one not started yet
   * by {@link Placement#waiting} with its stage's windows (of the model as it is now), the freezes
   * covering it and the planned start of the change it waits for, if its current wait says so.
   */
  private Placement.Placed place(Deployment d, Instant now, Instant horizon) {
    if (d.state().isFinal()) {
      return Placement.recorded(d);
    }
    if (d.startedAt() != null) {
      Span span = Placement.of(d, now, settings.defaultDuration);
      return new Placement.Placed(span.start(), span.end(), List.of());
    }
    List<WindowRules.Weekly> windows = new ArrayList<>();
    Stage stage = models.find(d.model()).filter(m -> m.definition() != null).flatMap(m -> m.definition().spec()
        .stages().stream().filter(s -> s.name().equals(d.stage())).findFirst()).orElse(null);
    if (stage != null) {
      for (Stage.Window w : stage.windows()) {
        try {
          windows.add(WindowRules.parse(w.days(), w.start(), w.end(), w.timeZone()));
        } catch (IllegalArgumentException e) {
          // refused when the model was applied; the gate fails the deployment saying so
        }
      }
    }
    Optional<DeploymentEvent> wait = rows.currentWait(d.id()).filter(e -> e.waitingFor() == WaitKind.CHANGE);
    Instant changeStart = wait.map(e -> CHANGE_START.matcher(e.message())).filter(Matcher::find)
        .map(ForwardSchedule::instant).orElse(null);
    return Placement.waiting(d, now, settings.defaultDuration, d.stage(), windows,
        freezes.covering(d.environment(), d.component().service()), changeStart,
        wait.map(DeploymentEvent::message).orElse(null), horizon);
  }

  private static Instant instant(Matcher m) {
    try {
      return Instant.parse(m.group(1));
    } catch (DateTimeParseException e) {
      return null; // not the change gate's wording: the wait is still listed, with no time from it
    }
  }

  /** The planned start the change gate names when a deployment waits for its change to start. */
  private static final Pattern CHANGE_START = Pattern.compile("at its planned start (\\S+)$");
}
