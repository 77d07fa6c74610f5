package io.gantry.console;

import java.time.Instant;
import java.util.List;

/**
 * The catalog as a reader sees it: the services its roles reach, each with its components and the newest
 * version of each that is not withdrawn. Public for the compiled templates only.
 */
public record CatalogPage(List<ServiceRow> services) {

  private static final java.time.format.DateTimeFormatter WHEN = java.time.format.DateTimeFormatter
      .ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(java.time.ZoneOffset.UTC);

  /** A time as the catalog's pages show it (minutes, UTC); empty for none. */
  public static String when(Instant at) {
    return at == null ? "" : WHEN.format(at);
  }

  /** A size in bytes as people read it. */
  public static String bytes(Long size) {
    if (size == null) {
      return "";
    }
    if (size < 1024) {
      return size + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = size;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(java.util.Locale.ROOT, "%.1f %s", v, units[u]);
  }

  public record ServiceRow(String name, String description, String owner, List<ComponentRow> components) {}

  /** {@code newest} and {@code newestStatus} are null for a component with no version yet. */
  public record ComponentRow(String service, String name, String type, String model, String description,
      long versions, String newest, String newestStatus, Instant newestAt) {}
}
