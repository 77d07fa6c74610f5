package io.gantry.change;

import io.gantry.deployment.Deployment;
import io.gantry.schedule.FreezeExemptions;
import java.util.Optional;
import org.springframework.stereotype.Component;

/** Only an authorized emergency change lets a deployment run inside a freeze; its reason is the exemption. */
@Component
class EmergencyFreezeExemptions implements FreezeExemptions {

  private final Changes changes;

  EmergencyFreezeExemptions(Changes changes) {
    this.changes = changes;
  }

  @Override
  public Optional<String> exemption(Deployment deployment) {
    return changes.emergencyCovering(deployment)
        .map(cover -> "emergency change " + cover.change() + ": " + cover.reason());
  }
}
