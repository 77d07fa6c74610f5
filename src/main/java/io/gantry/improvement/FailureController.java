package io.gantry.improvement;

import io.gantry.identity.Access;
import io.gantry.metrics.Period;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.security.Principal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Tag(name = "Failure analysis", description = "Failed and rolled-back deployments grouped by their causes")
class FailureController {

  /** The period looked at when none is given: the last 30 days. */
  static final Duration DEFAULT_PERIOD = Duration.ofDays(30);

  private final FailureAnalysis analysis;
  private final Access access;
  private final Clock clock;

  FailureController(FailureAnalysis analysis, Access access, Clock clock) {
    this.analysis = analysis;
    this.access = access;
    this.clock = clock;
  }

  @GetMapping("/api/v1/failures")
  @Operation(summary = "Failed and rolled-back deployments of a period (default the last 30 days) grouped by "
      + "signature, step, target, stage or model version, most frequent first, with a trend per day or week; only "
      + "deployments the caller may read count")
  FailureAnalysis.Analysis failures(@RequestParam(required = false) String from,
      @RequestParam(required = false) String to, @RequestParam(required = false) String by, Principal principal) {
    Period period = period(from, to, clock);
    FailureAnalysis.By grouping = FailureAnalysis.By.parse("by", by);
    Access.Reach reach = access.reach(principal.getName(), Access.INSIDERS);
    return analysis.analyse(period.from(), period.to(), grouping, reach.everywhere() ? null : reach.scopes());
  }

  /**
   * The period of {@code from} and {@code to} as the metrics read them: neither is the last 30 days, a missing end
   * is now.
   */
  static Period period(String from, String to, Clock clock) {
    boolean noFrom = from == null || from.isBlank();
    boolean noTo = to == null || to.isBlank();
    if (noFrom && noTo) {
      Instant now = clock.instant();
      return new Period(now.minus(DEFAULT_PERIOD), now);
    }
    if (noFrom) {
      throw io.gantry.shared.InvalidInputException.of("from", "a period with an end (to) needs its start (from) "
          + "too; give neither for the last 30 days");
    }
    return Period.parse(from, noTo ? clock.instant().toString() : to, clock);
  }
}
