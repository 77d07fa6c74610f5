package io.gantry.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.model.Stage;
import io.gantry.model.Step;
import io.gantry.shared.Finding;
import io.gantry.shared.InvalidInputException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A blue-green strategy that could not work as written is refused at plan and apply with its file,
 * line and field: a blueGreen block on another strategy, missing slots or ports, one port for both
 * slots, a switch that cannot switch, batch settings it would not act on.
 */
class BlueGreenChecksTest {

  private static final String FILE = "models/software.yaml";
  private static final String TEXT = """
      apiVersion: gantry.io/v1
      kind: Environment
      metadata: {name: dev}
      spec: {purpose: development, owner: dev-team}
      ---
      apiVersion: gantry.io/v1
      kind: DeploymentModel
      metadata: {name: software}
      spec:
        appliesTo: {componentTypes: [software]}
        stages:
          - name: dev
            environment: dev
            strategy:
              type: blue-green
              blueGreen:
                slots: {blue: {port: 8081}, green: {port: 8082}}
                switch: {name: proxy, type: shell, command: "echo $GANTRY_PORT > proxy.conf"}
            steps:
              - {name: install, type: artifact.install, destination: releases}
      """;

  private final ConfigLoader loader = new ConfigLoader();

  private List<Finding> findings(String text) {
    Throwable e = org.assertj.core.api.Assertions.catchThrowable(
        () -> new ConfigInterpreter().interpret(loader.load(List.of(new ConfigFile(FILE, text)))));
    assertThat(e).as("the configuration is refused").isInstanceOf(InvalidInputException.class);
    return ((InvalidInputException) e).findings();
  }

  @Test
  void a_blue_green_strategy_with_two_slots_and_a_shell_switch_is_read_into_the_model() {
    var models = new ConfigInterpreter().interpret(loader.load(List.of(new ConfigFile(FILE, TEXT)))).models();

    Stage.Strategy strategy = models.get("software").definition().spec().stages().getFirst().strategy();
    assertThat(strategy.type()).isEqualTo(Stage.Strategy.Type.BLUE_GREEN);
    assertThat(strategy.blueGreen().slots().blue().port()).isEqualTo(8081);
    assertThat(strategy.blueGreen().slots().green().port()).isEqualTo(8082);
    assertThat(strategy.blueGreen().switchStep()).isInstanceOfSatisfying(Step.Shell.class,
        s -> assertThat(s.command()).isEqualTo("echo $GANTRY_PORT > proxy.conf"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      one port for both slots      | green: {port: 8082}                | green: {port: 8081}                           | spec.stages[0].strategy.blueGreen.slots.green.port | is blue's port too
      a switch that cannot switch  | switch: {name: proxy, type: shell, command: "echo $GANTRY_PORT > proxy.conf"} | switch: {name: proxy, type: http-check, url: "http://x"} | spec.stages[0].strategy.blueGreen.switch.type | a http-check step cannot switch
      a switch for some targets    | command: "echo $GANTRY_PORT > proxy.conf"} | command: "true", targets: [web]} | spec.stages[0].strategy.blueGreen.switch.targets | not limited to tagged targets
      a batch size                 | type: blue-green                   | type: blue-green\\n        batchSize: 2    | spec.stages[0].strategy.batchSize | it has no batches
      a pause between batches      | type: blue-green                   | type: blue-green\\n        pauseBetweenBatches: 1m | spec.stages[0].strategy.pauseBetweenBatches | no batches to pause between
      no blueGreen block           | (the three lines of the block)     | (none)                                        | spec.stages[0].strategy.blueGreen | needs its slots
      a blueGreen block on rolling | type: blue-green                   | type: rolling                                 | spec.stages[0].strategy.blueGreen | belong to a strategy of type blue-green, not rolling
      """)
  void a_blue_green_strategy_that_cannot_work_as_written_is_refused_with_its_place(String what, String find,
      String replace, String field, String message) {
    String text = TEXT.replace(find, replace.replace("\\n", "\n"));
    if (what.equals("no blueGreen block")) {
      text = String.join("\n", TEXT.lines().filter(l -> !l.contains("blueGreen:") && !l.contains("slots:")
          && !l.contains("switch:")).toList()) + "\n";
    }
    assertThat(text).as("the case edits the model").isNotEqualTo(TEXT);

    assertThat(findings(text)).filteredOn(f -> f.field().equals(field)).singleElement().satisfies(f -> {
      assertThat(f.message()).contains(message);
      assertThat(f.location().file()).isEqualTo(FILE);
      assertThat(f.location().line()).isPositive();
    });
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      a missing slot         | {blue: {port: 8081}, green: {port: 8082}} | {blue: {port: 8081}}                       | green
      a port out of range    | {port: 8082}                              | {port: 70000}                              | 65535
      a third slot           | {blue: {port: 8081}, green: {port: 8082}} | {blue: {port: 8081}, green: {port: 8082}, red: {port: 8083}} | red
      """)
  void slots_the_schema_does_not_allow_are_refused_at_the_slots(String what, String find, String replace,
      String named) {
    String text = TEXT.replace(find, replace);
    assertThat(text).isNotEqualTo(TEXT);

    assertThat(findings(text)).anySatisfy(f -> {
      assertThat(f.field()).startsWith("spec.stages[0].strategy.blueGreen.slots");
      assertThat(f.message()).contains(named);
    });
  }
}
