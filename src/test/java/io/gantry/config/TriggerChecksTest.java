package io.gantry.config;

import static io.gantry.config.ConfigLoaderTest.lineOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.shared.Finding;
import io.gantry.shared.InvalidInputException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Bad triggers in a deployment model are refused at plan and apply, each with its file, line and field. */
class TriggerChecksTest {

  private static final String FILE = "models/software.yaml";
  private static final String HEAD = """
      apiVersion: gantry.io/v1
      kind: Environment
      metadata: {name: dev}
      spec: {purpose: development, owner: dev-team}
      ---
      apiVersion: gantry.io/v1
      kind: Environment
      metadata: {name: test}
      spec: {purpose: test, owner: qa-team}
      ---
      apiVersion: gantry.io/v1
      kind: Environment
      metadata: {name: live}
      spec: {purpose: production, owner: ops}
      ---
      apiVersion: gantry.io/v1
      kind: DeploymentModel
      metadata: {name: software}
      spec:
        appliesTo: {componentTypes: [software]}
        stages:
          - {name: dev, environment: dev, steps: [{name: run, type: shell, command: "true"}]}
          - {name: test, environment: test, steps: [{name: run, type: shell, command: "true"}]}
          - {name: live, environment: live, steps: [{name: run, type: shell, command: "true"}]}
        triggers:
      """;

  private final ConfigLoader loader = new ConfigLoader();
  private final ConfigInterpreter interpreter = new ConfigInterpreter();

  private String model(String... triggers) {
    StringBuilder text = new StringBuilder(HEAD);
    for (String t : triggers) {
      text.append("    - ").append(t).append('\n');
    }
    return text.toString();
  }

  private List<Finding> refused(String text) {
    InvalidInputException e = (InvalidInputException) org.assertj.core.api.Assertions.catchThrowable(
        () -> interpreter.interpret(loader.load(List.of(new ConfigFile(FILE, text)))));
    assertThat(e).as("the configuration is refused").isNotNull();
    return e.findings();
  }

  @Test
  void a_loop_of_stage_succeeded_triggers_is_refused_naming_the_loop() {
    String text = model("{type: stage-succeeded, after: dev, stage: test}",
        "{type: stage-succeeded, after: test, stage: dev}");

    assertThat(refused(text)).singleElement().satisfies(f -> {
      assertThat(f.field()).isEqualTo("spec.triggers[1].after");
      assertThat(f.message()).isEqualTo("stage-succeeded triggers form a loop: dev -> test -> dev (each success "
          + "would start the next, for ever); remove one of them");
      assertThat(f.location().file()).isEqualTo(FILE);
      assertThat(f.location().line()).isEqualTo(lineOf(text, "after: test"));
    });
  }

  @Test
  void a_loop_through_a_chain_of_stages_is_refused_too() {
    String text = model("{type: stage-succeeded, after: dev, stage: test}",
        "{type: stage-succeeded, after: test, stage: live}", "{type: stage-succeeded, after: live, stage: dev}");

    assertThat(refused(text)).singleElement().satisfies(f -> {
      assertThat(f.field()).isEqualTo("spec.triggers[2].after");
      assertThat(f.message()).startsWith("stage-succeeded triggers form a loop: dev -> test -> live -> dev ");
      assertThat(f.location().line()).isEqualTo(lineOf(text, "after: live"));
    });
  }

  @Test
  void a_stage_that_triggers_itself_is_a_loop() {
    assertThat(refused(model("{type: stage-succeeded, after: test, stage: test}"))).singleElement()
        .satisfies(f -> assertThat(f.message()).startsWith("stage-succeeded triggers form a loop: test -> test "));
  }

  @Test
  void a_version_registered_and_a_stage_succeeded_trigger_into_one_stage_are_fine() {
    var state = interpreter.interpret(loader.load(List.of(new ConfigFile(FILE, model(
        "{type: version-registered, stage: dev}", "{type: stage-succeeded, after: dev, stage: test}",
        "{type: version-registered, stage: test}", "{type: stage-succeeded, after: test, stage: live}")))));

    assertThat(state.models().get("software").definition().spec().triggers()).hasSize(4);
  }

  @Test
  void a_cron_expression_that_is_not_one_is_refused() {
    String text = model("{type: schedule, stage: test, cron: \"0 25 * * *\", timeZone: UTC}");

    assertThat(refused(text)).singleElement().satisfies(f -> {
      assertThat(f.field()).isEqualTo("spec.triggers[0].cron");
      assertThat(f.message()).startsWith("\"0 25 * * *\" is not a cron expression: ");
      assertThat(f.location().line()).isEqualTo(lineOf(text, "0 25 * * *"));
    });
  }

  @Test
  void a_cron_expression_with_six_fields_is_refused() {
    assertThat(refused(model("{type: schedule, stage: test, cron: \"0 0 2 * * *\", timeZone: UTC}")))
        .singleElement().satisfies(f -> assertThat(f.message()).isEqualTo("\"0 0 2 * * *\" has 6 field(s); a cron "
            + "expression here has five: minute hour day-of-month month day-of-week (e.g. \"0 2 * * 1-5\")"));
  }

  @Test
  void a_cron_expression_that_never_fires_is_refused() {
    assertThat(refused(model("{type: schedule, stage: test, cron: \"0 0 30 2 *\", timeZone: UTC}")))
        .singleElement().satisfies(f -> {
          assertThat(f.field()).isEqualTo("spec.triggers[0].cron");
          assertThat(f.message()).isEqualTo("\"0 0 30 2 *\" never fires: no date matches it");
        });
  }

  @Test
  void an_unknown_time_zone_is_refused() {
    String text = model("{type: schedule, stage: test, cron: \"0 2 * * *\", timeZone: Mars/Olympus}");

    assertThat(refused(text)).singleElement().satisfies(f -> {
      assertThat(f.field()).isEqualTo("spec.triggers[0].timeZone");
      assertThat(f.message()).isEqualTo("\"Mars/Olympus\" is not a time zone (use a name such as Europe/London or UTC)");
      assertThat(f.location().line()).isEqualTo(lineOf(text, "Mars/Olympus"));
    });
  }

  @Test
  void a_trigger_naming_a_stage_not_in_the_model_is_refused() {
    assertThat(refused(model("{type: stage-succeeded, after: staging, stage: prod}")))
        .extracting(Finding::field, Finding::message)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("spec.triggers[0].stage", "stage \"prod\" is not in this model"),
            org.assertj.core.groups.Tuple.tuple("spec.triggers[0].after", "stage \"staging\" is not in this model"));
  }
}
