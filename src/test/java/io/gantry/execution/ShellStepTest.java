package io.gantry.execution;

import static io.gantry.execution.Fixtures.context;
import static io.gantry.execution.Fixtures.shell;
import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.execution.Fixtures.Log;
import io.gantry.execution.Fixtures.Release;
import io.gantry.testing.MutableClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShellStepTest {

  @TempDir
  Path target;

  private final MutableClock clock = MutableClock.at("2026-11-26T10:00:00Z");
  private final StepRunner runner =
      new StepRunner(clock, new Fixtures.RecordingSleeper(clock));
  private final Log log = new Log();
  private final Release release = Release.of("2.0.0", Map.of("a.txt", "a"));
  private final List<Long> started = new ArrayList<>();

  @AfterEach
  void killWhatTheTestsStarted() {
    started.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
  }

  @Test
  void a_command_that_exits_as_expected_succeeds_and_its_output_goes_to_the_log_line_by_line() {
    StepOutcome outcome = runner.run(shell("echo one; echo two >&2; printf 'three'"), context(target, release, log));

    assertThat(outcome).isEqualTo(new StepOutcome.Succeeded("command exited with 0"));
    assertThat(log.lines).containsSubsequence("one", "two", "three");
  }

  @Test
  void a_command_exiting_otherwise_fails_with_its_exit_code_and_last_lines() {
    StepOutcome outcome = runner.run(shell("for i in $(seq 1 30); do echo line $i; done; exit 3"),
        context(target, release, log));

    assertThat(outcome).isInstanceOf(StepOutcome.Failed.class);
    String reason = ((StepOutcome.Failed) outcome).reason();
    assertThat(reason).startsWith("command exited with 3 (expected 0)").contains("line 21", "line 30")
        .doesNotContain("line 20\n");
  }

  @Test
  void the_expected_exit_code_may_be_other_than_zero() {
    assertThat(runner.run(shell("exit 3", null, null, 3, null), context(target, release, log)))
        .isInstanceOf(StepOutcome.Succeeded.class);
    assertThat(runner.run(shell("true", null, null, 3, null), context(target, release, log)))
        .isInstanceOf(StepOutcome.Failed.class);
  }

  @Test
  void the_command_runs_in_its_working_directory_with_its_environment_and_the_target_described() throws Exception {
    Files.createDirectories(target.resolve("work"));

    StepOutcome outcome = runner.run(shell("echo \"$(pwd) $GREETING $GANTRY_TARGET $GANTRY_VERSION $GANTRY_TARGET_DIR\"",
        "work", Map.of("GREETING", "hello"), null, null), context(target, release, log));

    assertThat(outcome).isInstanceOf(StepOutcome.Succeeded.class);
    String real = target.toRealPath().toString();
    assertThat(log.lines).contains(real + "/work hello web-1 2.0.0 " + target.toAbsolutePath());
  }

  @Test
  void a_local_command_never_sees_the_servers_environment_only_the_host_basics_its_own_and_gantrys() {
    StepOutcome outcome = runner.run(shell("env | cut -d= -f1 | sort", null, Map.of("GREETING", "hello"), null, null),
        context(target, release, log));

    assertThat(outcome).isInstanceOf(StepOutcome.Succeeded.class);
    assertThat(System.getenv()).as("the test runs with variables no step may see").containsKey("GANTRY_DB_PASSWORD");
    List<String> shellOwn = List.of("PWD", "OLDPWD", "SHLVL", "_");
    assertThat(log.lines).contains("GREETING", "GANTRY_TARGET", "PATH").allSatisfy(name -> assertThat(
        StepEnvironment.INHERITED.contains(name) || List.of("GANTRY_TARGET", "GANTRY_VERSION", "GANTRY_TARGET_DIR",
            "GANTRY_COMPONENT").contains(name) || name.equals("GREETING")
            || shellOwn.contains(name)).as(name).isTrue());
  }

  @Test
  void a_check_command_runs_without_the_servers_environment() {
    assertThat(System.getenv()).containsKey("GANTRY_DB_PASSWORD");
    assertThat(Requirements.command(target, "test -z \"$GANTRY_DB_PASSWORD\"")).isNull();
  }

  @Test
  void a_working_directory_outside_the_target_is_refused() {
    StepOutcome outcome = runner.run(shell("touch escaped", "..", null, null, null), context(target, release, log));

    assertThat(outcome).isInstanceOf(StepOutcome.Failed.class);
    assertThat(target.getParent().resolve("escaped")).doesNotExist();
  }

  @Test
  void a_command_running_past_its_timeout_is_killed_with_everything_it_started() throws Exception {
    long begin = System.nanoTime();

    StepOutcome outcome = runner.run(shell("echo begun; sleep 30 & echo $! > child.pid; wait", null, null, null, "500ms"),
        context(target, release, log));

    assertThat(Duration.ofNanos(System.nanoTime() - begin)).isLessThan(Duration.ofSeconds(10));
    assertThat(outcome).isInstanceOf(StepOutcome.Failed.class);
    assertThat(((StepOutcome.Failed) outcome).reason()).startsWith("command did not finish within 500ms and was killed")
        .contains("begun");
    long child = Long.parseLong(Files.readString(target.resolve("child.pid")).strip());
    started.add(child);
    assertThat(gone(child)).as("the background sleep was killed").isTrue();
  }

  @Test
  void a_background_process_started_by_the_command_does_not_keep_the_step_waiting() throws Exception {
    long begin = System.nanoTime();

    StepOutcome outcome = runner.run(shell("sleep 30 & echo $! > child.pid; echo started"), context(target, release, log));

    assertThat(Duration.ofNanos(System.nanoTime() - begin)).isLessThan(Duration.ofSeconds(10));
    assertThat(outcome).isInstanceOf(StepOutcome.Succeeded.class);
    assertThat(log.lines).contains("started");
    long child = Long.parseLong(Files.readString(target.resolve("child.pid")).strip());
    started.add(child);
    assertThat(running(child)).as("the background process lives on").isTrue();
  }

  /** Waits up to five seconds for the process to end (a zombie no one has reaped yet counts as ended). */
  private static boolean gone(long pid) throws Exception {
    Optional<ProcessHandle> handle = ProcessHandle.of(pid);
    if (handle.isEmpty()) {
      return true;
    }
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (System.nanoTime() < until) {
      if (!running(pid)) {
        return true;
      }
      handle.get().onExit().completeOnTimeout(null, 50, TimeUnit.MILLISECONDS).join();
    }
    return false;
  }

  private static boolean running(long pid) throws IOException {
    Path stat = Path.of("/proc/" + pid + "/stat");
    if (!Files.exists(stat)) {
      return false;
    }
    try {
      String text = Files.readString(stat);
      char state = text.charAt(text.lastIndexOf(')') + 2);
      return state != 'Z' && state != 'X';
    } catch (IOException e) {
      return false;
    }
  }
}
