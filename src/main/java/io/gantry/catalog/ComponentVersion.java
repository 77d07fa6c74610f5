package io.gantry.catalog;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * An immutable version of a component in the definitive media library. Its content digest covers
 * every artifact and attribute, so the same version can never stand for other content.
 */
public record ComponentVersion(
    long id,
    ComponentRef component,
    Version version,
    VersionStatus status,
    Digest contentDigest,
    Map<String, String> attributes,
    List<Artifact> artifacts,
    String createdBy,
    Instant createdAt,
    String statusChangedBy,
    Instant statusChangedAt,
    String statusReason,
    long rowVersion) {}
