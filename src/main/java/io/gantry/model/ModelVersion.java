package io.gantry.model;

import java.time.Instant;
import java.util.List;

/**
 * One version of a model, kept for good: the model text as applied (null for the version that retired it), its
 * digest, who made it, why, when, and the unified diff from the version in force when it was made; its state; when
 * it came into force (null while it never did) and why then; the users whose agreement it awaited (empty when it
 * came into force on apply); and when its proposal ended without coming into force.
 */
public record ModelVersion(String model, int number, String text, String digest, String author, String reason,
    Instant createdAt, String diff, ModelVersionState state, Instant inForceAt, String inForceNote,
    List<String> signers, Instant endedAt) {

  public ModelVersion {
    signers = signers == null ? List.of() : List.copyOf(signers);
  }
}
