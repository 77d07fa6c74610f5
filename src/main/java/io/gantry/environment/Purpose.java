package io.gantry.environment;

import java.util.Locale;

/** What an environment is for (practice guide Table 2.1). */
public enum Purpose {
  DEVELOPMENT, INTEGRATION, TEST, STAGING, PRODUCTION, OTHER;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Purpose fromId(String id) {
    return valueOf(id.toUpperCase(Locale.ROOT));
  }
}
