package io.gantry.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.model.Stage;
import io.gantry.shared.Finding;
import io.gantry.shared.InvalidInputException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A canary strategy that could not work as written (no canary, no rest, a ratio that cannot be met,
 * an interval longer than its analysis, no checks, checks that change the targets) is refused at plan
 * and apply with its file, line and field; a sound one is accepted and read into the model.
 */
class CanaryChecksTest {

  private static final String FILE = "models/software.yaml";
  private static final String TEXT = """
      apiVersion: gantry.io/v1
      kind: Environment
      metadata: {name: live}
      spec: {purpose: production, owner: ops}
      ---
      apiVersion: gantry.io/v1
      kind: Target
      metadata: {name: l1}
      spec: {environment: live, kind: local, path: l1}
      ---
      apiVersion: gantry.io/v1
      kind: DeploymentModel
      metadata: {name: software}
      spec:
        appliesTo: {componentTypes: [software]}
        stages:
          - name: live
            environment: live
            strategy:
              type: canary
              batchSize: 2
              canary:
                share: 25%
                pause: 10m
                analysis:
                  checks:
                    - {name: healthy, type: http-check, url: "http://127.0.0.1:8080/health"}
                    - {name: no-errors, type: shell, command: "! grep -q ERROR current/app.log"}
                  interval: 30s
                  duration: 5m
                  successRatio: 0.95
            steps:
              - {name: install, type: artifact.install, destination: releases}
      """;

  private final ConfigLoader loader = new ConfigLoader();

  private List<Finding> refused(String text) {
    InvalidInputException e = (InvalidInputException) org.assertj.core.api.Assertions.catchThrowable(
        () -> new ConfigInterpreter().interpret(loader.load(List.of(new ConfigFile(FILE, text)))));
    assertThat(e).as("the configuration is refused").isNotNull();
    return e.findings();
  }

  @Test
  void a_canary_with_a_share_a_pause_and_an_analysis_is_accepted_and_read_into_the_model() {
    var models = new ConfigInterpreter().interpret(loader.load(List.of(new ConfigFile(FILE, TEXT)))).models();

    Stage.Strategy strategy = models.get("software").definition().spec().stages().getFirst().strategy();
    assertThat(strategy.type()).isEqualTo(Stage.Strategy.Type.CANARY);
    assertThat(strategy.canary().share()).isEqualTo("25%");
    assertThat(strategy.canary().pause().text()).isEqualTo("10m");
    assertThat(strategy.canary().analysis().checks()).hasSize(2);
    assertThat(strategy.canary().analysis().rounds()).isEqualTo(10);
    assertThat(strategy.canary().analysis().threshold()).isEqualTo(0.95);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      a share of 0%                   | share: 25%          | share: 0%           | spec.stages[0].strategy.canary.share                    | is no canary
      a share of 100%                 | share: 25%          | share: 100%         | spec.stages[0].strategy.canary.share                    | leaves none for after the analysis
      a count of 0                    | share: 25%          | share: 0            | spec.stages[0].strategy.canary.share                    | is not a share of the targets
      a ratio above 1                 | successRatio: 0.95  | successRatio: 1.5   | spec.stages[0].strategy.canary.analysis.successRatio    | maximum value of 1
      a ratio of 0                    | successRatio: 0.95  | successRatio: 0     | spec.stages[0].strategy.canary.analysis.successRatio    | 0
      an interval over the duration   | interval: 30s       | interval: 10m       | spec.stages[0].strategy.canary.analysis.interval        | is longer than the analysis (duration 5m)
      too many rounds                 | interval: 30s       | interval: 100ms     | spec.stages[0].strategy.canary.analysis.interval        | makes 3000 rounds of checks
      a pause between batches         | batchSize: 2        | pauseBetweenBatches: 1m | spec.stages[0].strategy.pauseBetweenBatches         | use canary.pause
      a check that changes the target | type: shell, command: "! grep | type: artifact.install, destination: x, command: "! grep | spec.stages[0].strategy.canary.analysis.checks[1] | command
      a check named like a step       | name: healthy       | name: install       | spec.stages[0].strategy.canary.analysis.checks[0].name  | is declared twice
      """)
  void a_canary_that_could_not_work_as_written_is_refused_with_its_place(String what, String find, String replace,
      String field, String message) {
    String text = TEXT.replace(find, replace);
    assertThat(text).as("the case edits the model").isNotEqualTo(TEXT);

    List<Finding> findings = text.contains("successRatio: 0\n") || text.contains("successRatio: 1.5")
        || text.contains("artifact.install, destination: x, command") ? schemaFindings(text) : refused(text);

    assertThat(findings).as(what).anySatisfy(f -> {
      assertThat(f.field()).startsWith(field);
      assertThat(f.message()).contains(message);
      assertThat(f.location().file()).isEqualTo(FILE);
      assertThat(f.location().line()).isPositive();
    });
  }

  @Test
  void an_analysis_without_checks_is_refused() {
    String text = TEXT.replaceAll("(?s)checks:\\n.*?interval", "checks: []\n            interval");

    assertThat(schemaFindings(text)).anySatisfy(f ->
        assertThat(f.field()).isEqualTo("spec.stages[0].strategy.canary.analysis.checks"));
  }

  @Test
  void a_wait_as_an_analysis_check_is_refused_as_not_a_check() {
    String text = TEXT.replace("{name: no-errors, type: shell, command: \"! grep -q ERROR current/app.log\"}",
        "{name: settle, type: wait, duration: 1s}");

    assertThat(refused(text)).singleElement().satisfies(f -> {
      assertThat(f.field()).isEqualTo("spec.stages[0].strategy.canary.analysis.checks[1].type");
      assertThat(f.message()).isEqualTo("an analysis check is a shell or http-check step");
    });
  }

  @Test
  void canary_settings_on_a_rolling_strategy_and_a_canary_without_them_are_refused() {
    assertThat(refused(TEXT.replace("type: canary", "type: rolling"))).singleElement()
        .satisfies(f -> assertThat(f.message()).isEqualTo("canary settings belong to a strategy of type canary, not "
            + "rolling"));
    String without = TEXT.replaceAll("(?s)\\n        canary:.*?successRatio: 0.95", "");
    assertThat(refused(without)).singleElement().satisfies(f -> {
      assertThat(f.field()).isEqualTo("spec.stages[0].strategy.canary");
      assertThat(f.message()).contains("needs its canary settings");
    });
  }

  private List<Finding> schemaFindings(String text) {
    try {
      new ConfigInterpreter().interpret(loader.load(List.of(new ConfigFile(FILE, text))));
    } catch (InvalidInputException e) {
      return e.findings();
    }
    throw new AssertionError("the configuration was accepted");
  }
}
