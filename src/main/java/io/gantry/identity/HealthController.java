package io.gantry.identity;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
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

  /** Whether the server is up ({@code UP}) or still starting ({@code STARTING}), and its version. */
  record Health(String status, String version) {}

  /** UP once start-up work (first user, configuration applied at start) is done; 503 STARTING before. */
  @GetMapping("/api/v1/health")
  @Operation(summary = "Whether the server is up and done starting; needs no token")
  @ApiResponse(responseCode = "200", description = "Up: {\"status\": \"UP\", \"version\": ...}",
      content = @Content(mediaType = "application/json", schema = @Schema(implementation = Health.class)))
  @ApiResponse(responseCode = "503", description = "Still starting (the first user, the configuration applied at "
      + "start): {\"status\": \"STARTING\", \"version\": ...}",
      content = @Content(mediaType = "application/json", schema = @Schema(implementation = Health.class)))
  ResponseEntity<Health> health() {
    String version = HealthController.class.getPackage().getImplementationVersion();
    boolean ready = availability.getReadinessState() == ReadinessState.ACCEPTING_TRAFFIC;
    return ResponseEntity.status(ready ? 200 : 503).body(new Health(ready ? "UP" : "STARTING",
        version == null ? "dev" : version));
  }
}
