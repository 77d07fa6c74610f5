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
 * in one place, {@link #cameIntoForce}: until the model module says when a version came into force, the time the
 * version was made.
 */
@Component
class ModelsInForce {

  private final Models models;

  ModelsInForce(Models models) {
    this.models = models;
  }

  /** When {@code version} of {@code model} came into force; not found when there is no such version. */
  Instant since(String model, int version) {
    return cameIntoForce(model, version);
  }

  /** The versions of {@code model} that came into force in {@code [from, to)}, the one that retired it left out. */
  List<Integer> between(String model, Instant from, Instant to) {
    List<Integer> in = new ArrayList<>();
    for (ModelVersion v : models.versions(model)) {
      if (v.text() == null) {
        continue; // the version that retired the model
      }
      Instant at = cameIntoForce(model, v.number());
      if (!at.isBefore(from) && at.isBefore(to)) {
        in.add(v.number());
      }
    }
    return in;
  }

  private Instant cameIntoForce(String model, int version) {
    return models.versions(model).stream().filter(v -> v.number() == version).findFirst()
        .orElseThrow(() -> new NotFoundException("model version", model + " v" + version)).createdAt();
  }
}
