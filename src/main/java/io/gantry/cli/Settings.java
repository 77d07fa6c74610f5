package io.gantry.cli;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * Which server to talk to and with which token. Each is taken from the first of: the command-line
 * option, the environment ({@code GANTRY_SERVER}, {@code GANTRY_TOKEN}), the config file
 * ({@code $GANTRY_CONFIG} or {@code ~/.config/gantry/cli.yaml}: {@code server}, {@code token},
 * {@code tokenFile}), and finally the default server and the first administrator's token that the
 * embedded server writes to {@code ./data/admin.token}.
 *
 * @param tokenSource where the token came from, to say so when the server refuses it
 */
record Settings(String server, String token, String tokenSource) {

  static final String DEFAULT_SERVER = "http://127.0.0.1:8080";
  private static final Set<String> CONFIG_KEYS = Set.of("server", "token", "tokenFile");

  /** A token that cannot go into an HTTP request is refused naming where it came from. */
  Settings {
    if (token != null && !token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw new CliException(ExitCode.USAGE, "the token from " + tokenSource + " holds characters no token has "
          + "(tokens are printable ASCII, e.g. gty_...)");
    }
  }

  static Settings resolve(String serverOption, String tokenOption, Map<String, String> env, Path home, Path cwd) {
    Map<String, Object> config = null;
    Path configFile = configFile(env, home);
    String server = firstNonBlank(serverOption, env.get("GANTRY_SERVER"));
    if (server == null) {
      config = readConfig(configFile, env.containsKey("GANTRY_CONFIG"));
      server = firstNonBlank(string(config, "server", configFile), DEFAULT_SERVER);
    }
    server = checkedServer(server);

    if (notBlank(tokenOption)) {
      return new Settings(server, tokenOption.strip(), "--token");
    }
    if (notBlank(env.get("GANTRY_TOKEN"))) {
      return new Settings(server, env.get("GANTRY_TOKEN").strip(), "GANTRY_TOKEN");
    }
    if (config == null) {
      config = readConfig(configFile, env.containsKey("GANTRY_CONFIG"));
    }
    String token = string(config, "token", configFile);
    if (notBlank(token)) {
      return new Settings(server, token.strip(), configFile + " (token)");
    }
    String tokenFile = string(config, "tokenFile", configFile);
    if (notBlank(tokenFile)) {
      Path path = expand(tokenFile, home, configFile.toAbsolutePath().getParent());
      if (!Files.isRegularFile(path)) {
        throw new CliException(ExitCode.USAGE, "tokenFile " + path + " named in " + configFile + " does not exist");
      }
      return new Settings(server, read(path), path.toString());
    }
    Path adminToken = cwd.resolve("data/admin.token");
    if (Files.isRegularFile(adminToken)) {
      return new Settings(server, read(adminToken), "./data/admin.token");
    }
    return new Settings(server, null, null);
  }

  static Path configFile(Map<String, String> env, Path home) {
    String explicit = env.get("GANTRY_CONFIG");
    return notBlank(explicit) ? Path.of(explicit) : home.resolve(".config/gantry/cli.yaml");
  }

  private static Map<String, Object> readConfig(Path file, boolean explicit) {
    if (!Files.isRegularFile(file)) {
      if (explicit) {
        throw new CliException(ExitCode.USAGE, "GANTRY_CONFIG names " + file + ", which does not exist");
      }
      return Map.of();
    }
    Object loaded;
    try {
      loaded = new Load(LoadSettings.builder().setLabel(file.toString()).build())
          .loadFromString(Files.readString(file, StandardCharsets.UTF_8));
    } catch (YamlEngineException e) {
      throw new CliException(ExitCode.USAGE, "cannot read the config file " + file + ": " + e.getMessage());
    } catch (IOException e) {
      throw new CliException(ExitCode.USAGE, "cannot read the config file " + file + ": " + e);
    }
    if (loaded == null) {
      return Map.of();
    }
    if (!(loaded instanceof Map<?, ?> map)) {
      throw new CliException(ExitCode.USAGE, "the config file " + file + " must be a map of server, token, tokenFile");
    }
    for (Object key : map.keySet()) {
      if (!CONFIG_KEYS.contains(String.valueOf(key))) {
        throw new CliException(ExitCode.USAGE, "the config file " + file + " has an unknown key \"" + key
            + "\" (known: server, token, tokenFile)");
      }
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> config = (Map<String, Object>) map;
    return config;
  }

  private static String string(Map<String, Object> config, String key, Path file) {
    Object value = config.get(key);
    if (value != null && !(value instanceof String)) {
      throw new CliException(ExitCode.USAGE, "the config file " + file + ": " + key + " must be a string");
    }
    return (String) value;
  }

  private static String checkedServer(String server) {
    String trimmed = server.strip();
    while (trimmed.endsWith("/")) {
      trimmed = trimmed.substring(0, trimmed.length() - 1);
    }
    try {
      URI uri = URI.create(trimmed);
      if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
        return trimmed;
      }
    } catch (IllegalArgumentException e) {
      // reported below
    }
    throw new CliException(ExitCode.USAGE, "the server \"" + server + "\" is not an http:// or https:// URL "
        + "(e.g. " + DEFAULT_SERVER + ")");
  }

  private static Path expand(String path, Path home, Path base) {
    if (path.equals("~") || path.startsWith("~/")) {
      return home.resolve(path.substring(Math.min(2, path.length())));
    }
    return base == null ? Path.of(path) : base.resolve(path);
  }

  private static String read(Path tokenFile) {
    try {
      return Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new CliException(ExitCode.USAGE, "cannot read the token file " + tokenFile + ": " + e);
    }
  }

  private static String firstNonBlank(String first, String second) {
    return notBlank(first) ? first : notBlank(second) ? second : null;
  }

  private static boolean notBlank(String s) {
    return s != null && !s.isBlank();
  }
}
