package io.gantry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gantry server} given single sign-on settings it cannot use or would ignore does not start: it
 * ends with code 9 and one line saying what to set, with no stack trace before it (each such setting: {@code SingleSignOnSettingsTest}).
 */
class SingleSignOnStartTest {

  @TempDir Path dir;

  record Ended(int exitCode, String out, List<String> errLines) {}

  @Test
  void a_server_given_single_sign_on_settings_it_cannot_use_or_would_ignore_says_which_on_one_line_and_exits_with_nine()
      throws Exception {
    var noAudience = start("no-audience", Map.of("GANTRY_OIDC_ISSUER_URI", "http://127.0.0.1:9/realms/ops"));
    var typo = start("typo", Map.of("GANTRY_OIDC_ISSUER_URI", "http://127.0.0.1:9", "GANTRY_OIDC_AUDIENCE", "gantry-api",
        "GANTRY_OIDC_USERNAME_CLAM", "email"));

    assertRefused(noAudience.get(300, TimeUnit.SECONDS), "error: gantry.oidc.issuer-uri is set but gantry.oidc.audience "
        + "is not: give the audience the identity provider puts in the aud claim of Gantry's tokens");
    assertRefused(typo.get(300, TimeUnit.SECONDS), "error: unknown setting GANTRY_OIDC_USERNAME_CLAM (from "
        + "systemEnvironment): single sign-on takes gantry.oidc.issuer-uri, gantry.oidc.audience, "
        + "gantry.oidc.username-claim, gantry.oidc.groups-claim, gantry.oidc.console.client-id, "
        + "gantry.oidc.console.client-secret and gantry.oidc.console.scopes");
  }

  private static void assertRefused(Ended ended, String line) {
    assertThat(ended.exitCode()).as(ended.out()).isEqualTo(9);
    assertThat(ended.errLines()).containsExactly(line);
    assertThat(ended.out()).doesNotContain("Started Gantry");
    assertThat(ended.out()).as("no stack trace before the line").doesNotContain("Application run failed")
        .doesNotContain("\tat ");
  }

  /** {@code gantry server} in a JVM of its own with the environment given and nothing else of Gantry's. */
  private CompletableFuture<Ended> start(String name, Map<String, String> env) throws IOException {
    List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
        "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), Gantry.class.getName(),
        "server", "--port", String.valueOf(freePort()), "--data-dir", dir.resolve(name).toString()));
    ProcessBuilder builder = new ProcessBuilder(command).directory(Path.of("").toAbsolutePath().toFile());
    builder.environment().keySet().removeIf(variable -> variable.startsWith("GANTRY_"));
    builder.environment().putAll(env);
    Process process = builder.start();
    CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(process, false));
    CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(process, true));
    return CompletableFuture.supplyAsync(() -> {
      try {
        if (!process.waitFor(290, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          throw new AssertionError("gantry server with " + env + " did not end");
        }
        return new Ended(process.exitValue(), out.get(), err.get().lines().toList());
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
  }

  private static String read(Process process, boolean err) {
    try {
      return new String((err ? process.getErrorStream() : process.getInputStream()).readAllBytes(),
          StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
