package io.gantry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;

class RehearsalTest {

  @Test
  void theLaunchersTrainingRunGoesThroughEveryKindOfCommandLineAndPrintsNothing() throws Exception {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    int answered;
    try {
      System.setOut(new PrintStream(printed, true));
      System.setErr(new PrintStream(printed, true));
      answered = Rehearsal.run();
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    assertThat(printed.toString()).isEmpty();
    assertThat(answered).as("the status in a table and as JSON").isEqualTo(2);
  }
}
