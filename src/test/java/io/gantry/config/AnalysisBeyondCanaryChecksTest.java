package io.gantry.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.environment.LocalTargets;
import io.gantry.model.Stage;
import io.gantry.shared.Finding;
import io.gantry.shared.InvalidInputException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A blue-green stage's analysis of its idle slots and a stage's verification analysis are read into the model
 * when sound, and refused at plan and apply with file, line and field otherwise: metrics without a Prometheus,
 * placeholders that have no value where they stand or could change the query, what the analysis could not act
 * on (a verification's checks, a comparison with a baseline), checks that would change a slot.
 */
class AnalysisBeyondCanaryChecksTest {

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
              type: blue-green
              blueGreen:
                slots: {blue: {port: 8081}, green: {port: 8082}}
                analysis:
                  checks:
                    - {name: answers, type: http-check, url: "http://127.0.0.1:${port}/health"}
                  metrics:
                    - name: error-rate
                      query: 'sum(errors{target=~"${targets}", slot="${slot}", port="${port}"})'
                      max: 0.05
                  interval: 30s
                  duration: 5m
            steps:
              - {name: install, type: artifact.install, destination: releases}
            verification:
              metrics:
                - name: error-rate
                  query: 'sum(errors{target=~"${targets}", version="${version}"})'
                  max: 0.01
              inconclusive: pass
              interval: 1m
              duration: 10m
              successRatio: 0.9
      """;

  private final ConfigLoader loader = new ConfigLoader();

  private static ConfigInterpreter withPrometheus() {
    return new ConfigInterpreter(Duration.ofHours(24), LocalTargets.beside(Path.of("./data")),
        "http://127.0.0.1:9090");
  }

  private List<Finding> refused(String text, ConfigInterpreter interpreter) {
    InvalidInputException e = (InvalidInputException) org.assertj.core.api.Assertions.catchThrowable(
        () -> interpreter.interpret(loader.load(List.of(new ConfigFile(FILE, text)))));
    assertThat(e).as("the configuration is refused").isNotNull();
    e.findings().forEach(f -> {
      assertThat(f.location().file()).isEqualTo(FILE);
      assertThat(f.location().line()).isPositive();
    });
    return e.findings();
  }

  @Test
  void an_idle_slot_analysis_and_a_verification_analysis_are_read_into_the_model() {
    Stage stage = withPrometheus().interpret(loader.load(List.of(new ConfigFile(FILE, TEXT)))).models()
        .get("software").definition().spec().stages().getFirst();

    Stage.Analysis idle = stage.strategy().blueGreen().analysis();
    assertThat(idle.checks()).extracting(io.gantry.model.Step::name).containsExactly("answers");
    assertThat(idle.metrics()).singleElement().extracting(Stage.Metric::max).isEqualTo(0.05);
    assertThat(idle.rounds()).isEqualTo(10);
    Stage.Analysis verification = stage.verification();
    assertThat(verification.metrics()).singleElement().extracting(Stage.Metric::max).isEqualTo(0.01);
    assertThat(verification.inconclusive()).isEqualTo(Stage.Inconclusive.PASS);
    assertThat(verification.threshold()).isEqualTo(0.9);
    assertThat(verification.rounds()).isEqualTo(10);
  }

  @Test
  void metrics_of_either_analysis_are_refused_when_the_server_has_no_prometheus() {
    assertThat(refused(TEXT, new ConfigInterpreter())).extracting(Finding::field).containsExactlyInAnyOrder(
        "spec.stages[0].strategy.blueGreen.analysis.metrics", "spec.stages[0].verification.metrics");
  }

  @Test
  void a_placeholder_with_no_value_where_it_stands_is_refused_with_its_field() {
    String text = TEXT.replace("sum(errors{target=~\"${targets}\", version=\"${version}\"})",
        "sum(errors{target=~\"${targets}\", slot=\"${slot}\"})")
        .replace("slot=\"${slot}\", port=\"${port}\"", "c=\"${canaryTargets}\"");

    assertThat(refused(text, withPrometheus())).satisfiesExactlyInAnyOrder(f -> {
      assertThat(f.field()).isEqualTo("spec.stages[0].strategy.blueGreen.analysis.metrics[0].query");
      assertThat(f.message()).contains("${canaryTargets} is not a value a query can use here")
          .contains("port, service, slot, targets");
    }, f -> {
      assertThat(f.field()).isEqualTo("spec.stages[0].verification.metrics[0].query");
      assertThat(f.message()).contains("${slot} is not a value a query can use here");
    });
  }

  @Test
  void a_placeholder_outside_a_quoted_string_is_refused_in_a_verification_query() {
    String text = TEXT.replace("version=\"${version}\"})'", "version=\"${version}\"}) > ${deployment}'");

    assertThat(refused(text, withPrometheus())).singleElement().satisfies(f -> {
      assertThat(f.field()).isEqualTo("spec.stages[0].verification.metrics[0].query");
      assertThat(f.message()).contains("${deployment} stands outside a quoted string");
    });
  }

  @Test
  void checks_in_a_verification_and_a_baseline_outside_a_canary_are_refused() {
    String checks = TEXT.replace("      verification:\n        metrics:", "      verification:\n        checks:\n"
        + "          - {name: answers, type: http-check, url: \"http://127.0.0.1:8081/health\"}\n        metrics:");
    assertThat(refused(checks, withPrometheus())).isNotEmpty().allSatisfy(f ->
        assertThat(f.field()).startsWith("spec.stages[0].verification"));

    String baseline = TEXT.replace("max: 0.05", "baseline: {alpha: 0.05}");
    assertThat(refused(baseline, withPrometheus())).isNotEmpty().allSatisfy(f ->
        assertThat(f.field()).startsWith("spec.stages[0].strategy.blueGreen.analysis.metrics[0]"));
  }

  @Test
  void an_analysis_with_nothing_to_judge_or_an_interval_longer_than_it_is_refused() {
    String empty = TEXT.replaceAll("(?s) *checks:\\n.*?max: 0.05\\n", "");
    assertThat(refused(empty, withPrometheus())).singleElement().satisfies(f -> {
      assertThat(f.field()).isEqualTo("spec.stages[0].strategy.blueGreen.analysis.checks");
      assertThat(f.message()).contains("at least one check (shell or http-check) or metric");
    });

    String longer = TEXT.replace("interval: 1m", "interval: 20m");
    assertThat(refused(longer, withPrometheus())).singleElement().satisfies(f -> {
      assertThat(f.field()).isEqualTo("spec.stages[0].verification.interval");
      assertThat(f.message()).contains("is longer than the analysis");
    });
  }

  @Test
  void a_check_of_an_idle_slot_that_could_change_it_is_refused() {
    String text = TEXT.replace("- {name: answers, type: http-check, url: \"http://127.0.0.1:${port}/health\"}",
        "- {name: reinstall, type: artifact.install, destination: releases}");

    assertThat(refused(text, withPrometheus())).anySatisfy(f -> {
      assertThat(f.field()).isEqualTo("spec.stages[0].strategy.blueGreen.analysis.checks[0].type");
      assertThat(f.message()).isEqualTo("an analysis check is a shell or http-check step");
    });
  }
}
