package io.gantry.schedule;

import io.gantry.catalog.ComponentRef;
import io.gantry.identity.Access;
import io.gantry.identity.Scope;
import io.gantry.model.ModelServices;
import io.gantry.shared.InvalidInputException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1")
@Tag(name = "Schedule", description = "The forward schedule of change, its iCalendar feed, and the deployment backlog")
class ScheduleController {

  /** What the iCalendar feed covers when not told: a week back and 90 days ahead. */
  static final Duration FEED_BEFORE = Duration.ofDays(7);
  static final Duration FEED_AFTER = Duration.ofDays(90);

  private final ForwardSchedule schedule;
  private final Backlog backlog;
  private final ModelServices modelServices;
  private final Access access;
  private final Clock clock;

  ScheduleController(ForwardSchedule schedule, Backlog backlog, ModelServices modelServices, Access access,
      Clock clock) {
    this.schedule = schedule;
    this.backlog = backlog;
    this.modelServices = modelServices;
    this.access = access;
    this.clock = clock;
  }

  /** The schedule of the period as far as the caller's roles reach. */
  private ForwardSchedule.View build(ForwardSchedule.Period period, Instant now, Principal principal) {
    ForwardSchedule.View view = schedule.build(period, now);
    Access.Reach reach = access.reach(principal.getName(), Access.INSIDERS);
    return reach.everywhere() ? view : view.seenFrom(reach, modelServices.all());
  }

  @GetMapping("/schedule")
  @Operation(summary = "Deployments, window and freeze occurrences and conflicts from one time to another "
      + "(both required, at most 366 days apart)")
  ForwardSchedule.View schedule(@RequestParam(required = false) String from,
      @RequestParam(required = false) String to, Principal principal) {
    return build(ForwardSchedule.period(from, to), clock.instant(), principal);
  }

  @GetMapping("/schedule.ics")
  @Operation(summary = "The schedule's deployments, freezes and conflicts as an iCalendar feed (RFC 5545); "
      + "by default from a week ago to 90 days ahead")
  ResponseEntity<String> calendar(@RequestParam(required = false) String from,
      @RequestParam(required = false) String to, Principal principal) {
    Instant now = clock.instant();
    ForwardSchedule.Period period = ForwardSchedule.period(from == null ? now.minus(FEED_BEFORE).toString() : from,
        to == null ? now.plus(FEED_AFTER).toString() : to);
    return ResponseEntity.ok().contentType(new MediaType("text", "calendar", StandardCharsets.UTF_8))
        .header("Content-Disposition", "inline; filename=\"gantry-schedule.ics\"")
        .body(ICalendar.render(build(period, now, principal)));
  }

  @GetMapping("/queue")
  @Operation(summary = "The deployment backlog: per environment and component, unfinished deployments in lock "
      + "order with position, priority, age and what each waits for")
  List<Backlog.Queue> queue(@RequestParam(required = false) String environment,
      @RequestParam(required = false) String component, Principal principal) {
    ComponentRef ref = null;
    if (component != null) {
      try {
        ref = ComponentRef.parse(component);
      } catch (IllegalArgumentException e) {
        throw InvalidInputException.of("component", e.getMessage());
      }
    }
    return access.reach(principal.getName(), Access.INSIDERS).filter(backlog.queues(environment, ref, clock.instant()),
        q -> new Scope(ComponentRef.parse(q.component()).service(), q.environment()));
  }
}
