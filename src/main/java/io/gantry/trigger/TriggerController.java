package io.gantry.trigger;

import io.gantry.catalog.ComponentRef;
import io.gantry.identity.Access;
import io.gantry.identity.Scope;
import io.gantry.shared.Page;
import io.gantry.shared.PageRequest;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.security.Principal;
import java.time.Instant;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/triggers")
@Tag(name = "Triggers", description = "Deployments requested by the triggers of deployment models")
class TriggerController {

  private final Firings firings;
  private final Access access;

  TriggerController(Firings firings, Access access) {
    this.firings = firings;
    this.access = access;
  }

  record FiringView(long id, String model, int modelVersion, String trigger, String cause, String component,
      String version, String stage, String environment, String status, Long deployment, String requestedBy,
      String reason, String refusal, Instant firedAt) {
    static FiringView of(Firing f) {
      return new FiringView(f.id(), f.model(), f.modelVersion(), f.trigger(), f.cause(), f.component(), f.version(),
          f.stage(), f.environment(), f.status().id(), f.deployment(), f.requestedBy(), f.reason(), f.refusal(),
          f.firedAt());
    }
  }

  @GetMapping("/firings")
  @Operation(summary = "Firings of triggers, newest first: the deployment each requested, or why it was refused; "
      + "those of components and environments the caller's roles reach")
  Page<FiringView> firings(@RequestParam(required = false) String model, @RequestParam(defaultValue = "0") int page,
      @RequestParam(defaultValue = "50") int size, Principal principal) {
    String named = model == null || model.isBlank() ? null : model;
    Access.Reach reach = access.reach(principal.getName(), Access.INSIDERS);
    return reach.page(r -> firings.page(named, r), f -> reach.sees(new Scope(ComponentRef.parse(f.component())
        .service(), f.environment())), new PageRequest(page, size)).map(FiringView::of);
  }
}
