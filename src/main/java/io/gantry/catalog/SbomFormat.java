package io.gantry.catalog;

import java.util.Locale;

/** The SBOM formats Gantry reads, in their JSON forms. */
public enum SbomFormat {
  CYCLONEDX("cyclonedx", "CycloneDX"),
  SPDX("spdx", "SPDX");

  private final String id;
  private final String title;

  SbomFormat(String id, String title) {
    this.id = id;
    this.title = title;
  }

  public String id() {
    return id;
  }

  public String title() {
    return title;
  }

  /**
   * The format an artifact's name says it is, by the names each format's specification recommends
   * ({@code bom.json} and {@code *.cdx.json} for CycloneDX, {@code *.spdx.json} for SPDX), or null.
   */
  public static SbomFormat byName(String path) {
    String name = path.substring(path.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
    if (name.equals("bom.json") || name.endsWith(".cdx.json")) {
      return CYCLONEDX;
    }
    if (name.endsWith(".spdx.json")) {
      return SPDX;
    }
    return null;
  }
}
