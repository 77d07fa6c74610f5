package io.gantry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {

  @TempDir Path dir;
  Path home;
  Path cwd;
  Map<String, String> env = new HashMap<>();

  @BeforeEach
  void setUp() throws IOException {
    home = Files.createDirectories(dir.resolve("home"));
    cwd = Files.createDirectories(dir.resolve("work"));
  }

  @Test
  void withNothingConfiguredTheLocalServerIsUsedWithoutAToken() {
    assertThat(resolve(null, null)).isEqualTo(new Settings("http://127.0.0.1:8080", null, null));
  }

  @Test
  void theOptionWinsOverTheEnvironmentWhichWinsOverTheConfigFile() throws IOException {
    userConfig("server: http://config:1\ntoken: gty_config\n");
    env.put("GANTRY_SERVER", "http://env:2/");
    env.put("GANTRY_TOKEN", "gty_env");

    assertThat(resolve("http://option:3", "gty_option")).isEqualTo(new Settings("http://option:3", "gty_option", "--token"));
    assertThat(resolve(null, null)).isEqualTo(new Settings("http://env:2", "gty_env", "GANTRY_TOKEN"));
    env.clear();
    assertThat(resolve(null, null).server()).isEqualTo("http://config:1");
    assertThat(resolve(null, null).token()).isEqualTo("gty_config");
  }

  @Test
  void gantryConfigNamesAnotherConfigFile() throws IOException {
    Path config = Files.writeString(dir.resolve("other.yaml"), "server: http://other:4\n");
    env.put("GANTRY_CONFIG", config.toString());

    assertThat(resolve(null, null).server()).isEqualTo("http://other:4");
  }

  @Test
  void aMissingFileNamedByGantryConfigIsAnError() {
    env.put("GANTRY_CONFIG", dir.resolve("nope.yaml").toString());

    assertThatThrownBy(() -> resolve(null, null)).isInstanceOf(CliException.class)
        .hasMessageContaining("does not exist");
  }

  @Test
  void tokenFileIsReadRelativeToTheConfigFile() throws IOException {
    Path config = userConfig("tokenFile: my.token\n");
    Files.writeString(config.getParent().resolve("my.token"), "gty_from_file\n");

    assertThat(resolve(null, null).token()).isEqualTo("gty_from_file");
  }

  @Test
  void tokenFileMayStartAtTheHomeDirectory() throws IOException {
    userConfig("tokenFile: ~/secrets/gantry\n");
    Files.createDirectories(home.resolve("secrets"));
    Files.writeString(home.resolve("secrets/gantry"), "gty_home");

    assertThat(resolve(null, null).token()).isEqualTo("gty_home");
  }

  @Test
  void theEmbeddedServersAdminTokenIsTheLastFallback() throws IOException {
    Files.createDirectories(cwd.resolve("data"));
    Files.writeString(cwd.resolve("data/admin.token"), "gty_admin\n");

    assertThat(resolve(null, null)).isEqualTo(new Settings("http://127.0.0.1:8080", "gty_admin", "./data/admin.token"));
    userConfig("token: gty_config\n");
    assertThat(resolve(null, null).token()).isEqualTo("gty_config");
  }

  @Test
  void anUnknownKeyInTheConfigFileIsAnError() throws IOException {
    userConfig("sever: http://typo:1\n");

    assertThatThrownBy(() -> resolve(null, null)).isInstanceOf(CliException.class)
        .hasMessageContaining("unknown key \"sever\"");
  }

  @Test
  void aServerThatIsNotAnHttpUrlIsAUsageError() {
    assertThatThrownBy(() -> resolve("localhost:8080", null)).isInstanceOf(CliException.class)
        .satisfies(e -> assertThat(((CliException) e).exitCode()).isEqualTo(2))
        .hasMessageContaining("is not an http:// or https:// URL");
  }

  private Path userConfig(String yaml) throws IOException {
    Path config = Files.createDirectories(home.resolve(".config/gantry")).resolve("cli.yaml");
    return Files.writeString(config, yaml);
  }

  private Settings resolve(String server, String token) {
    return Settings.resolve(server, token, env, home, cwd);
  }
}
