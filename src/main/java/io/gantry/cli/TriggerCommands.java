package io.gantry.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;

/** {@code triggers}: what the models' triggers fired, and what became of it. */
@Command(name = "triggers", description = "Firings of deployment model triggers, newest first: the deployment each "
    + "requested, or why the request was refused.", footer = ExitCode.FOOTER)
final class TriggerCommands extends ApiCommand {

  @Option(names = "--model", paramLabel = "MODEL", description = "only the triggers of this deployment model")
  String model;

  @Override
  void run() {
    Map<String, String> query = new LinkedHashMap<>();
    if (model != null) {
      query.put("model", model);
    }
    List<JsonNode> items = api().getAll("/triggers/firings", query);
    if (output().json()) {
      output().printJson(ApiClient.JSON.valueToTree(items));
      return;
    }
    List<List<String>> rows = new ArrayList<>();
    for (JsonNode f : items) {
      String outcome = "requested".equals(f.path("status").asString())
          ? "deployment #" + f.path("deployment").asLong() : "refused: " + f.path("refusal").asString();
      rows.add(List.of(f.path("firedAt").asString(), f.path("model").asString(), f.path("trigger").asString(),
          f.path("component").asString() + "@" + f.path("version").asString(), f.path("environment").asString(),
          outcome, f.path("reason").asString()));
    }
    output().table(List.of("FIRED", "MODEL", "TRIGGER", "VERSION", "ENVIRONMENT", "OUTCOME", "CAUSE"), rows);
  }
}
