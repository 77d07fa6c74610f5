package io.gantry.improvement;

import io.gantry.identity.Access;
import io.gantry.identity.Role;
import io.gantry.identity.Scope;
import io.gantry.identity.Users;
import io.gantry.improvement.Initiative.Direction;
import io.gantry.shared.InvalidInputException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.security.Principal;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Tag(name = "Improvement initiatives", description = "The register of improvement initiatives and their measured "
    + "effect")
class InitiativeController {

  /** Who keeps the register: deployment managers holding the role as their own (not only in a scope). */
  static final Set<Role> KEEPERS = EnumSet.of(Role.DEPLOYMENT_MANAGER);

  private final InitiativeRegister register;
  private final Initiatives initiatives;
  private final Access access;
  private final Users users;

  InitiativeController(InitiativeRegister register, Initiatives initiatives, Access access, Users users) {
    this.register = register;
    this.initiatives = initiatives;
    this.access = access;
    this.users = users;
  }

  /**
   * A new initiative. {@code kpi}: success-rate, failure-count or lead-time; {@code direction}: up or down;
   * {@code windowDays}: the windows compared when it is evaluated (default 30).
   */
  record NewInitiative(String title, String description, String owner, String expectedEffect, String kpi,
      String direction, Integer windowDays) {}

  record Move(String to, String reason) {}

  /** {@code kind}: model, model-version (ref MODEL:VERSION), review (ref a deployment id), failure, kpi. */
  record NewLink(String kind, String ref) {}

  /** {@code windowDays}: the windows compared (default the initiative's). */
  record Evaluation(Integer windowDays, String reason) {}

  @GetMapping("/api/v1/initiatives")
  @Operation(summary = "The improvement initiatives, newest first, optionally of one state")
  List<Initiative> list(@RequestParam(required = false) String state, Principal principal) {
    requireReader(principal);
    return initiatives.all(state == null || state.isBlank() ? null : InitiativeState.parse("state", state));
  }

  @GetMapping("/api/v1/initiatives/{id}")
  @Operation(summary = "An initiative with its links, state history and measured effect")
  Initiative get(@PathVariable long id, Principal principal) {
    requireReader(principal);
    return initiatives.get(id);
  }

  @PostMapping("/api/v1/initiatives")
  @Operation(summary = "Register an improvement initiative (proposed): title, description, owner, expected effect "
      + "on a KPI and its direction; deployment managers")
  ResponseEntity<Initiative> add(@RequestBody NewInitiative body, Principal principal) {
    requireKeeper(principal, "registering an improvement initiative");
    String owner = ReviewController.text("owner", body.owner(), 63);
    if (users.find(owner).filter(u -> !u.disabled()).isEmpty()) {
      throw InvalidInputException.of("owner", "\"" + owner + "\" is not an enabled user");
    }
    Direction direction = switch (body.direction() == null ? "" : body.direction().strip().toLowerCase(Locale.ROOT)) {
      case "up" -> Direction.UP;
      case "down" -> Direction.DOWN;
      default -> throw InvalidInputException.of("direction", "\"" + body.direction() + "\" is not a direction; use "
          + "up or down");
    };
    int window = body.windowDays() == null ? 30 : InitiativeRegister.window("windowDays", body.windowDays());
    var n = new Initiatives.NewInitiative(ReviewController.text("title", body.title(), 200),
        ReviewController.text("description", body.description(), 4000), owner,
        ReviewController.text("expectedEffect", body.expectedEffect(), 2000), Kpi.parse("kpi", body.kpi()),
        direction, window);
    return ResponseEntity.status(HttpStatus.CREATED).body(register.register(n, principal.getName()));
  }

  @PostMapping("/api/v1/initiatives/{id}/moves")
  @Operation(summary = "Move an initiative to another state (approved, in-progress, implemented, abandoned) with a "
      + "reason; only the allowed changes; deployment managers")
  Initiative move(@PathVariable long id, @RequestBody Move body, Principal principal) {
    requireKeeper(principal, "moving an improvement initiative");
    InitiativeState to = InitiativeState.parse("to", body.to());
    return register.move(id, to, ReviewController.text("reason", body.reason(), 1000), principal.getName());
  }

  @PostMapping("/api/v1/initiatives/{id}/links")
  @Operation(summary = "Link an initiative to a model, the model version that implemented it, a deployment's "
      + "review, a failure signature or a KPI; deployment managers")
  Initiative link(@PathVariable long id, @RequestBody NewLink body, Principal principal) {
    requireKeeper(principal, "linking an improvement initiative");
    return register.link(id, body.kind(), body.ref(), principal.getName());
  }

  @PostMapping("/api/v1/initiatives/{id}/evaluation")
  @Operation(summary = "Measure and store the effect of an implemented initiative (its KPIs before and after its "
      + "model version came into force) and make it evaluated; deployment managers who read every KPI")
  Initiative evaluate(@PathVariable long id, @RequestBody Evaluation body, Principal principal) {
    requireKeeper(principal, "evaluating an improvement initiative");
    return register.evaluate(id, body.windowDays(), ReviewController.text("reason", body.reason(), 1000),
        principal.getName());
  }

  private void requireKeeper(Principal principal, String what) {
    access.require(principal.getName(), KEEPERS, Scope.NONE, what);
  }

  /** Any user holding a role of the organization somewhere reads the register. */
  private void requireReader(Principal principal) {
    Access.Reach reach = access.reach(principal.getName(), Access.INSIDERS);
    if (!reach.everywhere() && reach.scopes().isEmpty()) {
      throw new AccessDeniedException("the improvement initiatives are read by users holding a role of the "
          + "organization, which " + principal.getName() + " does not");
    }
  }
}
