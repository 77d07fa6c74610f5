package io.gantry.execution;

import java.util.List;
import java.util.Map;

/**
 * The environment a command on a local target starts with: never the server's own (which holds its
 * database password, tokens and whatever else it was started with), only a few variables that
 * describe the host, and then the step's own variables and Gantry's.
 */
final class StepEnvironment {

  /** The server's variables a local command inherits, when they are set. */
  static final List<String> INHERITED = List.of("PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LC_ALL",
      "LC_CTYPE", "TZ", "TMPDIR");

  private StepEnvironment() {}

  /** Empties {@code environment} (a {@link ProcessBuilder}'s) and puts in the inherited variables. */
  static void reset(Map<String, String> environment) {
    environment.clear();
    Map<String, String> server = System.getenv();
    for (String name : INHERITED) {
      String value = server.get(name);
      if (value != null) {
        environment.put(name, value);
      }
    }
    environment.putIfAbsent("PATH", "/usr/local/bin:/usr/bin:/bin");
  }
}
