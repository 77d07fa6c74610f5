package io.gantry.metrics;

import io.gantry.identity.Access;
import io.gantry.identity.Role;
import io.gantry.identity.Scope;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.security.Principal;
import java.time.Clock;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * KPI targets and their evaluations. Deployment managers set and remove targets in the scopes they hold the role
 * in, and evaluate (which covers every scope with a target, so only one who holds the role everywhere); insiders
 * read the targets and the results of the scopes they reach.
 */
@RestController
@Tag(name = "KPI targets", description = "Targets for the practice KPIs and stored evaluations against them")
class KpiController {

  static final Set<Role> MANAGERS = EnumSet.of(Role.DEPLOYMENT_MANAGER);

  private final KpiTargets targets;
  private final KpiEvaluations evaluations;
  private final Access access;
  private final Clock clock;

  KpiController(KpiTargets targets, KpiEvaluations evaluations, Access access, Clock clock) {
    this.targets = targets;
    this.evaluations = evaluations;
    this.access = access;
    this.clock = clock;
  }

  /** A target: the KPI's id, the scope (both null: all), at-least or at-most, and the value. */
  record NewTarget(String kpi, String service, String environment, String comparison, Double value) {}

  record NewEvaluation(String from, String to) {}

  /** Where the caller reads: refused outright for one who reaches nothing inside the organization (a supplier). */
  static Access.Reach insider(Access access, Principal principal, String what) {
    Access.Reach reach = access.reach(principal.getName(), Access.INSIDERS);
    if (!reach.everywhere() && reach.scopes().isEmpty()) {
      throw new org.springframework.security.access.AccessDeniedException(what + " are read by those inside the "
          + "organization (every role but supplier), which " + principal.getName() + " is not");
    }
    return reach;
  }

  @GetMapping("/api/v1/kpi-targets")
  @Operation(summary = "The KPI targets of the scopes the caller reaches")
  List<KpiTarget> targets(Principal principal) {
    Access.Reach reach = insider(access, principal, "KPI targets");
    return targets.all().stream().filter(t -> reach.covers(new Scope(t.service(), t.environment()))).toList();
  }

  @PutMapping("/api/v1/kpi-targets")
  @Operation(summary = "Set (create or replace) the target of a KPI in a scope; deployment managers of that scope")
  KpiTarget put(@RequestBody NewTarget body, Principal principal) {
    access.require(principal.getName(), MANAGERS, new Scope(blank(body.service()), blank(body.environment())),
        "setting a KPI target");
    return targets.set(body.kpi(), body.service(), body.environment(), body.comparison(), body.value(),
        principal.getName());
  }

  @DeleteMapping("/api/v1/kpi-targets")
  @Operation(summary = "Remove the target of a KPI in a scope; deployment managers of that scope")
  KpiTarget remove(@RequestParam(required = false) String kpi, @RequestParam(required = false) String service,
      @RequestParam(required = false) String environment, Principal principal) {
    access.require(principal.getName(), MANAGERS, new Scope(blank(service), blank(environment)),
        "removing a KPI target");
    return targets.remove(kpi, service, environment);
  }

  @PostMapping("/api/v1/kpi-evaluations")
  @Operation(summary = "Evaluate the KPIs of every scope with a target over [from, to) and store the figures and "
      + "verdicts; deployment managers (everywhere)")
  ResponseEntity<KpiEvaluation> evaluate(@RequestBody NewEvaluation body, Principal principal) {
    access.require(principal.getName(), MANAGERS, Scope.NONE, "evaluating the KPIs");
    Period period = Period.parse(body.from(), body.to(), clock);
    return ResponseEntity.status(HttpStatus.CREATED).body(seen(evaluations.evaluate(period, principal.getName()),
        principal));
  }

  @GetMapping("/api/v1/kpi-evaluations")
  @Operation(summary = "The stored evaluations whose period overlaps [from, to) (all without them), latest first, "
      + "with the results of the scopes the caller reaches")
  List<KpiEvaluation> evaluations(@RequestParam(required = false) String from,
      @RequestParam(required = false) String to, Principal principal) {
    insider(access, principal, "KPI evaluations");
    Period period = from == null && to == null ? null : Period.parse(from, to, clock);
    return evaluations.list(period == null ? null : period.from(), period == null ? null : period.to()).stream()
        .map(e -> seen(e, principal)).toList();
  }

  @GetMapping("/api/v1/kpi-evaluations/{id}")
  @Operation(summary = "A stored evaluation with its results and the KPI report of each scope the caller reaches")
  KpiEvaluation evaluation(@PathVariable long id, Principal principal) {
    return seen(evaluations.get(id), principal);
  }

  private KpiEvaluation seen(KpiEvaluation e, Principal principal) {
    Access.Reach reach = insider(access, principal, "KPI evaluations");
    return new KpiEvaluation(e.id(), e.from(), e.to(), e.author(), e.evaluatedAt(), e.periodic(),
        e.results().stream().filter(r -> reach.covers(new Scope(r.service(), r.environment()))).toList(),
        e.reports().stream().filter(r -> reach.covers(new Scope(r.service(), r.environment()))).toList());
  }

  private static String blank(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }
}
