package io.gantry.execution;

import static io.gantry.execution.Fixtures.httpCheck;
import static io.gantry.execution.Fixtures.install;
import static io.gantry.execution.Fixtures.shell;
import static io.gantry.execution.Fixtures.template;
import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.execution.Fixtures.Log;
import io.gantry.execution.Fixtures.Release;
import io.gantry.model.Step;
import io.gantry.model.TimeSpan;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sample application deployed to a local target the way the in-house software model does it:
 * install, configure, restart, check health; and a broken version rolled back.
 */
class SampleAppEndToEndTest {

  private static final Path SAMPLE_APP = Path.of("examples/sample-app");

  @TempDir
  Path target;

  private final StepRunner runner =
      new StepRunner(Clock.systemUTC(), Sleeper.real());
  private final Log log = new Log();
  private int port;

  @BeforeEach
  void choosePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
  }

  @AfterEach
  void stopTheApp() throws Exception {
    Path pidFile = target.resolve("app.pid");
    if (Files.exists(target.resolve("current/bin/stop.sh"))) {
      new ProcessBuilder("/bin/sh", "./current/bin/stop.sh").directory(target.toFile())
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
    }
    if (Files.exists(pidFile)) {
      ProcessHandle.of(Long.parseLong(Files.readString(pidFile).strip())).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  private List<Step> deployment() {
    return List.of(
        install("releases", null, 3),
        template("current/app.properties", "config/app.properties.tmpl", null, Map.of("port", String.valueOf(port))),
        shell("./current/bin/restart.sh", null, null, null, "30s"),
        httpCheck("http://127.0.0.1:" + port + "/health", "UP", 100, "100ms", "20s"));
  }

  private StepOutcome deploy(Release release) {
    StepContext ctx = new StepContext(target, "dev-web-1", release.version(),
        Map.of("environment", "dev", "target", "dev-web-1", "version", release.version().version().value()),
        release::open, Duration.ofSeconds(30), log::add);
    StepOutcome last = null;
    for (Step step : deployment()) {
      last = runner.run(step, ctx);
      if (!(last instanceof StepOutcome.Succeeded)) {
        return last;
      }
    }
    return last;
  }

  @Test
  void the_sample_app_is_installed_configured_started_and_answers_its_health_check() throws Exception {
    Release release = Release.ofFolder("1.0.0", SAMPLE_APP);

    StepOutcome outcome = deploy(release);

    assertThat(outcome).as(String.join("\n", log.lines)).isInstanceOf(StepOutcome.Succeeded.class);
    assertThat(target.resolve("current/app.properties")).content().contains("port=" + port, "version=1.0.0");
    assertThat(target.resolve("app.pid")).exists();
    StepOutcome smoke = runner.run(shell("./current/bin/smoke-test.sh"), new StepContext(target, "dev-web-1",
        release.version(), Map.of(), release::open, Duration.ofSeconds(30), log::add));
    assertThat(smoke).as(String.join("\n", log.lines)).isInstanceOf(StepOutcome.Succeeded.class);
    assertThat(log.lines).contains("home page names version 1.0.0");
  }

  @Test
  void a_version_failing_its_health_check_is_rolled_back_to_the_previous_one() throws Exception {
    Release good = Release.ofFolder("1.0.0", SAMPLE_APP);
    Release broken = Release.ofFolder("1.1.0", SAMPLE_APP).withFile("config/app.properties.tmpl",
        Files.readString(SAMPLE_APP.resolve("config/app.properties.tmpl")) + "fail=true\n");
    assertThat(deploy(good)).isInstanceOf(StepOutcome.Succeeded.class);

    Step.HttpCheck quickCheck = httpCheck("http://127.0.0.1:" + port + "/health", "UP", 3, "100ms", null);
    StepContext brokenCtx = new StepContext(target, "dev-web-1", broken.version(),
        Map.of("version", "1.1.0", "port", String.valueOf(port)), broken::open, Duration.ofSeconds(30), log::add);
    for (Step step : deployment().subList(0, 3)) {
      assertThat(runner.run(step, brokenCtx)).as(step.name()).isInstanceOf(StepOutcome.Succeeded.class);
    }
    Step.HttpCheck answersAtAll = new Step.HttpCheck("started", null, true, List.of(),
        "http://127.0.0.1:" + port + "/health", 500, null, 100, new TimeSpan("100ms"), new TimeSpan("20s"));
    assertThat(runner.run(answersAtAll, brokenCtx)).as("the broken version is up").isInstanceOf(StepOutcome.Succeeded.class);
    StepOutcome check = runner.run(quickCheck, brokenCtx);
    assertThat(check).isInstanceOf(StepOutcome.Failed.class);
    assertThat(((StepOutcome.Failed) check).reason()).contains("status 500", "DOWN version=1.1.0");

    assertThat(runner.switchCurrent(target, "releases", "1.0.0")).isInstanceOf(StepOutcome.Succeeded.class);
    assertThat(runner.run(shell("./current/bin/restart.sh"), brokenCtx)).isInstanceOf(StepOutcome.Succeeded.class);
    StepOutcome afterRollback = runner.run(
        httpCheck("http://127.0.0.1:" + port + "/health", "UP version=1.0.0", 100, "100ms", "20s"), brokenCtx);
    assertThat(afterRollback).as(String.join("\n", log.lines)).isInstanceOf(StepOutcome.Succeeded.class);
  }
}
