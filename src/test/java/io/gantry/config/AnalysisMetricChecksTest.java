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
 * An analysis's metrics are refused at plan and apply, with file, line and field, when the server has no
 * Prometheus to query, when a placeholder stands where its value could change the query, or when a metric has
 * no threshold; sound metrics are read into the model.
 */
class AnalysisMetricChecksTest {

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
              canary:
                share: 25%
                analysis:
                  metrics:
                    - name: error-rate
                      query: 'sum(rate(app_errors_total{target=~"${canaryTargets}", version="${version}"}[1m]))'
                      max: 0.05
                    - name: throughput
                      query: 'sum(rate(app_requests_total{target=~"${canaryTargets}"}[1m]))'
                      min: 1
                  inconclusive: pass
                  interval: 30s
                  duration: 5m
            steps:
              - {name: install, type: artifact.install, destination: releases}
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
  void an_analysis_of_metrics_only_is_accepted_and_read_into_the_model() {
    var models = withPrometheus().interpret(loader.load(List.of(new ConfigFile(FILE, TEXT)))).models();

    Stage.Analysis analysis = models.get("software").definition().spec().stages().getFirst().strategy().canary()
        .analysis();
    assertThat(analysis.checks()).isEmpty();
    assertThat(analysis.metrics()).extracting(Stage.Metric::name, Stage.Metric::max, Stage.Metric::min)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("error-rate", 0.05, null),
            org.assertj.core.groups.Tuple.tuple("throughput", null, 1.0));
    assertThat(analysis.inconclusive()).isEqualTo(Stage.Inconclusive.PASS);
  }

  @Test
  void metrics_are_refused_when_the_server_has_no_prometheus() {
    assertThat(refused(TEXT, new ConfigInterpreter())).singleElement().satisfies(f -> {
      assertThat(f.field()).isEqualTo("spec.stages[0].strategy.canary.analysis.metrics");
      assertThat(f.message()).contains("no Prometheus").contains("gantry.analysis.prometheus.url");
    });
  }

  @Test
  void a_placeholder_outside_a_quoted_string_is_refused_as_a_way_to_change_the_query() {
    String text = TEXT.replace("app_requests_total{target=~\"${canaryTargets}\"}[1m]))'",
        "app_requests_total{target=~\"${canaryTargets}\"}[1m])) > ${version}'");

    assertThat(refused(text, withPrometheus())).singleElement().satisfies(f -> {
      assertThat(f.field()).isEqualTo("spec.stages[0].strategy.canary.analysis.metrics[1].query");
      assertThat(f.message()).contains("${version} stands outside a quoted string");
    });
  }

  @Test
  void an_unknown_placeholder_is_refused() {
    String text = TEXT.replace("version=\"${version}\"", "version=\"${colour}\"");

    assertThat(refused(text, withPrometheus())).singleElement().satisfies(f -> {
      assertThat(f.field()).isEqualTo("spec.stages[0].strategy.canary.analysis.metrics[0].query");
      assertThat(f.message()).contains("${colour} is not a value a query can use");
    });
  }

  @Test
  void a_metric_without_a_threshold_or_with_min_above_max_is_refused() {
    assertThat(refused(TEXT.replace("min: 1", "min: 1\n                max: 0.5"), withPrometheus()))
        .singleElement().satisfies(f -> {
          assertThat(f.field()).isEqualTo("spec.stages[0].strategy.canary.analysis.metrics[1].min");
          assertThat(f.message()).isEqualTo("min 1.0 is above max 0.5: no value could pass");
        });
    assertThat(refused(TEXT.replace("\n                min: 1", ""), withPrometheus()))
        .anySatisfy(f -> assertThat(f.field()).startsWith("spec.stages[0].strategy.canary.analysis.metrics[1]"));
  }

  @Test
  void two_metrics_of_one_name_and_an_unknown_inconclusive_policy_are_refused() {
    assertThat(refused(TEXT.replace("name: throughput", "name: error-rate"), withPrometheus())).singleElement()
        .satisfies(f -> {
          assertThat(f.field()).isEqualTo("spec.stages[0].strategy.canary.analysis.metrics[1].name");
          assertThat(f.message()).contains("declared twice");
        });
    assertThat(refused(TEXT.replace("inconclusive: pass", "inconclusive: ask"), withPrometheus()))
        .anySatisfy(f -> assertThat(f.field()).isEqualTo("spec.stages[0].strategy.canary.analysis.inconclusive"));
  }

  @Test
  void an_analysis_with_neither_checks_nor_metrics_is_refused() {
    String text = TEXT.replaceAll("(?s)            metrics:.*?min: 1\\n", "");

    assertThat(refused(text, withPrometheus())).singleElement().satisfies(f -> {
      assertThat(f.field()).isEqualTo("spec.stages[0].strategy.canary.analysis.checks");
      assertThat(f.message()).contains("at least one check (shell or http-check) or metric");
    });
  }

  @Test
  void a_baseline_comparison_is_read_and_one_without_canary_targets_or_with_a_bad_alpha_is_refused() {
    String compared = TEXT.replace("min: 1", "baseline: {alpha: 0.01, worse: lower}");
    Stage.Metric metric = withPrometheus().interpret(loader.load(List.of(new ConfigFile(FILE, compared)))).models()
        .get("software").definition().spec().stages().getFirst().strategy().canary().analysis().metrics().get(1);
    assertThat(metric.baseline()).isEqualTo(new Stage.Baseline(0.01, Stage.Worse.LOWER));

    String noTargets = compared.replace("app_requests_total{target=~\"${canaryTargets}\"}", "app_requests_total");
    assertThat(refused(noTargets, withPrometheus())).singleElement().satisfies(f -> {
      assertThat(f.field()).isEqualTo("spec.stages[0].strategy.canary.analysis.metrics[1].query");
      assertThat(f.message()).contains("needs ${canaryTargets}");
    });
    assertThat(refused(compared.replace("alpha: 0.01", "alpha: 0.9"), withPrometheus()))
        .anySatisfy(f -> assertThat(f.field()).startsWith("spec.stages[0].strategy.canary.analysis.metrics[1]"));
  }
}
