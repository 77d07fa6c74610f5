package io.gantry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gantry triggers} against a fake server: what it asks and what it prints. */
class TriggerCommandsTest {

  static final String FIRINGS = """
      {"items": [
        {"id": 2, "model": "in-house-software", "trigger": "version-registered(live)", "component": "shop/web",
         "version": "1.2.0", "environment": "live", "status": "refused", "deployment": null,
         "reason": "shop/web@1.2.0 was registered in the library by ci",
         "refusal": "live is a controlled environment and accepts only approved versions; shop/web@1.2.0 is registered",
         "firedAt": "2026-03-02T12:01:05Z"},
        {"id": 1, "model": "in-house-software", "trigger": "stage-succeeded(dev->test)", "component": "shop/web",
         "version": "1.2.0", "environment": "test", "status": "requested", "deployment": 13,
         "reason": "shop/web@1.2.0 succeeded in dev (deployment #12)", "refusal": null,
         "firedAt": "2026-03-02T12:00:10Z"}],
       "page": 0, "size": 50, "total": 2}
      """;

  @TempDir Path dir;
  FakeGantryServer server;
  CliRunner gantry;

  @BeforeEach
  void start() throws IOException {
    server = new FakeGantryServer();
    gantry = new CliRunner(dir).server(server.url());
    gantry.env.put("GANTRY_TOKEN", "gty_secret");
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void triggers_lists_each_firing_with_its_deployment_or_why_it_was_refused() {
    server.on("GET", "/triggers/firings", 200, FIRINGS);

    CliRunner.Result result = gantry.run("triggers", "--model", "in-house-software");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(server.requests.getLast().query()).contains("model=in-house-software");
    assertThat(result.out()).contains("deployment #13").contains("stage-succeeded(dev->test)")
        .contains("refused: live is a controlled environment")
        .contains("shop/web@1.2.0 succeeded in dev (deployment #12)");
  }
}
