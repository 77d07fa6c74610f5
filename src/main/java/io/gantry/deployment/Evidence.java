package io.gantry.deployment;

import io.gantry.catalog.Digest;
import java.time.Instant;

/** A file attached to a manual step of a deployment on one target, kept by its SHA-256. */
public record Evidence(long id, long deployment, String target, String step, String fileName, Digest digest,
    long size, String uploadedBy, Instant at) {}
