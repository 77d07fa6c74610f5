package io.gantry.change;

import io.gantry.catalog.ComponentRef;
import io.gantry.identity.Scope;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A change: what is changed, where (services, components, environments), when (planned start and
 * end), how (implementation, back-out and test plans), how risky, who asked, and where it stands.
 *
 * @param rules the approval rules a normal or emergency change must meet (all of them)
 * @param submittedAt when it was submitted for approval (the approval request's expiry counts from here)
 * @param outcome the last decisive reason: why it was rejected, cancelled or closed
 * @param forDeployment the deployment it was created for by an {@code authorization: approval} stage
 * @param external the change in an external ITSM tool it stands for, or null
 */
public record Change(
    long id,
    String title,
    Type type,
    Level risk,
    Level impact,
    Instant plannedStart,
    Instant plannedEnd,
    String implementationPlan,
    String backoutPlan,
    String testPlan,
    List<String> services,
    List<ComponentRef> components,
    List<String> environments,
    String requestedBy,
    Instant requestedAt,
    ChangeState state,
    ClosureCode closureCode,
    String emergencyReason,
    List<ApprovalRule> rules,
    Instant submittedAt,
    String outcome,
    Long forDeployment,
    External external,
    long rowVersion) {

  /**
   * Where the change acts: each of its services (named, or of its components) in each of its
   * environments; one part alone when the other is not named.
   */
  public List<Scope> scopes() {
    java.util.Set<String> all = new java.util.TreeSet<>(services == null ? List.of() : services);
    if (components != null) {
      components.forEach(c -> all.add(c.service()));
    }
    return scopes(List.copyOf(all), environments == null ? List.of() : environments);
  }

  /** Each service in each environment; one part alone when the other list is empty. */
  public static List<Scope> scopes(List<String> services, List<String> environments) {
    if (services.isEmpty()) {
      return environments.stream().map(e -> new Scope(null, e)).toList();
    }
    if (environments.isEmpty()) {
      return services.stream().map(Scope::service).toList();
    }
    return services.stream().flatMap(s -> environments.stream().map(e -> new Scope(s, e))).toList();
  }

  /** The key people use: {@code CHG-42}. */
  public String key() {
    return key(id);
  }

  public static String key(long id) {
    return "CHG-" + id;
  }

  /** The id in a key ({@code CHG-42} or {@code 42}), or -1 when it is not one. */
  public static long idOf(String key) {
    String digits = key == null ? "" : key.regionMatches(true, 0, "CHG-", 0, 4) ? key.substring(4) : key;
    try {
      long id = Long.parseLong(digits);
      return id > 0 ? id : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Whether the change's scope takes in this component in this environment. */
  public boolean covers(ComponentRef component, String environment) {
    return environments.contains(environment)
        && (components.contains(component) || services.contains(component.service()));
  }

  /** Standard (pre-authorized by its model), normal (approved per the stage's rule) or emergency. */
  public enum Type {
    STANDARD, NORMAL, EMERGENCY;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Type fromId(String id, String field) {
      return Enums.parse(Type.class, id, field);
    }
  }

  /** Risk and impact. */
  public enum Level {
    LOW, MEDIUM, HIGH;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Level fromId(String id, String field) {
      return Enums.parse(Level.class, id, field);
    }
  }

  /** How a closed change ended. */
  public enum ClosureCode {
    SUCCESSFUL, FAILED, BACKED_OUT;

    public String id() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static ClosureCode fromId(String id, String field) {
      return Enums.parse(ClosureCode.class, id, field);
    }
  }

  /** The change in an external ITSM tool (its configured system name and its reference there). */
  public record External(String system, String reference) {}

  static final class Enums {
    private Enums() {}

    static <E extends Enum<E>> E parse(Class<E> type, String id, String field) {
      String wanted = id == null ? "" : id.trim().toUpperCase(Locale.ROOT).replace('-', '_');
      for (E e : type.getEnumConstants()) {
        if (e.name().equals(wanted)) {
          return e;
        }
      }
      throw io.gantry.shared.InvalidInputException.of(field, (id == null || id.isBlank() ? "a value is required"
          : "\"" + id + "\" is not allowed") + "; use one of: " + Arrays.stream(type.getEnumConstants())
          .map(e -> e.name().toLowerCase(Locale.ROOT).replace('_', '-')).collect(Collectors.joining(", ")));
    }
  }
}
