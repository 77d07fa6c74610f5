package io.gantry.metrics;

import com.fasterxml.jackson.annotation.JsonValue;
import io.gantry.shared.InvalidInputException;
import java.util.Locale;

/**
 * Which deployments a report covers; null means any. {@code team} is the owner a service declares:
 * the services it owns. {@code external}: whether deployments done by other tools and recorded in
 * Gantry count (include, the default), are left out (exclude) or are the only ones counted (only).
 */
public record MetricsFilter(String service, String environment, String model, String team, External external) {

  public static final MetricsFilter NONE = new MetricsFilter(null, null, null, null);

  /** Whether external deployments count. */
  public enum External {
    INCLUDE, EXCLUDE, ONLY;

    @JsonValue
    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The value of that id (null: include); refused naming {@code field} otherwise. */
    public static External parse(String field, String id) {
      if (id == null || id.isBlank()) {
        return INCLUDE;
      }
      for (External e : values()) {
        if (e.id().equals(id.strip().toLowerCase(Locale.ROOT))) {
          return e;
        }
      }
      throw InvalidInputException.of(field, "\"" + id + "\" is not a choice for external deployments; use "
          + "include, exclude or only");
    }
  }

  public MetricsFilter(String service, String environment, String model, String team) {
    this(service, environment, model, team, External.INCLUDE);
  }

  public MetricsFilter {
    service = blankToNull(service);
    environment = blankToNull(environment);
    model = blankToNull(model);
    team = blankToNull(team);
    external = external == null ? External.INCLUDE : external;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }
}
