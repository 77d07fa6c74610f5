package io.gantry.identity;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.Map;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Tag(name = "Health")
class HealthController {

  private final ApplicationAvailability availability;

  HealthController(ApplicationAvailability availability) {
    this.availability = availability;
  }

  /** UP once start-up work (first user, configuration applied at start) is done; 503 STARTING before. */
  @GetMapping("/api/v1/health")
  @Operation(summary = "Whether the server is up and done starting; needs no token")
  ResponseEntity<Map<String, String>> health() {
    String version = HealthController.class.getPackage().getImplementationVersion();
    boolean ready = availability.getReadinessState() == ReadinessState.ACCEPTING_TRAFFIC;
    return ResponseEntity.status(ready ? 200 : 503)
        .body(Map.of("status", ready ? "UP" : "STARTING", "version", version == null ? "dev" : version));
  }
}
