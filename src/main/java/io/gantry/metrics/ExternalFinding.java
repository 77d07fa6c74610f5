package io.gantry.metrics;

import java.time.Instant;
import java.time.LocalDate;

/**
 * An audit finding from outside Gantry (an external audit, a regulator's inspection), recorded by hand.
 *
 * @param source who found it, e.g. {@code external audit 2026 Q4}
 * @param severity {@code low}, {@code medium}, {@code high} or {@code critical}
 * @param foundOn the day it was found
 * @param state {@code open}, {@code accepted} (the risk is accepted) or {@code closed}
 * @param service the service it is about, or null
 * @param environment the environment it is about, or null
 */
public record ExternalFinding(long id, String source, String severity, String description, LocalDate foundOn,
    String state, String service, String environment, String recordedBy, Instant recordedAt, Instant updatedAt) {}
