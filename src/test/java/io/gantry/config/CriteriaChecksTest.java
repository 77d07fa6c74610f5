package io.gantry.config;

import static io.gantry.config.ConfigLoaderTest.lineOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.model.Criterion;
import io.gantry.model.Stage;
import io.gantry.model.Step;
import io.gantry.shared.Finding;
import io.gantry.shared.InvalidInputException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A stage's entry and exit criteria of type manual and check are refused at plan and apply when they
 * could not be carried out as written, each with its file, line and field.
 */
class CriteriaChecksTest {

  private static final String FILE = "models/software.yaml";
  private static final String TEXT = """
      apiVersion: gantry.io/v1
      kind: Environment
      metadata: {name: dev}
      spec: {purpose: development, owner: dev-team}
      ---
      apiVersion: gantry.io/v1
      kind: Target
      metadata: {name: d1}
      spec: {environment: dev, kind: local, path: d1, tags: [app]}
      ---
      apiVersion: gantry.io/v1
      kind: DeploymentModel
      metadata: {name: software}
      spec:
        appliesTo: {componentTypes: [software]}
        stages:
          - name: dev
            environment: dev
            entryCriteria:
              - {type: manual, description: release notes published, role: deployment-practitioner, timeout: 1h}
              - {type: check, step: {name: capacity, type: shell, command: "df -h .", targets: [app]}}
            steps:
              - {name: install, type: artifact.install, destination: releases}
            exitCriteria:
              - {type: check, step: {name: healthy, type: http-check, url: "http://localhost:8080/health"}}
              - {type: manual, description: smoke tested, role: deployment-manager}
      """;

  private final ConfigLoader loader = new ConfigLoader();

  private DesiredState interpret(String text) {
    return new ConfigInterpreter().interpret(loader.load(List.of(new ConfigFile(FILE, text))));
  }

  private List<Finding> refused(String text) {
    InvalidInputException e = (InvalidInputException) org.assertj.core.api.Assertions.catchThrowable(
        () -> interpret(text));
    assertThat(e).as("the configuration is refused").isNotNull();
    return e.findings();
  }

  @Test
  void manual_and_check_criteria_on_entry_and_exit_are_read_into_their_types() {
    Stage stage = interpret(TEXT).models().get("software").definition().spec().stages().getFirst();

    assertThat(stage.entryCriteria()).satisfiesExactly(
        c -> assertThat(c).isEqualTo(new Criterion.Manual("release notes published", "deployment-practitioner",
            new io.gantry.model.TimeSpan("1h"))),
        c -> assertThat(((Criterion.Check) c).step()).isInstanceOf(Step.Shell.class));
    assertThat(stage.exitCriteria()).satisfiesExactly(
        c -> assertThat(((Criterion.Check) c).step()).isInstanceOf(Step.HttpCheck.class),
        c -> assertThat(((Criterion.Manual) c).role()).isEqualTo("deployment-manager"));
  }

  @Test
  void a_manual_criterion_without_a_role_is_refused_with_its_place() {
    String text = TEXT.replace("{type: manual, description: smoke tested, role: deployment-manager}",
        "{type: manual, description: smoke tested}");

    assertThat(refused(text)).singleElement().satisfies(f -> {
      assertThat(f.field()).isEqualTo("spec.stages[0].exitCriteria[1].role");
      assertThat(f.message()).isEqualTo("missing required field \"role\"");
      assertThat(f.location().line()).isEqualTo(lineOf(text, "description: smoke tested"));
    });
  }

  @Test
  void a_manual_criterion_naming_a_role_gantry_does_not_know_is_refused_with_the_roles_it_knows() {
    String text = TEXT.replace("role: deployment-manager}", "role: qa-lead}");

    assertThat(refused(text)).singleElement().satisfies(f -> {
      assertThat(f.field()).isEqualTo("spec.stages[0].exitCriteria[1].role");
      assertThat(f.message()).contains("\"qa-lead\" is not a role; use one of").contains("deployment-manager");
      assertThat(f.location().file()).isEqualTo(FILE);
    });
  }

  @Test
  void a_role_that_only_reads_records_never_confirms_a_criterion_or_decides_a_step() {
    for (String reader : List.of("auditor", "service-desk", "supplier")) {
      String text = TEXT.replace("role: deployment-manager}", "role: " + reader + "}")
          .replace("{name: install, type: artifact.install, destination: releases}",
              "{name: install, type: artifact.install, destination: releases}\n"
                  + "        - {name: sign, type: manual, instructions: check it, role: " + reader + "}");

      assertThat(refused(text)).as(reader).extracting(Finding::field).containsExactlyInAnyOrder(
          "spec.stages[0].exitCriteria[1].role", "spec.stages[0].steps[1].role");
      assertThat(refused(text)).allSatisfy(f -> assertThat(f.message()).contains("the role " + reader
          + " reads records and never decides"));
    }
  }

  @Test
  void a_manual_criterion_without_a_description_is_refused() {
    String text = TEXT.replace("{type: manual, description: smoke tested, role: deployment-manager}",
        "{type: manual, role: deployment-manager}");

    assertThat(refused(text)).singleElement().satisfies(f -> {
      assertThat(f.field()).isEqualTo("spec.stages[0].exitCriteria[1].description");
      assertThat(f.message()).isEqualTo("missing required field \"description\"");
    });
  }

  @Test
  void a_check_without_a_step_is_refused_with_its_place() {
    String text = TEXT.replace("{type: check, step: {name: capacity, type: shell, command: \"df -h .\", "
        + "targets: [app]}}", "{type: check}");

    assertThat(refused(text)).singleElement().satisfies(f -> {
      assertThat(f.field()).isEqualTo("spec.stages[0].entryCriteria[1].step");
      assertThat(f.message()).isEqualTo("missing required field \"step\"");
      assertThat(f.location().line()).isEqualTo(lineOf(text, "{type: check}"));
    });
  }

  @Test
  void a_check_whose_step_would_change_a_target_is_refused() {
    String text = TEXT.replace("{name: healthy, type: http-check, url: \"http://localhost:8080/health\"}",
        "{name: healthy, type: artifact.install, destination: releases}");

    assertThat(refused(text)).singleElement().satisfies(f -> {
      assertThat(f.field()).isEqualTo("spec.stages[0].exitCriteria[0].step.type");
      assertThat(f.message()).isEqualTo("a check runs a step of type shell or http-check only: it must not change a "
          + "target (for a person's part, use a criterion of type manual)");
      assertThat(f.location().line()).isEqualTo(lineOf(text, "name: healthy"));
    });
  }

  @Test
  void a_check_for_a_tag_no_target_carries_or_with_too_long_a_timeout_is_refused_like_any_step() {
    String text = TEXT.replace("command: \"df -h .\", targets: [app]}", "command: \"df -h .\", targets: [db], "
        + "timeout: 30h}");

    assertThat(refused(text)).extracting(Finding::field, Finding::message).containsExactlyInAnyOrder(
        org.assertj.core.groups.Tuple.tuple("spec.stages[0].entryCriteria[1].step.targets[0]",
            "no target of environment dev carries the tag db"),
        org.assertj.core.groups.Tuple.tuple("spec.stages[0].entryCriteria[1].step.timeout",
            "a timeout of 30h is longer than a step may take here (24h, gantry.engine.max-step-timeout)"));
  }
}
