package io.gantry.improvement;

import io.gantry.model.ModelVersion;
import io.gantry.model.Models;
import io.gantry.shared.NotFoundException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * When model versions came into force, for the effect of initiatives and the evidence of improved models. Decided
 * in one place, {@link #cameIntoForce}: the instant the model module recorded (a proposed, rejected or withdrawn
 * version never came into force).
 */
@Component
class ModelsInForce {

  private final Models models;

  ModelsInForce(Models models) {
    this.models = models;
  }

  /**
   * When {@code version} of {@code model} came into force; not found when there is no such version, a conflict when it
   * never came into force (proposed, rejected or withdrawn: there is no "after" to measure).
   */
  Instant since(String model, int version) {
    ModelVersion v = models.versions(model).stream().filter(x -> x.number() == version).findFirst()
        .orElseThrow(() -> new NotFoundException("model version", model + " v" + version));
    Instant at = cameIntoForce(v);
    if (at == null) {
      throw new io.gantry.shared.ConflictException("version " + version + " of model " + model
          + " has not come into force (" + v.state() + "): its effect cannot be measured");
    }
    return at;
  }

  /** The versions of {@code model} that came into force in {@code [from, to)}, the one that retired it left out. */
  List<Integer> between(String model, Instant from, Instant to) {
    List<Integer> in = new ArrayList<>();
    for (ModelVersion v : models.versions(model)) {
      if (v.text() == null) {
        continue; // the version that retired the model
      }
      Instant at = cameIntoForce(v);
      if (at != null && !at.isBefore(from) && at.isBefore(to)) {
        in.add(v.number());
      }
    }
    return in;
  }

  /** When the version came into force, or null when it never did. */
  private static Instant cameIntoForce(ModelVersion version) {
    return version.inForceAt();
  }
}
