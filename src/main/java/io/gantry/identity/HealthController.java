package io.gantry.identity;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Tag(name = "Health")
class HealthController {

  @GetMapping("/api/v1/health")
  @Operation(summary = "Whether the server is up; needs no token")
  Map<String, String> health() {
    String version = HealthController.class.getPackage().getImplementationVersion();
    return Map.of("status", "UP", "version", version == null ? "dev" : version);
  }
}
