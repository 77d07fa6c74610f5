package io.gantry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.testing.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * {@code gantry record} and {@code gantry metrics --external} against a real Gantry (H2) with the example
 * configuration: a deployment done by another tool is recorded, shows in the history as external, and
 * counts in the DORA measures unless left out.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class RecordCommandTest {

  @DynamicPropertySource
  static void server(DynamicPropertyRegistry registry) throws IOException {
    for (String property : TestDatabase.H2.springProperties()) {
      int eq = property.indexOf('=');
      registry.add(property.substring(0, eq), () -> property.substring(eq + 1));
    }
    Path dataDir = Files.createDirectories(Files.createTempDirectory("gantry-record-test").resolve("data"));
    registry.add("gantry.data-dir", dataDir::toString);
  }

  @LocalServerPort int port;
  @Value("${gantry.data-dir}") Path dataDir;
  @TempDir Path dir;
  CliRunner gantry;

  @BeforeEach
  void applyTheExamples() throws IOException {
    gantry = new CliRunner(dir).server("http://127.0.0.1:" + port);
    gantry.env.put("GANTRY_TOKEN", io.gantry.testing.AdminToken.of(dataDir));
    CliRunner.Result applied = gantry.run("apply", "-f", Path.of("examples/config").toAbsolutePath().toString(),
        "--reason", "the record command's tests");
    assertThat(applied.exitCode()).as(applied.err()).isZero();
  }

  @Test
  void record_writes_an_external_deployment_that_counts_in_dora_unless_excluded() throws Exception {
    CliRunner.Result recorded = gantry.run("record", "shop/web@8.0.0", "--to", "production",
        "--started", "2026-03-10T10:00:00Z", "--finished", "2026-03-10T10:04:00Z", "--outcome", "succeeded",
        "--tool", "argo-cd", "--url", "https://argocd.example.com/applications/shop-web",
        "--commit", "abcdef1@2026-03-10T08:00:00Z", "--commit", "abcdef2@2026-03-10T09:00:00Z");
    assertThat(recorded.exitCode()).as(recorded.err()).isZero();
    assertThat(recorded.out()).containsPattern("deployment #\\d+ recorded: shop/web@8.0.0 into production, "
        + "succeeded in argo-cd \\(external, 2 commit\\(s\\)\\)");

    CliRunner.Result history = gantry.run("-o", "json", "history");
    assertThat(history.exitCode()).as(history.err()).isZero();
    assertThat(history.out()).containsPattern("\"kind\"\\s*:\\s*\"external\"");

    JsonNode all = ApiClient.JSON.readTree(gantry.run("metrics", "--only", "dora", "--format", "json",
        "--from", "2026-03-01", "--to", "2026-03-31").out());
    assertThat(all.path("deployments").asLong()).isEqualTo(1);
    // commits made 2 h 4 min and 1 h 4 min before the end: median 5640 s
    assertThat(all.path("changeLeadTime").path("medianSeconds").asDouble()).isEqualTo(5640.0);
    JsonNode without = ApiClient.JSON.readTree(gantry.run("metrics", "--only", "dora", "--format", "json",
        "--from", "2026-03-01", "--to", "2026-03-31", "--external", "exclude").out());
    assertThat(without.path("deployments").asLong()).isZero();
  }

  @Test
  void a_commit_without_its_time_is_a_usage_error_and_a_bad_report_names_the_field() {
    CliRunner.Result usage = gantry.run("record", "shop/web@8.0.1", "--to", "production",
        "--started", "2026-03-11T10:00:00Z", "--finished", "2026-03-11T10:04:00Z", "--outcome", "succeeded",
        "--tool", "argo-cd", "--commit", "abcdef1");
    assertThat(usage.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(usage.err()).contains("--commit takes SHA@TIME");

    CliRunner.Result refused = gantry.run("record", "shop/web@8.0.1", "--to", "production",
        "--started", "2026-03-11T10:00:00Z", "--finished", "2026-03-11T09:00:00Z", "--outcome", "succeeded",
        "--tool", "argo-cd");
    assertThat(refused.exitCode()).isNotZero();
    assertThat(refused.err()).contains("finishedAt");
  }
}
