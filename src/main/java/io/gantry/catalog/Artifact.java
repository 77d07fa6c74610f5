package io.gantry.catalog;

/**
 * One file of a version: its path inside the version and its digest. Stored in the library (size
 * known, {@code url} null) or held elsewhere and referenced by a URL pinned to the digest.
 */
public record Artifact(String path, Digest digest, Long size, String url) {

  public boolean external() {
    return url != null;
  }
}
