package io.gantry.trigger;

import io.gantry.shared.Page;
import io.gantry.shared.PageRequest;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
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

  TriggerController(Firings firings) {
    this.firings = firings;
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
  @Operation(summary = "Firings of triggers, newest first: the deployment each requested, or why it was refused")
  Page<FiringView> firings(@RequestParam(required = false) String model, @RequestParam(defaultValue = "0") int page,
      @RequestParam(defaultValue = "50") int size) {
    return firings.page(model == null || model.isBlank() ? null : model, new PageRequest(page, size))
        .map(FiringView::of);
  }
}
