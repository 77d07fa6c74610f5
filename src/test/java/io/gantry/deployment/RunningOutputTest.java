package io.gantry.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a step running on this server has printed so far, for pages that follow a deployment live. */
class RunningOutputTest {

  @TempDir Path data;

  @Test
  void a_running_step_s_output_so_far_is_readable_and_bounded_and_gone_once_it_finishes() {
    StepOutputs outputs = new StepOutputs(data, 1024);
    StepOutputs.Capture capture = outputs.capture(7, 42);
    assertThat(outputs.runningTail(42, 100)).contains("");

    capture.accept("warming up 1");
    capture.accept("warming up 2");
    assertThat(outputs.runningTail(42, 4096)).contains("warming up 1\nwarming up 2\n");
    assertThat(outputs.runningTail(42, 13)).as("only the last bytes asked for").contains("warming up 2\n");
    assertThat(outputs.runningTail(41, 4096)).as("another step run").isEmpty();

    capture.finish();
    assertThat(outputs.runningTail(42, 4096)).as("finished: its record holds its output").isEmpty();
  }
}
