package io.gantry.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.shared.Finding;
import io.gantry.shared.InvalidInputException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A model that declares a control Gantry does not carry out is refused at plan and apply, with the
 * field, its line and the reason, instead of being accepted and then silently skipped.
 */
class NotCarriedOutTest {

  private static final String MODEL = """
      apiVersion: gantry.io/v1
      kind: DeploymentModel
      metadata:
        name: software
      spec:
        appliesTo:
          componentTypes: [software]
        componentChecks:
          requiredArtifacts: []
        stages:
          - name: dev
            environment: dev
            strategy: {type: rolling, batchSize: 1}
            entryCriteria:
              - {type: version-status, status: registered}
            steps:
              - {name: install, type: artifact.install, destination: releases}
              - {name: restart, type: shell, command: ./bin/restart.sh, timeout: 1m}
              - {name: settle, type: wait, duration: 1s}
            failurePolicy: {action: rollback, retries: 1}
      """;

  private final ConfigLoader loader = new ConfigLoader();

  @Test
  void no_field_is_refused_as_not_carried_out_today_and_notifications_are_accepted() {
    assertThat(NotCarriedOut.why("notifications")).isNull();
    String text = MODEL.replace("failurePolicy:", "notifications: [{on: [failed], channel: email, to: [a@example.com]}]"
        + "\n      failurePolicy:");

    assertThat(loader.load(List.of(new ConfigFile("m.yaml", text)))).isNotEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      stage-succeeded on exit | failurePolicy: | exitCriteria: [{type: stage-succeeded, stage: dev}]\\n      failurePolicy: | spec.stages[0].exitCriteria[0].type | stage-succeeded is known before any target changes
      version-status on exit  | failurePolicy: | exitCriteria: [{type: version-status, status: approved}]\\n      failurePolicy: | spec.stages[0].exitCriteria[0].type | declare it in entryCriteria
      """)
  void a_value_that_is_not_carried_out_is_refused_naming_the_values_that_are(String what, String find,
      String replace, String field, String reason) {
    String text = MODEL.replace(find, replace.replace("\\n", "\n"));

    List<Finding> findings = findings(text);

    assertThat(findings).filteredOn(f -> f.field().equals(field)).singleElement()
        .satisfies(f -> assertThat(f.message()).contains("is not allowed here; use one of").contains(reason));
  }

  private List<Finding> findings(String text) {
    try {
      loader.load(List.of(new ConfigFile("m.yaml", text)));
    } catch (InvalidInputException e) {
      return e.findings();
    }
    throw new AssertionError("the configuration was accepted");
  }
}
