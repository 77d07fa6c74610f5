package io.gantry.catalog;

import io.gantry.shared.InvalidInputException;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Where a version stands in the library. Registered versions may go to uncontrolled environments
 * only; approved ones may go to controlled environments; withdrawn ones go nowhere, for good.
 */
public enum VersionStatus {
  REGISTERED, APPROVED, WITHDRAWN;

  /** The one table of allowed status changes. */
  private static final Map<VersionStatus, Set<VersionStatus>> ALLOWED = Map.of(
      REGISTERED, EnumSet.of(APPROVED, WITHDRAWN),
      APPROVED, EnumSet.of(WITHDRAWN),
      WITHDRAWN, EnumSet.noneOf(VersionStatus.class));

  public boolean canBecome(VersionStatus next) {
    return ALLOWED.get(this).contains(next);
  }

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static VersionStatus fromId(String field, String id) {
    return Arrays.stream(values()).filter(s -> s.id().equals(id)).findFirst()
        .orElseThrow(() -> InvalidInputException.of(field, "\"" + id + "\" is not a version status; use one of: "
            + Arrays.stream(values()).map(VersionStatus::id).collect(Collectors.joining(", "))));
  }
}
