package io.gantry.schedule;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Size;
import io.gantry.identity.Access;
import io.gantry.identity.Scope;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.security.Principal;
import java.time.Instant;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/freezes")
@Tag(name = "Freezes", description = "Freeze periods: no deployments within their scope but emergency changes")
class FreezeController {

  private final Freezes freezes;
  private final FreezeDeclarations declarations;
  private final Access access;

  FreezeController(Freezes freezes, FreezeDeclarations declarations, Access access) {
    this.freezes = freezes;
    this.declarations = declarations;
    this.access = access;
  }

  /** Where a freeze applies; one of the organisation applies everywhere, so every scope sees it. */
  static Scope scope(Freeze f) {
    return new Scope(f.service(), f.environment());
  }

  /**
   * {@code recurrence}: once (from/to ISO-8601 with offset, or local with timeZone), yearly (from/to
   * MM-DD, whole days, timeZone) or weekly (days, from/to HH:MM, timeZone).
   */
  record NewFreeze(@Size(max = 100) String name, @Size(max = 2000) String reason, @Size(max = 63) String environment,
      @Size(max = 63) String service, @Size(max = 10) String recurrence, @Size(max = 40) String from,
      @Size(max = 40) String to, @Size(max = 7) List<@Size(max = 3) String> days, @Size(max = 64) String timeZone) {}

  record FreezeView(long id, String name, String reason, String scope, String environment, String service,
      String recurrence, String schedule, String declaredBy, Instant declaredAt, String removedBy, Instant removedAt,
      String removedReason, long rowVersion) {
    static FreezeView of(Freeze f) {
      return new FreezeView(f.id(), f.name(), f.reason(), f.scope(), f.environment(), f.service(),
          f.recurrence().kind(), f.recurrence().describe(), f.declaredBy(), f.declaredAt(), f.removedBy(),
          f.removedAt(), f.removedReason(), f.rowVersion());
    }
  }

  @GetMapping
  @Operation(summary = "Freezes in force (those that apply where the caller's roles reach); with all=true removed "
      + "ones too")
  List<FreezeView> list(@RequestParam(defaultValue = "false") boolean all, Principal principal) {
    return access.reach(principal.getName(), Access.INSIDERS).filter(all ? freezes.all() : freezes.active(),
        FreezeController::scope).stream().map(FreezeView::of).toList();
  }

  @GetMapping("/{id}")
  @Operation(summary = "One freeze")
  FreezeView get(@PathVariable long id, Principal principal) {
    Freeze f = freezes.get(id);
    access.reach(principal.getName(), Access.INSIDERS).requireSees(f.label(), scope(f));
    return FreezeView.of(f);
  }

  @PostMapping
  @PreAuthorize("hasRole('DEPLOYMENT_MANAGER')")
  @Operation(summary = "Declare a freeze for the organisation (no environment, no service), an environment, a "
      + "service, or a service in an environment")
  ResponseEntity<FreezeView> declare(@Valid @RequestBody NewFreeze body, Principal principal) {
    Freeze f = declarations.declare(new FreezeRules.Draft(body.name(), body.reason(), blank(body.environment()),
        blank(body.service()), body.recurrence(), body.from(), body.to(), body.days(), blank(body.timeZone())),
        principal.getName());
    return ResponseEntity.status(HttpStatus.CREATED).body(FreezeView.of(f));
  }

  @DeleteMapping("/{id}")
  @PreAuthorize("hasRole('DEPLOYMENT_MANAGER')")
  @Operation(summary = "Remove a freeze, saying why; it stays listed with all=true")
  FreezeView remove(@PathVariable long id, @RequestParam(required = false) String reason, Principal principal) {
    return FreezeView.of(declarations.remove(id, reason, principal.getName()));
  }

  private static String blank(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
