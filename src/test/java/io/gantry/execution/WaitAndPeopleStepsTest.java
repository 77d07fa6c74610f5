package io.gantry.execution;

import static io.gantry.execution.Fixtures.context;
import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.execution.Fixtures.Log;
import io.gantry.execution.Fixtures.RecordingSleeper;
import io.gantry.execution.Fixtures.Release;
import io.gantry.model.Step;
import io.gantry.model.TimeSpan;
import io.gantry.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WaitAndPeopleStepsTest {

  @TempDir
  Path target;

  private final MutableClock clock = MutableClock.at("2026-11-26T10:00:00Z");
  private final RecordingSleeper sleeper = new RecordingSleeper(clock);
  private final StepRunner runner = new StepRunner(clock, sleeper);
  private final Log log = new Log();
  private final Release release = Release.of("1.0.0", Map.of("a.txt", "a"));

  @Test
  void a_wait_step_waits_its_duration() {
    StepOutcome outcome = runner.run(new Step.Wait("settle", null, true, List.of(), new TimeSpan("90s")),
        context(target, release, log));

    assertThat(outcome).isEqualTo(new StepOutcome.Succeeded("waited 90s"));
    assertThat(sleeper.sleeps).containsExactly(Duration.ofSeconds(90));
  }

  @Test
  void a_manual_step_needs_a_person_to_follow_its_instructions_and_tick_its_checklist() {
    StepOutcome outcome = runner.run(new Step.Manual("rack", null, false, List.of(), "Mount the router in rack B4",
        List.of("power cables in both feeds", "label on the front"), true, "field-engineer"),
        context(target, release, log));

    assertThat(outcome).isEqualTo(new StepOutcome.NeedsPerson("someone holding the role field-engineer: "
        + "Mount the router in rack B4\ntick every item: power cables in both feeds; label on the front\n"
        + "attach evidence"));
  }

  @Test
  void an_approval_step_needs_people_holding_its_role() {
    StepOutcome outcome = runner.run(new Step.Approval("go", null, false, List.of(), "deployment-manager", 2,
        "Check the change record"), context(target, release, log));

    assertThat(outcome).isEqualTo(new StepOutcome.NeedsPerson(
        "approval by 2 people holding the role deployment-manager: Check the change record"));
  }
}
