package io.gantry.model;

import java.time.Instant;
import java.util.List;

/**
 * A version of a model came into force: on apply (the first version, or a model without owner) or agreed by all it
 * awaited. Published in the transaction that put it in force, after the notices of the people it concerns were
 * recorded ({@link ModelNotices}), so that whoever listens can tell them further.
 *
 * @param replaced the version in force before, or null for the model's first
 * @param agreedBy the users who agreed it, empty when it came into force on apply
 * @param told how many people were given a notice of it
 */
public record ModelVersionCameIntoForce(String model, int version, Integer replaced, String author, String reason,
    String note, List<String> agreedBy, int told, Instant at) {

  public ModelVersionCameIntoForce {
    agreedBy = agreedBy == null ? List.of() : List.copyOf(agreedBy);
  }
}
