package io.gantry.execution;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.execution.Fixtures.Log;
import io.gantry.execution.Fixtures.Release;
import io.gantry.model.Step;
import io.gantry.testing.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The blue-green switch on a folder of the Gantry host: the live link moved to the slot in one rename,
 * the switch command run with the slot's variables, put back when the command fails, and refused
 * when what it would point at or replace is not what Gantry made.
 */
class SlotSwitchTest {

  @TempDir
  Path component;

  private final MutableClock clock = MutableClock.at("2026-11-26T10:00:00Z");
  private final StepRunner runner =
      new StepRunner(clock, new Fixtures.RecordingSleeper(clock));
  private final Log log = new Log();
  private final Release release = Release.of("2.0.0", Map.of("a.txt", "a"));

  private StepContext inSlot(String slot, int port) {
    StepContext c = Fixtures.context(component.resolve(slot), release, log);
    return new StepContext(c.targetRoot(), c.targetName(), c.version(), c.variables(), c.artifacts(),
        Duration.ofSeconds(30), c.log(), null, new Slot(slot, port));
  }

  private static Step.Shell command(String command) {
    return new Step.Shell("proxy", null, null, null, command, null, null, null);
  }

  @Test
  void the_live_link_moves_to_the_slot_and_the_command_runs_in_the_component_folder_with_the_slots_port()
      throws Exception {
    Files.createDirectories(component.resolve("blue"));
    Files.createDirectories(component.resolve("green"));
    assertThat(runner.switchTo(inSlot("blue", 8081), null)).isInstanceOf(StepOutcome.Succeeded.class);

    StepOutcome outcome = runner.switchTo(inSlot("green", 8082),
        command("echo $GANTRY_SLOT $GANTRY_PORT > proxy.conf"));

    assertThat(outcome).isInstanceOfSatisfying(StepOutcome.Succeeded.class,
        s -> assertThat(s.summary()).startsWith("live -> green (was blue); proxy:"));
    assertThat(Files.readSymbolicLink(component.resolve("live")).toString()).isEqualTo("green");
    assertThat(Files.readString(component.resolve("proxy.conf")).strip()).isEqualTo("green 8082");
  }

  @Test
  void a_failing_switch_command_puts_the_live_link_back() throws Exception {
    Files.createDirectories(component.resolve("blue"));
    Files.createDirectories(component.resolve("green"));
    runner.switchTo(inSlot("blue", 8081), null);

    StepOutcome outcome = runner.switchTo(inSlot("green", 8082), command("exit 4"));

    assertThat(outcome).isInstanceOfSatisfying(StepOutcome.Failed.class,
        f -> assertThat(f.reason()).contains("switch command proxy failed").endsWith("live put back to blue"));
    assertThat(Files.readSymbolicLink(component.resolve("live")).toString()).isEqualTo("blue");
  }

  @Test
  void a_slot_that_is_a_link_or_a_live_that_is_not_a_link_is_refused_and_nothing_moves() throws Exception {
    Path elsewhere = Files.createDirectories(component.resolveSibling(component.getFileName() + "-elsewhere"));
    Files.createSymbolicLink(component.resolve("green"), elsewhere);

    StepOutcome planted = runner.switchTo(inSlot("green", 8082), null);

    assertThat(planted).isInstanceOfSatisfying(StepOutcome.Failed.class,
        f -> assertThat(f.reason()).contains("is not a real folder").contains("nothing was switched"));
    assertThat(Files.exists(component.resolve("live"), java.nio.file.LinkOption.NOFOLLOW_LINKS)).isFalse();

    Files.createDirectories(component.resolve("blue"));
    Files.writeString(component.resolve("live"), "a file someone left");
    StepOutcome notALink = runner.switchTo(inSlot("blue", 8081), null);

    assertThat(notALink).isInstanceOfSatisfying(StepOutcome.Failed.class,
        f -> assertThat(f.reason()).contains("is not a symbolic link").contains("nothing was switched"));
    assertThat(Files.readString(component.resolve("live"))).isEqualTo("a file someone left");
  }
}
