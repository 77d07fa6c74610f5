package io.gantry.metrics;

import java.time.Instant;
import java.util.Objects;

/**
 * Something an audit of the practice would find: an emergency change without its review, a freeze
 * overridden, a deployment without the authorization its model asks for.
 *
 * @param kind a short stable name, e.g. {@code emergency-without-review}, {@code freeze-override}
 * @param subject what it is about, e.g. {@code change CHG-12} or {@code deployment #40}
 * @param detail what was found, for a person
 * @param at when it happened
 * @param deployment the deployment concerned, or null
 * @param service the service concerned, or null
 * @param environment the environment concerned, or null
 */
public record AuditFinding(String kind, String subject, String detail, Instant at, Long deployment, String service,
    String environment) {

  public AuditFinding {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(at, "at");
  }
}
