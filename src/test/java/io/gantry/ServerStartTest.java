package io.gantry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gantry server} and {@code gantry up} run as real processes: one that cannot start ends
 * with a non-zero code and one line saying why and what to do, not a stack trace.
 */
class ServerStartTest {

  private static final Path REPOSITORY = Path.of("").toAbsolutePath();

  @TempDir Path dir;
  private final List<Process> started = new ArrayList<>();

  record Ended(int exitCode, String out, List<String> errLines) {}

  @AfterEach
  void stopServers() throws InterruptedException {
    for (Process process : started) {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }

  @Test
  void aServerWhosePortIsTakenSaysSoOnOneLineAndExitsWithNine() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();

      Ended server = gantry("server", "--port", String.valueOf(port), "--data-dir", dir.resolve("data").toString());
      Ended up = gantry("up", "--port", String.valueOf(port), "--data-dir", dir.resolve("data").toString());

      for (Ended ended : List.of(server, up)) {
        assertThat(ended.exitCode()).as(ended.out()).isEqualTo(9);
        assertThat(ended.errLines()).containsExactly(
            "error: port " + port + " is in use by another process; stop it or start with --port N");
        assertThat(ended.out()).doesNotContain("Exception").doesNotContain("APPLICATION FAILED TO START");
      }
    }
  }

  @Test
  void aSecondServerOnTheSameDataDirectorySaysTheDatabaseIsInUseAndExitsWithNine() throws Exception {
    Path data = dir.resolve("data");
    Process first = start("server", "--port", String.valueOf(freePort()), "--data-dir", data.toString());
    CompletableFuture<Void> serving = new CompletableFuture<>();
    Thread.ofPlatform().daemon().start(() -> drainUntilServing(first, serving));
    serving.get(180, TimeUnit.SECONDS);

    Ended second = gantry("server", "--port", String.valueOf(freePort()), "--data-dir", data.toString());

    assertThat(second.exitCode()).as(second.out()).isEqualTo(9);
    assertThat(second.errLines()).containsExactly("error: the database " + data.resolve("gantry.mv.db")
        + " is in use by another Gantry server on the same data directory; stop that server, or start with "
        + "--data-dir DIR for a separate one");
    assertThat(second.out()).doesNotContain("Exception");
    assertThat(first.isAlive()).isTrue();
  }

  @Test
  void aServerGivenAnInvalidConfigurationToApplyNamesEachProblemAndWhereItIsAndExitsWithNine() throws Exception {
    Path config = Files.createDirectories(dir.resolve("config"));
    Files.writeString(config.resolve("bad.yaml"), """
        apiVersion: gantry.io/v1
        kind: Environment
        metadata: {name: dev}
        spec: {purpose: %s}
        """);

    Ended server = gantry("server", "--port", String.valueOf(freePort()), "--data-dir", dir.resolve("data").toString(),
        "--apply", config.toString());

    assertThat(server.exitCode()).as(server.out()).isEqualTo(9);
    assertThat(server.errLines()).hasSize(2);
    assertThat(server.errLines().getFirst())
        .isEqualTo("error: the configuration given with --apply was not applied: 1 problem(s) in the configuration");
    assertThat(server.errLines().get(1)).startsWith("  " + config.resolve("bad.yaml") + ":4:").contains("malformed YAML");
  }

  @Test
  void aServerWhoseSecretsKeyFileOthersMayReadSaysSoAndExitsWithNine() throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    Path key = data.resolve("secrets.key");
    Files.writeString(key, java.util.Base64.getEncoder().encodeToString(new byte[32]) + "\n");
    Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));

    Ended server = gantry("server", "--port", String.valueOf(freePort()), "--data-dir", data.toString());

    assertThat(server.exitCode()).as(server.out()).isEqualTo(9);
    assertThat(server.errLines()).containsExactly("error: the secrets key file " + key
        + " may be read by others (rw-r--r--): run chmod 600 " + key);
  }

  @Test
  void aServerWhoseLocalRootIsInsideTheDataDirectorySaysSoAndExitsWithNine() throws Exception {
    Path data = dir.resolve("data");

    Ended server = gantry("server", "--port", String.valueOf(freePort()), "--data-dir", data.toString(), "--",
        "--gantry.targets.local-root=" + data.resolve("targets"));

    assertThat(server.exitCode()).as(server.out()).isEqualTo(9);
    assertThat(server.errLines()).containsExactly("error: gantry.targets.local-root " + data.resolve("targets")
        + " is inside the data directory " + data + "; local targets must live outside it: set "
        + "gantry.targets.local-root to a folder outside " + data);
  }

  @Test
  void aServerFindingATargetFolderBothInTheDataDirectoryAndBesideItSaysSoAndMovesNothing() throws Exception {
    Path config = Files.createDirectories(dir.resolve("config"));
    Files.writeString(config.resolve("targets.yaml"), """
        apiVersion: gantry.io/v1
        kind: Environment
        metadata: {name: dev}
        spec: {purpose: development, owner: team}
        ---
        apiVersion: gantry.io/v1
        kind: Target
        metadata: {name: web-1}
        spec: {environment: dev, kind: local, path: web-1}
        """);
    Path old = Files.createDirectories(dir.resolve("data/targets/web-1"));
    Files.writeString(old.resolve("old.txt"), "old");
    Path now = Files.createDirectories(dir.resolve("targets/web-1"));

    Ended server = gantry("server", "--port", String.valueOf(freePort()), "--data-dir", dir.resolve("data").toString(),
        "--apply", config.toString());

    assertThat(server.exitCode()).as(server.out()).isEqualTo(9);
    assertThat(server.errLines()).containsExactly("error: local target web-1 has a folder both where an earlier "
        + "Gantry put it, " + old + ", and where it is now, " + now + "; nothing was moved: keep the one you want, "
        + "remove or rename the other, then start again");
    assertThat(old.resolve("old.txt")).hasContent("old");
  }

  @Test
  void aServerWhoseItsmSystemHasBothAPasswordAndAPasswordSecretSaysSoOnOneLineAndExitsWithNine() throws Exception {
    Ended server = gantry(Map.of("GANTRY_ITSM_SYSTEMS_SNOW_TYPE", "servicenow",
        "GANTRY_ITSM_SYSTEMS_SNOW_URL", "https://example.service-now.com", "GANTRY_ITSM_SYSTEMS_SNOW_USERNAME", "gantry",
        "GANTRY_ITSM_SYSTEMS_SNOW_PASSWORD", "plain-password", "GANTRY_ITSM_SYSTEMS_SNOW_PASSWORDSECRET", "snow-password"),
        "server", "--port", String.valueOf(freePort()), "--data-dir", dir.resolve("data").toString());

    assertThat(server.exitCode()).as(server.out()).isEqualTo(9);
    assertThat(server.errLines()).containsExactly("error: gantry.itsm.systems.snow.password and "
        + "gantry.itsm.systems.snow.password-secret are both set: give the password once, as the name of a secret "
        + "(password-secret) or as a value (password)");
    assertThat(server.out()).doesNotContain("plain-password");
  }

  private static void drainUntilServing(Process server, CompletableFuture<Void> serving) {
    try (BufferedReader out = server.inputReader(StandardCharsets.UTF_8)) {
      for (String line; (line = out.readLine()) != null; ) {
        if (line.contains("Started Gantry ")) {
          serving.complete(null);
        }
      }
      serving.completeExceptionally(new AssertionError("the first server ended without serving"));
    } catch (IOException e) {
      serving.completeExceptionally(e);
    }
  }

  private Ended gantry(String... args) throws Exception {
    return gantry(Map.of(), args);
  }

  /** As {@link #gantry(String...)}, with these environment variables (Spring properties, e.g. GANTRY_ITSM_...). */
  private Ended gantry(Map<String, String> environment, String... args) throws Exception {
    Process process = start(environment, args);
    CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(process, false));
    CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(process, true));
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("gantry %s ended", String.join(" ", args)).isTrue();
    return new Ended(process.exitValue(), out.get(), err.get().lines().toList());
  }

  private static String read(Process process, boolean err) {
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(
        err ? process.getErrorStream() : process.getInputStream(), StandardCharsets.UTF_8))) {
      return String.join("\n", reader.lines().toList());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code gantry ARGS} in a JVM of its own, from the repository root, with the server's defaults. */
  private Process start(String... args) throws IOException {
    return start(Map.of(), args);
  }

  private Process start(Map<String, String> environment, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
        "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), Gantry.class.getName()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(REPOSITORY.toFile());
    builder.environment().keySet().removeIf(name -> name.startsWith("GANTRY_"));
    builder.environment().putAll(environment);
    Process process = builder.start();
    started.add(process);
    return process;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
