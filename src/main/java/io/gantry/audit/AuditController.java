package io.gantry.audit;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Tag(name = "Audit", description = "The hash chain over every history record")
class AuditController {

  private final Verifier verifier;

  AuditController(Verifier verifier) {
    this.verifier = verifier;
  }

  @GetMapping("/api/v1/audit/verify")
  @PreAuthorize("hasAnyRole('DEPLOYMENT_MANAGER','AUDITOR')")
  @Operation(summary = "Seal what is new, then walk the audit chain and name the first history entry edited, "
      + "deleted or inserted out of order")
  Verification verify() {
    return verifier.verify();
  }
}
