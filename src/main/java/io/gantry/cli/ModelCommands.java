package io.gantry.cli;

import static io.gantry.cli.ApiClient.segment;
import static io.gantry.cli.Output.Column.of;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

@Command(name = "model", description = "The history of a deployment model.",
    subcommands = {ModelCommands.History.class, ModelCommands.Diff.class}, footer = ExitCode.FOOTER)
final class ModelCommands implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(((GantryCommand) spec.root().userObject()).cli.err);
    return ExitCode.USAGE;
  }

  @Command(name = "history", description = "Every version of a model: who changed it, when and why.")
  static final class History extends ApiCommand {

    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    void run() {
      output().list(api().getAll("/models/" + segment(name) + "/versions", Map.of()), List.of(
          of("VERSION", "number"), of("AUTHOR", "author"), of("CREATED AT", "createdAt"), of("REASON", "reason")));
    }
  }

  @Command(name = "diff", description = "The unified diff between two versions of a model "
      + "(default: the previous and the current one).")
  static final class Diff extends ApiCommand {

    @Parameters(paramLabel = "NAME")
    String name;

    @Option(names = "--from", paramLabel = "N", description = "older version number")
    Integer from;

    @Option(names = "--to", paramLabel = "M", description = "newer version number")
    Integer to;

    @Override
    void run() {
      Map<String, String> query = new LinkedHashMap<>();
      if (from != null) {
        query.put("from", from.toString());
      }
      if (to != null) {
        query.put("to", to.toString());
      }
      JsonNode diff = api().get("/models/" + segment(name) + "/diff", query);
      Output output = output();
      if (output.json()) {
        output.printJson(diff);
        return;
      }
      String text = diff.path("diff").asString("");
      if (text.isBlank()) {
        err().println("no differences between versions " + Output.text(diff.path("from")) + " and "
            + Output.text(diff.path("to")) + " of model " + name);
        return;
      }
      out().print(text.endsWith("\n") ? text : text + "\n");
    }
  }
}
