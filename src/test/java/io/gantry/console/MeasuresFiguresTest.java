package io.gantry.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.shared.InvalidInputException;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** How the measures and incidents pages write figures and read what is typed. */
class MeasuresFiguresTest {

  @Test
  void figures_are_written_as_gantry_metrics_writes_them() {
    assertThat(Figures.duration(null)).isEqualTo("-");
    assertThat(Figures.duration(12.4)).isEqualTo("12s");
    assertThat(Figures.duration(303.0)).isEqualTo("5m 3s");
    assertThat(Figures.duration(3600.0)).isEqualTo("1h");
    assertThat(Figures.duration(4 * 3600.0 + 600)).isEqualTo("4h 10m");
    assertThat(Figures.duration(2 * 86400.0 + 3 * 3600)).isEqualTo("2d 3h");
    assertThat(Figures.percent(66.7)).isEqualTo("66.7 %");
    assertThat(Figures.percent(100.0)).isEqualTo("100 %");
    assertThat(Figures.percent(null)).isEqualTo("-");
    assertThat(Figures.number(3L)).isEqualTo("3");
    assertThat(Figures.number(0.129)).isEqualTo("0.129");
    assertThat(Figures.raw(null)).isEmpty();
    assertThat(Figures.level(null)).isEqualTo("-");
    assertThat(Figures.level(io.gantry.metrics.DoraLevel.ELITE)).isEqualTo("elite");
  }

  @Test
  void the_page_names_the_cli_command_that_prints_the_same_figures() {
    assertThat(MeasuresController.cli("2026-03-01", "2026-03-30", "shop", null, null))
        .isEqualTo("gantry metrics --from 2026-03-01 --to 2026-03-30 --service shop");
    assertThat(MeasuresController.cli("2026-03-01", "2026-03-30", null, "production", "30"))
        .isEqualTo("gantry metrics --from 2026-03-01 --to 2026-03-30 --environment production --tolerance 30");
    assertThat(MeasuresController.link("2026-03-01", "2026-03-30", "a b&c", null, null))
        .isEqualTo("/console/measures?from=2026-03-01&to=2026-03-30&service=a+b%26c");
  }

  @Test
  void times_and_numbers_typed_in_the_incident_forms_are_read_or_refused_naming_the_field() {
    assertThat(IncidentsConsoleController.instant("detectedAt", "2026-03-02T15:00:00Z"))
        .isEqualTo(Instant.parse("2026-03-02T15:00:00Z"));
    assertThat(IncidentsConsoleController.instant("detectedAt", "2026-03-02T15:00"))
        .as("a datetime-local value is UTC").isEqualTo(Instant.parse("2026-03-02T15:00:00Z"));
    assertThat(IncidentsConsoleController.instant("resolvedAt", " ")).isNull();
    assertThatThrownBy(() -> IncidentsConsoleController.instant("detectedAt", "<script>"))
        .isInstanceOfSatisfying(InvalidInputException.class,
            e -> assertThat(e.findings().getFirst().field()).isEqualTo("detectedAt"));
    assertThat(IncidentsConsoleController.id("deployment", "#42")).isEqualTo(42L);
    assertThatThrownBy(() -> IncidentsConsoleController.id("deployment", "4x2"))
        .isInstanceOf(InvalidInputException.class);
  }
}
