package io.gantry.events;

import java.time.Instant;
import java.util.Objects;
import tools.jackson.databind.JsonNode;

/**
 * An event to write to the outbox: a CDEvent's type (e.g. {@code dev.cdevents.service.deployed.0.3.0}), its
 * subject (the CDEvent {@code subject}: {@code id}, optional {@code source}, {@code content}), Gantry's own
 * fields for {@code customData}, when it happened, and what it is about (for listing and for finding who to tell).
 * The outbox adds the context (id, source, timestamp, spec version).
 *
 * @param deployment the deployment it is about, or null
 * @param environment the environment it is about, or null
 * @param service the service it is about, or null
 */
public record NewEvent(String type, JsonNode subject, JsonNode customData, Instant at, Long deployment,
    String environment, String service) {

  public NewEvent {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(at, "at");
    if (!type.startsWith("dev.cdevents.") && !type.startsWith("dev.cdeventsx.gantry-")) {
      throw new IllegalArgumentException("not a CDEvents type (dev.cdevents.*) or one of Gantry's own "
          + "(dev.cdeventsx.gantry-*): " + type);
    }
  }
}
