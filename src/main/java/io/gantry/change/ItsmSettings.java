package io.gantry.change;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The external ITSM tools changes may stand for, under {@code gantry.itsm.systems.<name>}: their
 * type, address, credentials (as values, or as names of secrets read at each request), how their answers map to approved / rejected / pending, how often to
 * ask, and how long to wait for a decision before the change is rejected for want of one.
 */
@ConfigurationProperties("gantry.itsm")
public record ItsmSettings(Map<String, ItsmSystem> systems) {

  public ItsmSettings {
    systems = systems == null ? Map.of() : Map.copyOf(systems);
    systems.forEach(ItsmSettings::check);
  }

  /**
   * A password or token is given as a value or as the name of a secret, never both: a server whose
   * settings say both does not start, the one line it prints naming the system and the properties.
   */
  private static void check(String name, ItsmSystem system) {
    String at = "gantry.itsm.systems." + name + ".";
    if (present(system.password()) && present(system.passwordSecret())) {
      throw new io.gantry.shared.StartupProblem(at + "password and " + at + "password-secret are both set: give "
          + "the password once, as the name of a secret (password-secret) or as a value (password)");
    }
    if (present(system.token()) && present(system.tokenSecret())) {
      throw new io.gantry.shared.StartupProblem(at + "token and " + at + "token-secret are both set: give the token "
          + "once, as the name of a secret (token-secret) or as a value (token)");
    }
    for (String secret : java.util.Arrays.asList(system.passwordSecret(), system.tokenSecret())) {
      if (present(secret) && !SECRET_NAME.matcher(secret).matches()) {
        throw new io.gantry.shared.StartupProblem(at + (secret.equals(system.passwordSecret()) ? "password-secret"
            : "token-secret") + " is the name of a secret (1 to 100 letters, digits, '_', '.' or '-', starting with "
            + "a letter or digit, as gantry secret set NAME takes it), not \"" + secret + "\"");
      }
    }
    if (present(system.passwordSecret()) && !present(system.username())) {
      throw new io.gantry.shared.StartupProblem(at + "password-secret is set without " + at + "username: basic "
          + "authentication needs both");
    }
  }

  private static final java.util.regex.Pattern SECRET_NAME =
      java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,99}");

  static boolean present(String value) {
    return value != null && !value.isBlank();
  }

  public static ItsmSettings none() {
    return new ItsmSettings(Map.of());
  }

  /**
   * One external tool.
   *
   * @param type servicenow or jira
   * @param url the base address, e.g. https://example.service-now.com
   * @param username with password: basic authentication
   * @param token a bearer token (instead of user and password)
   * @param stateMapping the tool's value (ServiceNow's approval field, Jira's status name) to approved,
   *     rejected or pending; merged over the defaults of the type
   * @param pollInterval how often a submitted change is asked about (default 1m)
   * @param timeout how long after submission a change may go without a decision (default 24h); then it
   *     is rejected with the reason "no decision from ..."
   * @param requestTimeout how long one request may take (default 10s)
   * @param callbackSecret the secret shared with the tool (at least 32 characters) that signs a callback
   *     carrying a state; without it, a callback is only a signal to ask the tool at once
   * @param passwordSecret the name of the secret (in Gantry's secret store) that holds the password, read
   *     at each request; instead of {@code password}
   * @param tokenSecret the name of the secret that holds the bearer token, read at each request; instead
   *     of {@code token}
   */
  public record ItsmSystem(Type type, String url, String username, String password, String token,
      Map<String, String> stateMapping, Duration pollInterval, Duration timeout, Duration requestTimeout,
      String callbackSecret, String passwordSecret, String tokenSecret) {

    public ItsmSystem(Type type, String url, String username, String password, String token,
        Map<String, String> stateMapping, Duration pollInterval, Duration timeout, Duration requestTimeout,
        String callbackSecret) {
      this(type, url, username, password, token, stateMapping, pollInterval, timeout, requestTimeout, callbackSecret,
          null, null);
    }

    /** The shortest callback secret taken. */
    static final int MIN_SECRET = 32;

    public ItsmSystem(Type type, String url, String username, String password, String token,
        Map<String, String> stateMapping, Duration pollInterval, Duration timeout, Duration requestTimeout) {
      this(type, url, username, password, token, stateMapping, pollInterval, timeout, requestTimeout, null);
    }

    @org.springframework.boot.context.properties.bind.ConstructorBinding
    public ItsmSystem {
      if (callbackSecret != null && callbackSecret.isBlank()) {
        callbackSecret = null;
      }
      if (callbackSecret != null && callbackSecret.length() < MIN_SECRET) {
        throw new IllegalArgumentException("gantry.itsm.systems.*.callback-secret must have at least " + MIN_SECRET
            + " characters, not " + callbackSecret.length());
      }
      if (type == null) {
        throw new IllegalArgumentException("gantry.itsm.systems.*.type must be servicenow or jira");
      }
      if (url == null || url.isBlank()) {
        throw new IllegalArgumentException("gantry.itsm.systems.*.url is required");
      }
      url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
      Map<String, String> merged = new LinkedHashMap<>(type.defaults());
      if (stateMapping != null) {
        stateMapping.forEach((k, v) -> merged.put(k.toLowerCase(Locale.ROOT), v.toLowerCase(Locale.ROOT)));
      }
      merged.values().forEach(v -> {
        if (!v.equals("approved") && !v.equals("rejected") && !v.equals("pending")) {
          throw new IllegalArgumentException("gantry.itsm state-mapping values must be approved, rejected or pending, "
              + "not " + v);
        }
      });
      stateMapping = Map.copyOf(merged);
      pollInterval = pollInterval == null ? Duration.ofMinutes(1) : pollInterval;
      timeout = timeout == null ? Duration.ofHours(24) : timeout;
      requestTimeout = requestTimeout == null ? Duration.ofSeconds(10) : requestTimeout;
    }

    /** What an external value means: approved, rejected or pending (unknown values are pending). */
    String meaning(String value) {
      return value == null ? "pending" : stateMapping.getOrDefault(value.toLowerCase(Locale.ROOT), "pending");
    }

    boolean mapped(String value) {
      return value != null && stateMapping.containsKey(value.toLowerCase(Locale.ROOT));
    }
  }

  /** The tools Gantry knows how to ask, and the form of their change references. */
  public enum Type {
    SERVICENOW("CHG and seven or more digits, e.g. CHG0030001", "CHG[0-9]{7,12}", Map.of("requested", "pending", "not yet requested", "pending", "approved", "approved",
        "rejected", "rejected")),
    JIRA("a Jira issue key, e.g. CAB-123", "[A-Z][A-Z0-9_]{0,31}-[1-9][0-9]{0,9}", Map.of("awaiting approval", "pending", "planning", "pending", "approved", "approved",
        "awaiting implementation", "approved", "implementing", "approved", "declined", "rejected",
        "rejected", "rejected", "canceled", "rejected"));

    private final String referenceForm;
    private final java.util.regex.Pattern reference;
    private final Map<String, String> defaults;

    Type(String referenceForm, String reference, Map<String, String> defaults) {
      this.referenceForm = referenceForm;
      this.reference = java.util.regex.Pattern.compile(reference);
      this.defaults = defaults;
    }

    /** Why {@code ref} cannot be a reference in this tool, or null when it can. */
    String refuses(String ref) {
      return reference.matcher(ref).matches() ? null
          : "\"" + ref + "\" is not a " + name().toLowerCase(Locale.ROOT) + " reference: give " + referenceForm;
    }

    Map<String, String> defaults() {
      return defaults;
    }
  }
}
