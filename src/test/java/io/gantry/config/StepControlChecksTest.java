package io.gantry.config;

import static io.gantry.config.ConfigLoaderTest.lineOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.shared.Finding;
import io.gantry.shared.InvalidInputException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The controls on a model's steps that need the rest of the configuration to be checked (the tags
 * its targets carry) are refused at plan and apply, each with its file, line and field.
 */
class StepControlChecksTest {

  private static final String FILE = "models/software.yaml";
  private static final String TEXT = """
      apiVersion: gantry.io/v1
      kind: Environment
      metadata: {name: dev}
      spec: {purpose: development, owner: dev-team}
      ---
      apiVersion: gantry.io/v1
      kind: Environment
      metadata: {name: live}
      spec: {purpose: production, owner: ops}
      ---
      apiVersion: gantry.io/v1
      kind: Target
      metadata: {name: d1}
      spec: {environment: dev, kind: local, path: d1, tags: [app]}
      ---
      apiVersion: gantry.io/v1
      kind: Target
      metadata: {name: l1}
      spec: {environment: live, kind: local, path: l1, tags: [web]}
      ---
      apiVersion: gantry.io/v1
      kind: DeploymentModel
      metadata: {name: software}
      spec:
        appliesTo: {componentTypes: [software]}
        stages:
          - name: dev
            environment: dev
            steps:
              - {name: install, type: artifact.install, destination: releases, targets: [app]}
              - {name: restart, type: shell, command: "true", targets: [app, web]}
      """;

  private final ConfigLoader loader = new ConfigLoader();

  private List<Finding> refused(String text, ConfigInterpreter interpreter) {
    InvalidInputException e = (InvalidInputException) org.assertj.core.api.Assertions.catchThrowable(
        () -> interpreter.interpret(loader.load(List.of(new ConfigFile(FILE, text)))));
    assertThat(e).as("the configuration is refused").isNotNull();
    return e.findings();
  }

  @Test
  void a_step_for_a_tag_no_target_of_its_environment_carries_is_refused_with_its_place() {
    assertThat(refused(TEXT, new ConfigInterpreter())).singleElement().satisfies(f -> {
      assertThat(f.field()).isEqualTo("spec.stages[0].steps[1].targets[1]");
      assertThat(f.message()).isEqualTo("no target of environment dev carries the tag web");
      assertThat(f.location().file()).isEqualTo(FILE);
      assertThat(f.location().line()).isEqualTo(lineOf(TEXT, "name: restart"));
    });
  }

  @Test
  void a_step_for_tags_its_environment_carries_is_accepted() {
    String text = TEXT.replace("targets: [app, web]", "targets: [app]");

    assertThat(new ConfigInterpreter().interpret(loader.load(List.of(new ConfigFile(FILE, text)))).models())
        .containsKey("software");
  }

  @Test
  void a_batch_size_on_an_all_at_once_stage_is_refused_because_it_would_be_ignored() {
    String text = TEXT.replace("targets: [app, web]", "targets: [app]").replace("      environment: dev\n      steps:",
        "      environment: dev\n      strategy: {type: all-at-once, batchSize: 2}\n      steps:");

    assertThat(refused(text, new ConfigInterpreter())).singleElement().satisfies(f -> {
      assertThat(f.field()).isEqualTo("spec.stages[0].strategy.batchSize");
      assertThat(f.message()).startsWith("all-at-once deploys to every target in one batch");
      assertThat(f.location().line()).isEqualTo(lineOf(text, "strategy: {type: all-at-once"));
    });
  }

  @Test
  void a_retry_delay_without_retries_is_refused_with_its_place() {
    String text = TEXT.replace("targets: [app, web]}", "targets: [app]}\n      failurePolicy: {action: stop, "
        + "retryDelay: 30s}");

    assertThat(refused(text, new ConfigInterpreter())).singleElement().satisfies(f -> {
      assertThat(f.field()).isEqualTo("spec.stages[0].failurePolicy.retryDelay");
      assertThat(f.message()).startsWith("a retry delay needs retries");
      assertThat(f.location().line()).isEqualTo(lineOf(text, "failurePolicy:"));
    });
  }

  @Test
  void secret_references_are_accepted_in_a_steps_environment_and_refused_where_they_would_be_used_as_written() {
    String accepted = TEXT.replace("command: \"true\", targets: [app, web]}",
        "command: \"true\", targets: [app], environment: {KEY: \"${secret:api-key}\"}}");
    assertThat(new ConfigInterpreter().interpret(loader.load(List.of(new ConfigFile(FILE, accepted)))).models())
        .containsKey("software");

    String inCommand = TEXT.replace("command: \"true\", targets: [app, web]}",
        "command: \"curl -u me:${secret:api-key} x\", targets: [app], environment: {K: \"${secret:bad name}\"}}");
    assertThat(refused(inCommand, new ConfigInterpreter())).extracting(Finding::field, Finding::message)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("spec.stages[0].steps[1].command", "a secret reference is given its "
                + "value only in a step's environment, a template step's variables, and an ssh target's identity and "
                + "passphrase; here it would be used as written"),
            org.assertj.core.groups.Tuple.tuple("spec.stages[0].steps[1].environment.K", "\"bad name\" cannot be a "
                + "secret's name (1 to 100 letters, digits, '_', '.' or '-', starting with a letter or digit)"));
  }

  @Test
  void a_step_timeout_longer_than_the_server_allows_is_refused_with_its_place() {
    String text = TEXT.replace("targets: [app, web]}", "targets: [app], timeout: 3h}");

    assertThat(refused(text, new ConfigInterpreter(java.time.Duration.ofHours(2)))).singleElement().satisfies(f -> {
      assertThat(f.field()).isEqualTo("spec.stages[0].steps[1].timeout");
      assertThat(f.message()).isEqualTo("a timeout of 3h is longer than a step may take here (2h, "
          + "gantry.engine.max-step-timeout)");
      assertThat(f.location().file()).isEqualTo(FILE);
      assertThat(f.location().line()).isEqualTo(lineOf(text, "name: restart"));
    });
    assertThat(new ConfigInterpreter().interpret(loader.load(List.of(new ConfigFile(FILE, text)))).models())
        .as("within the default of 24h").containsKey("software");
  }

  @Test
  void a_wait_bounded_by_less_than_its_duration_is_refused_with_its_place() {
    String text = TEXT.replace("targets: [app, web]}", "targets: [app]}\n        - {name: settle, type: wait, "
        + "duration: 2m, timeout: 1m}");

    assertThat(refused(text, new ConfigInterpreter())).singleElement().satisfies(f -> {
      assertThat(f.field()).isEqualTo("spec.stages[0].steps[2].timeout");
      assertThat(f.message()).isEqualTo("a timeout of 1m is shorter than the wait's duration (2m): the step could "
          + "never finish");
      assertThat(f.location().line()).isEqualTo(lineOf(text, "name: settle"));
    });
  }
}
