package io.gantry.console;

import java.time.Instant;
import java.util.List;

/**
 * One component and its versions in the definitive media library, newest first, with what each holds
 * (artifacts, SBOMs, signatures) and where it stands in the version lifecycle. {@code mayChange} tells
 * whether the reader may approve or withdraw versions; {@code changed} names a version whose status was
 * just changed, {@code refusal} why a change was refused. Public for the compiled templates only.
 */
public record ComponentPage(String service, String component, String type, String model, String description,
    List<VersionRow> versions, int page, boolean hasPrevious, boolean hasNext, long total, boolean mayChange,
    String changed, Refusal refusal) {

  /** A refused status change: of which version, and why. */
  public record Refusal(String version, String message) {}

  public record VersionRow(String version, String status, String contentDigest, String createdBy,
      Instant createdAt, String statusChangedBy, Instant statusChangedAt, String statusReason, long rowVersion,
      List<ArtifactRow> artifacts, List<SbomRow> sboms, Signing signing, List<String> next) {

    public String anchor() {
      return "v-" + version.replaceAll("[^A-Za-z0-9_-]", "_");
    }
  }

  /** A file of a version; {@code download} is the console's link for one stored in the library, else null. */
  public record ArtifactRow(String path, String digest, Long size, String externalUrl, String download,
      boolean signature) {}

  public record SbomRow(String path, String format, String specVersion, int components) {}

  /** Whether a version's artifacts carry signatures and whether they verify against trusted keys. */
  public record Signing(boolean present, boolean verified, String problem) {}
}
