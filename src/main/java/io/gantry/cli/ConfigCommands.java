package io.gantry.cli;

import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code gantry plan} and {@code gantry apply}: configuration as code. */
final class ConfigCommands {

  private ConfigCommands() {}

  abstract static class ConfigCommand extends ApiCommand {

    @Option(names = {"-f", "--file"}, required = true, paramLabel = "DIR",
        description = "a directory (every *.yaml and *.yml in it, recursively) or a single file")
    String path;

    ObjectNode request() {
      ObjectNode body = ApiClient.JSON.createObjectNode();
      ArrayNode files = body.putArray("files");
      for (ConfigFiles.ConfigFile file : ConfigFiles.read(root().cli.cwd, path)) {
        files.addObject().put("name", file.name()).put("content", file.content());
      }
      return body;
    }

    void print(JsonNode plan, String verb) {
      Output output = output();
      if (output.json()) {
        output.printJson(plan);
      } else {
        printPlan(out(), plan, verb);
      }
    }
  }

  @Command(name = "plan", description = "Show what applying the configuration would change; changes nothing.",
      footer = ExitCode.FOOTER)
  static final class Plan extends ConfigCommand {
    @Override
    void run() {
      print(api().post("/config/plan", request()), "Plan");
    }
  }

  @Command(name = "apply", description = "Apply the configuration: all of it, or nothing if any of it is invalid.",
      footer = ExitCode.FOOTER)
  static final class Apply extends ConfigCommand {

    @Option(names = "--reason", paramLabel = "TEXT",
        description = "why, recorded with every change (default: gantry apply -f DIR)")
    String reason;

    @Override
    void run() {
      ObjectNode body = request();
      body.put("reason", reason == null || reason.isBlank() ? "gantry apply -f " + path : reason);
      print(api().post("/config/apply", body), "Applied");
    }
  }

  /** Terraform-like: one line per change with its details indented, then the counts. */
  static void printPlan(PrintWriter out, JsonNode plan, String verb) {
    List<JsonNode> changes = plan.path("changes").valueStream().toList();
    for (JsonNode change : changes) {
      String action = change.path("action").asString("");
      String symbol = switch (action) {
        case "create" -> "+";
        case "update" -> "~";
        case "delete" -> "-";
        default -> "?";
      };
      out.println(symbol + " " + action + " " + change.path("kind").asString("") + " "
          + change.path("name").asString(""));
      change.path("details").forEach(detail -> out.println("    " + detail.asString()));
    }
    if (!changes.isEmpty()) {
      out.println();
    }
    JsonNode summary = plan.path("summary");
    if (changes.isEmpty()) {
      out.println("No changes: the server already matches the configuration.");
    }
    out.println(verb + ": " + summary.path("create").asLong(0) + " to create, "
        + summary.path("update").asLong(0) + " to change, " + summary.path("delete").asLong(0) + " to delete, "
        + summary.path("unchanged").asLong(0) + " unchanged.");
    plan.path("notes").forEach(note -> out.println(note.asString()));
  }
}
