package io.gantry.secret;

import io.gantry.shared.InvalidInputException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.security.Principal;
import java.util.List;
import java.util.Map;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/secrets")
@Tag(name = "Secrets", description = "Values steps need, written and never read back")
class SecretController {

  private final Secrets secrets;

  SecretController(Secrets secrets) {
    this.secrets = secrets;
  }

  @GetMapping
  @PreAuthorize("hasAnyRole('DEPLOYMENT_MANAGER','AUDITOR')")
  @Operation(summary = "The secrets: names, key and who set them when; never a value")
  List<Secrets.SecretInfo> list() {
    return secrets.list();
  }

  @PutMapping("/{name}")
  @PreAuthorize("hasRole('DEPLOYMENT_MANAGER')")
  @Operation(summary = "Set a secret's value (body {\"value\"}); the answer never holds it")
  Secrets.SecretInfo set(@PathVariable String name, @RequestBody Map<String, Object> body, Principal principal) {
    for (String field : body.keySet()) {
      if (!field.equals("value")) {
        throw InvalidInputException.of(field, "a secret is set with {\"value\": \"...\"} only; no field \"" + field
            + "\"");
      }
    }
    if (!(body.get("value") instanceof String value)) {
      throw InvalidInputException.of("value", "give the secret's value as a string");
    }
    return secrets.set(name, value, principal.getName());
  }

  @DeleteMapping("/{name}")
  @PreAuthorize("hasRole('DEPLOYMENT_MANAGER')")
  @Operation(summary = "Delete a secret; steps that refer to it fail until it is set again")
  ResponseEntity<Void> delete(@PathVariable String name, Principal principal) {
    secrets.delete(name, principal.getName());
    return ResponseEntity.noContent().build();
  }

  record Rotated(int resealed) {}

  @PostMapping("/rotate")
  @PreAuthorize("hasRole('DEPLOYMENT_MANAGER')")
  @Operation(summary = "Seal again with the current key every secret sealed with a previous one")
  Rotated rotate(Principal principal) {
    return new Rotated(secrets.rotate(principal.getName()));
  }
}
