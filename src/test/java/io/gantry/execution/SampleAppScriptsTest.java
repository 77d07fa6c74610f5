package io.gantry.execution;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.FileSystemUtils;

/**
 * The sample app's start and stop scripts, as a deployed copy runs them ({@code <target>/current/bin}):
 * they act on the process in {@code <target>/app.pid} only while it is this target's app.
 */
class SampleAppScriptsTest {

  private static final Path SAMPLE_APP = Path.of("examples/sample-app");

  @TempDir Path target;
  private final List<Process> others = new ArrayList<>();

  @BeforeEach
  void installARelease() throws IOException {
    Path release = target.resolve("releases/1.0.0");
    FileSystemUtils.copyRecursively(SAMPLE_APP, release);
    int port;
    try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    Files.writeString(release.resolve("app.properties"), "port=" + port + "\nversion=1.0.0\n");
    Files.createSymbolicLink(target.resolve("current"), Path.of("releases/1.0.0"));
  }

  @AfterEach
  void endProcesses() throws Exception {
    for (Process other : others) {
      other.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    Path pidFile = target.resolve("app.pid");
    if (Files.exists(pidFile)) {
      ProcessHandle.of(Long.parseLong(Files.readString(pidFile).strip())).filter(this::isTheApp)
          .ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  @Test
  void stopEndsTheAppThatStartStarted() throws Exception {
    assertThat(script("start.sh")).startsWith("started 1.0.0");
    ProcessHandle app = ProcessHandle.of(pid()).orElseThrow();

    String said = script("stop.sh");

    assertThat(said).isEqualTo("stopped pid " + app.pid() + "\n");
    assertThat(app.onExit().get(10, TimeUnit.SECONDS).isAlive()).isFalse();
    assertThat(target.resolve("app.pid")).doesNotExist();
  }

  @Test
  void stopLeavesAnotherProgramAloneWhoseNumberIsInAStalePidFile() throws Exception {
    Process other = other();
    Files.writeString(target.resolve("app.pid"), other.pid() + "\n");

    String said = script("stop.sh");

    assertThat(said).startsWith("not running (pid " + other.pid() + " now belongs to another program, left alone: ")
        .contains("sleep");
    assertThat(other.isAlive()).isTrue();
    assertThat(target.resolve("app.pid")).doesNotExist();
  }

  @Test
  void startStartsTheAppWhenAStalePidFileNamesAnotherProgram() throws Exception {
    Process other = other();
    Files.writeString(target.resolve("app.pid"), other.pid() + "\n");

    String said = script("start.sh");

    long app = pid();
    assertThat(said).startsWith("started 1.0.0");
    assertThat(app).isNotEqualTo(other.pid());
    assertThat(theApp(app)).isPresent();
    assertThat(other.isAlive()).isTrue();
    assertThat(script("stop.sh")).isEqualTo("stopped pid " + app + "\n");
  }

  private Process other() throws IOException {
    Process other = new ProcessBuilder("sleep", "300").start();
    others.add(other);
    return other;
  }

  private long pid() throws IOException {
    return Long.parseLong(Files.readString(target.resolve("app.pid")).strip());
  }

  /**
   * The process {@code pid} once it runs the app: start.sh reports the pid of its background child, which may
   * not have replaced itself with the app's interpreter yet when the script returns.
   */
  private java.util.Optional<ProcessHandle> theApp(long pid) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      java.util.Optional<ProcessHandle> app = ProcessHandle.of(pid).filter(this::isTheApp);
      if (app.isPresent() || System.nanoTime() > deadline || ProcessHandle.of(pid).isEmpty()) {
        return app;
      }
      Thread.sleep(50);
    }
  }

  private boolean isTheApp(ProcessHandle process) {
    return process.info().arguments().map(args -> String.join(" ", args)).orElse("").contains("app.py");
  }

  /** Runs {@code current/bin/NAME} as an operator would; answers what it printed. */
  private String script(String name) throws Exception {
    ProcessBuilder builder = new ProcessBuilder("/bin/sh", "current/bin/" + name).directory(target.toFile())
        .redirectErrorStream(true);
    builder.environment().remove("GANTRY_TARGET_DIR");
    // the sample app's interpreter is the system's
    builder.environment().put("PATH", "/usr/bin:/bin");
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    return output;
  }
}
