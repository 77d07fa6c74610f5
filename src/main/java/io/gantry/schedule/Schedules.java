package io.gantry.schedule;

import io.gantry.identity.Access;
import io.gantry.model.ModelServices;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.springframework.stereotype.Service;

/**
 * The forward schedule and its freezes as other modules read and change them: the same schedule the
 * API serves (GET /api/v1/schedule), seen as far as the reader's roles reach, and freezes declared and
 * removed through the same service as the API's. The caller checks who may declare or remove a freeze
 * (a deployment manager, as the API's endpoints do).
 */
@Service
public class Schedules {

  private final ForwardSchedule schedule;
  private final FreezeDeclarations declarations;
  private final Freezes freezes;
  private final ModelServices modelServices;
  private final Access access;
  private final Clock clock;

  Schedules(ForwardSchedule schedule, FreezeDeclarations declarations, Freezes freezes, ModelServices modelServices,
      Access access, Clock clock) {
    this.schedule = schedule;
    this.declarations = declarations;
    this.freezes = freezes;
    this.modelServices = modelServices;
    this.access = access;
    this.clock = clock;
  }

  /** A deployment placed on the schedule ({@code planned}: at a time someone asked for). */
  public record Placed(long id, String component, String version, String environment, String stage, String state,
      Instant start, Instant end, boolean planned, String requestedBy) {}

  /** One occurrence of a stage's deployment window. */
  public record WindowBand(String environment, String model, String stage, String window, Instant start,
      Instant end) {}

  /** One occurrence of a freeze. */
  public record FreezeBand(long freeze, String name, String scope, String reason, String declaredBy, Instant start,
      Instant end) {}

  /** A conflict of a deployment on the schedule (kind: OVERLAP, FREEZE, FREEZE_OVERRIDDEN, DEPENDENCY, a wait). */
  public record ConflictMark(long deployment, String kind, String message, Instant start, Instant end) {}

  /** The schedule of {@code [from, to)} as one reader sees it. */
  public record Seen(Instant from, Instant to, Instant generatedAt, List<Placed> deployments,
      List<WindowBand> windows, List<FreezeBand> freezes, List<ConflictMark> conflicts) {}

  /** A freeze in force. */
  public record FreezeRecord(long id, String name, String reason, String scope, String schedule, String declaredBy,
      Instant declaredAt) {
    static FreezeRecord of(Freeze f) {
      return new FreezeRecord(f.id(), f.name(), f.reason(), f.scope(), f.recurrence().describe(), f.declaredBy(),
          f.declaredAt());
    }
  }

  /** A freeze as asked for: {@code recurrence} once (from/to ISO-8601), yearly or weekly, as the API takes it. */
  public record NewFreeze(String name, String reason, String environment, String service, String recurrence,
      String from, String to, List<String> days, String timeZone) {}

  /**
   * The schedule from {@code from} to {@code to} (ISO-8601 instants or dates, at most 366 days apart)
   * as far as {@code user}'s roles reach, exactly as the API's schedule.
   */
  public Seen seenBy(String user, String from, String to) {
    ForwardSchedule.View seen = view(user, from, to);
    return new Seen(seen.from(), seen.to(), seen.generatedAt(),
        seen.deployments().stream().map(d -> new Placed(d.id(), d.component(), d.version(), d.environment(), d.stage(),
            d.state(), d.start(), d.end(), d.planned(), d.requestedBy())).toList(),
        seen.windows().stream().map(w -> new WindowBand(w.environment(), w.model(), w.stage(), w.window(), w.start(),
            w.end())).toList(),
        seen.freezes().stream().map(f -> new FreezeBand(f.freeze(), f.name(), f.scope(), f.reason(), f.declaredBy(),
            f.start(), f.end())).toList(),
        seen.conflicts().stream().map(c -> new ConflictMark(c.deployment(), c.kind(), c.message(), c.start(),
            c.end())).toList());
  }

  /** The same schedule as iCalendar (RFC 5545), as the API's feed GET /api/v1/schedule.ics renders it. */
  public String icalendar(String user, String from, String to) {
    return ICalendar.render(view(user, from, to));
  }

  private ForwardSchedule.View view(String user, String from, String to) {
    ForwardSchedule.View view = schedule.build(ForwardSchedule.period(from, to), clock.instant());
    Access.Reach reach = access.reach(user, Access.INSIDERS);
    return reach.everywhere() ? view : view.seenFrom(reach, modelServices.all());
  }

  /** The freezes in force that apply where {@code user}'s roles reach, as the API lists them. */
  public List<FreezeRecord> activeFreezes(String user) {
    return access.reach(user, Access.INSIDERS).filter(freezes.active(), FreezeController::scope).stream()
        .map(FreezeRecord::of).toList();
  }

  /** Declares a freeze, checked whole as through the API; refused input changes nothing. */
  public FreezeRecord declare(NewFreeze n, String actor) {
    return FreezeRecord.of(declarations.declare(new FreezeRules.Draft(n.name(), n.reason(), blank(n.environment()),
        blank(n.service()), n.recurrence(), n.from(), n.to(), n.days(), blank(n.timeZone())), actor));
  }

  /** Removes (lifts) a freeze, saying why, as through the API. */
  public FreezeRecord remove(long id, String reason, String actor) {
    return FreezeRecord.of(declarations.remove(id, reason, actor));
  }

  private static String blank(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }
}
