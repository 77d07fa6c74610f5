package io.gantry.metrics;

import io.gantry.identity.Access;
import io.gantry.identity.Scope;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.security.Principal;
import java.time.Clock;
import java.time.Duration;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The period reports: practice KPIs, DORA measures and the value stream map, as JSON or, with
 * {@code format=csv} or {@code Accept: text/csv}, as CSV. A caller holding its roles in scopes only
 * asks for a service and/or environment inside one of them: the figures then count nothing it does not
 * reach.
 */
@RestController
@Tag(name = "Metrics", description = "Practice KPIs, DORA measures and the value stream map, from the records")
class MetricsController {

  static final MediaType CSV = MediaType.parseMediaType("text/csv;charset=UTF-8");

  private final KpiReports kpis;
  private final DoraReports dora;
  private final ValueStreams valueStreams;
  private final DeploymentReach deployments;
  private final Access access;
  private final Clock clock;

  MetricsController(KpiReports kpis, DoraReports dora, ValueStreams valueStreams, DeploymentReach deployments,
      Access access, Clock clock) {
    this.kpis = kpis;
    this.dora = dora;
    this.valueStreams = valueStreams;
    this.deployments = deployments;
    this.access = access;
    this.clock = clock;
  }

  /** The filter, refused unless every deployment it lets through lies inside the caller's scopes. */
  private MetricsFilter filter(String service, String environment, String model, String team, String external,
      String what, Principal principal) {
    MetricsFilter f = new MetricsFilter(service, environment, model, team,
        MetricsFilter.External.parse("external", external));
    access.reach(principal.getName(), Access.INSIDERS).requireCovers(what, new Scope(f.service(), f.environment()));
    return f;
  }

  @GetMapping("/api/v1/metrics/kpis")
  @Operation(summary = "The practice KPIs (Table 2.4) of the deployments that ended in [from, to); from and to are "
      + "dates (to included) or instants; tolerance: schedule adherence tolerance in minutes (default 15)")
  ResponseEntity<?> kpis(@RequestParam(required = false) String from, @RequestParam(required = false) String to,
      @RequestParam(required = false) String service, @RequestParam(required = false) String environment,
      @RequestParam(required = false) String model, @RequestParam(required = false) String team,
      @RequestParam(required = false) String external,
      @RequestParam(required = false) Long tolerance, @RequestParam(required = false) String format,
      @RequestHeader(value = "Accept", required = false) String accept, Principal principal) {
    boolean csv = csv(format, accept);
    KpiReport report = kpis.report(Period.parse(from, to, clock),
        filter(service, environment, model, team, external, "the KPIs", principal),
        tolerance == null ? null : Duration.ofMinutes(tolerance));
    return csv ? csv(Csv.measures("kpis", report)) : ResponseEntity.ok(report);
  }

  @GetMapping("/api/v1/metrics/dora")
  @Operation(summary = "The DORA measures of production deployments that ended in [from, to), with their "
      + "2024 performance levels")
  ResponseEntity<?> dora(@RequestParam(required = false) String from, @RequestParam(required = false) String to,
      @RequestParam(required = false) String service, @RequestParam(required = false) String environment,
      @RequestParam(required = false) String model, @RequestParam(required = false) String team,
      @RequestParam(required = false) String external,
      @RequestParam(required = false) String format, @RequestHeader(value = "Accept", required = false) String accept,
      Principal principal) {
    boolean csv = csv(format, accept);
    DoraReport report = dora.report(Period.parse(from, to, clock),
        filter(service, environment, model, team, external, "the DORA measures", principal));
    return csv ? csv(Csv.measures("dora", report)) : ResponseEntity.ok(report);
  }

  @GetMapping("/api/v1/vsm")
  @Operation(summary = "The value stream map of the deployments that ended in [from, to): process and waiting "
      + "time per activity and per kind of wait, biggest waits first")
  ResponseEntity<?> vsm(@RequestParam(required = false) String from, @RequestParam(required = false) String to,
      @RequestParam(required = false) String service, @RequestParam(required = false) String environment,
      @RequestParam(required = false) String model, @RequestParam(required = false) String team,
      @RequestParam(required = false) String external,
      @RequestParam(required = false) String format, @RequestHeader(value = "Accept", required = false) String accept,
      Principal principal) {
    boolean csv = csv(format, accept);
    ValueStreamMap map = valueStreams.map(Period.parse(from, to, clock),
        filter(service, environment, model, team, external, "the value stream map", principal));
    return csv ? csv(Csv.valueStream(map.totals(), map.activities(), map.waits())) : ResponseEntity.ok(map);
  }

  @GetMapping({"/api/v1/deployments/{id}/vsm", "/api/v1/vsm/deployments/{id}"})
  @Operation(summary = "One deployment's value stream: its process and wait segments in order, with totals")
  ResponseEntity<?> timeline(@PathVariable long id, @RequestParam(required = false) String format,
      @RequestHeader(value = "Accept", required = false) String accept, Principal principal) {
    boolean csv = csv(format, accept);
    deployments.require(id, principal);
    ValueStreamMap.Timeline timeline = valueStreams.timeline(id);
    if (!csv) {
      return ResponseEntity.ok(timeline);
    }
    Csv out = new Csv("deployment", "activity", "type", "waiting_for", "from", "to", "seconds", "open", "what");
    timeline.segments().forEach(s -> out.row(id, s.activity(), s.type(), s.waitingFor(), s.from(), s.to(),
        s.seconds(), s.open(), s.what()));
    return csv(out.toString());
  }

  static boolean csv(String format, String accept) {
    if (format != null) {
      return switch (format.strip().toLowerCase(java.util.Locale.ROOT)) {
        case "csv" -> true;
        case "json" -> false;
        default -> throw io.gantry.shared.InvalidInputException.of("format", "\"" + format
            + "\" is not a format: use json or csv");
      };
    }
    return accept != null && accept.contains("text/csv") && !accept.contains("application/json");
  }

  static ResponseEntity<String> csv(String body) {
    return ResponseEntity.ok().contentType(CSV).body(body);
  }
}
