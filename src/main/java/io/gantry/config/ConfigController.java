package io.gantry.config;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.io.IOException;
import java.io.InputStream;
import java.security.Principal;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1")
@Tag(name = "Configuration", description = "Plan and apply configuration as code")
class ConfigController {

  private final ConfigService config;

  ConfigController(ConfigService config) {
    this.config = config;
  }

  record FileBody(@NotNull @Size(min = 1, max = 500) String name, @NotNull String content) {}

  record PlanRequest(@NotEmpty @Size(max = 10_000) List<@NotNull @Valid FileBody> files) {}

  record ApplyRequest(@NotEmpty @Size(max = 10_000) List<@NotNull @Valid FileBody> files,
      @Size(max = 2000) String reason) {}

  @PostMapping("/config/plan")
  @Operation(summary = "Show what applying these documents would create, change and delete; changes nothing")
  Plan plan(@Valid @RequestBody PlanRequest request) {
    return config.plan(files(request.files()));
  }

  @PostMapping("/config/apply")
  @PreAuthorize("hasRole('DEPLOYMENT_MANAGER')")
  @Operation(summary = "Apply these documents as the whole desired state, all or nothing")
  Plan apply(@Valid @RequestBody ApplyRequest request, Principal principal) {
    return config.apply(files(request.files()), request.reason(), principal.getName());
  }

  /** The published JSON Schema of the documents, for editors: the same bytes as /schema/gantry-config.schema.json. */
  @GetMapping("/schema/config")
  @Operation(summary = "The JSON Schema every configuration document is validated against (no token needed)")
  ResponseEntity<byte[]> schema() throws IOException {
    try (InputStream in = ConfigController.class.getResourceAsStream(ConfigLoader.SCHEMA_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("the configuration schema " + ConfigLoader.SCHEMA_RESOURCE
            + " is not on the classpath");
      }
      return ResponseEntity.ok().contentType(MediaType.parseMediaType("application/schema+json"))
          .body(in.readAllBytes());
    }
  }

  private static List<ConfigFile> files(List<FileBody> files) {
    return files.stream().map(f -> new ConfigFile(f.name(), f.content())).toList();
  }
}
