package io.gantry.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.shared.Finding;
import io.gantry.shared.InvalidInputException;
import java.util.List;
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

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      notifications                | failurePolicy:                     | notifications: [{on: [failed], channel: email, to: [a@example.com]}]\\n      failurePolicy: | spec.stages[0].notifications | notifications | notifications are not sent
      """)
  void a_field_that_is_not_carried_out_is_refused_with_its_place_and_reason(String what, String find, String replace,
      String field, String marker, String reason) {
    String added = replace.replace("\\n", "\n");
    String text = MODEL.replace(find, added);
    assertThat(text).as("the case edits the model").isNotEqualTo(MODEL);

    Finding f = single(text);

    assertThat(f.field()).isEqualTo(field);
    assertThat(f.location().line()).as("line").isEqualTo(lineOf(text, marker + ":", text.indexOf(added)));
    assertThat(f.message()).contains("\"" + marker + "\" is not accepted").contains(reason)
        .contains("docs/configuration.md");
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

  /** The 1-based line of {@code marker} at or after {@code from}: where the case added its field. */
  private static int lineOf(String text, String marker, int from) {
    return (int) text.substring(0, text.indexOf(marker, from)).chars().filter(c -> c == '\n').count() + 1;
  }

  private Finding single(String text) {
    List<Finding> findings = findings(text);
    assertThat(findings).as("findings").hasSize(1);
    return findings.getFirst();
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
