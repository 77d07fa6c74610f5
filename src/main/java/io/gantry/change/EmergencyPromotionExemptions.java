package io.gantry.change;

import io.gantry.catalog.ComponentRef;
import io.gantry.deployment.PromotionExemptions;
import java.util.Optional;
import org.springframework.stereotype.Component;

/** Only an authorized emergency change lets a version skip its promotion path; its reason is the exemption. */
@Component
class EmergencyPromotionExemptions implements PromotionExemptions {

  private final Changes changes;

  EmergencyPromotionExemptions(Changes changes) {
    this.changes = changes;
  }

  @Override
  public Optional<String> exemption(ComponentRef component, String environment) {
    return changes.emergencyCovering(component, environment)
        .map(cover -> "emergency change " + cover.change() + ": " + cover.reason());
  }
}
