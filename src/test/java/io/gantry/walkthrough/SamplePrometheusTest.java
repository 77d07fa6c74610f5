package io.gantry.walkthrough;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.environment.Target;
import io.gantry.environment.TargetDefinition;
import io.gantry.environment.TargetKind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scrape configuration {@code gantry up}'s Prometheus is started with. */
class SamplePrometheusTest {

  @TempDir Path dir;

  private static Target target(String name, TargetKind kind, Map<String, String> facts) {
    return new Target(1, new TargetDefinition(name, null, "staging", kind, kind == TargetKind.LOCAL ? name : null,
        kind == TargetKind.SITE ? "room 1" : null, facts, List.of(), Map.of()), 0, Instant.EPOCH, Instant.EPOCH);
  }

  @Test
  void scrapes_the_sample_app_of_each_local_target_with_a_port_labelled_with_the_target_s_name() throws Exception {
    String config = SamplePrometheus.configuration(List.of(
        target("staging-web-1", TargetKind.LOCAL, Map.of("port", "18083")),
        target("staging-web-2", TargetKind.LOCAL, Map.of("port", "18084")),
        target("no-port", TargetKind.LOCAL, Map.of()),
        target("odd-port", TargetKind.LOCAL, Map.of("port", "80']\n  - job_name: x")),
        target("store-1", TargetKind.SITE, Map.of("port", "18090"))));

    assertThat(config).contains("- targets: ['127.0.0.1:18083']",
        "labels: {target: 'staging-web-1', environment: 'staging'}", "- targets: ['127.0.0.1:18084']");
    assertThat(config).doesNotContain("no-port", "odd-port", "job_name: x", "store-1", "18090");
    assertThat(check(config)).as("promtool accepts it").isZero();
  }

  @Test
  void with_no_such_target_it_scrapes_nothing_and_prometheus_still_accepts_it() throws Exception {
    String config = SamplePrometheus.configuration(List.of(target("store-1", TargetKind.SITE, Map.of())));

    assertThat(config).contains("- targets: []");
    assertThat(check(config)).isZero();
  }

  /** Prometheus's own check of a configuration file (Debian's promtool, beside prometheus). */
  private int check(String config) throws Exception {
    Path file = dir.resolve("prometheus.yml");
    Files.writeString(file, config, StandardCharsets.UTF_8);
    Process p = new ProcessBuilder("/usr/bin/promtool", "check", "config", file.toString()).redirectErrorStream(true)
        .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(out).as(out).isNotBlank();
    return p.exitValue();
  }
}
