package io.gantry.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

@Command(name = "library", description = "Look after the definitive media library's files.",
    subcommands = {LibraryCommands.Prune.class}, footer = ExitCode.FOOTER)
final class LibraryCommands implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(((GantryCommand) spec.root().userObject()).cli.err);
    return ExitCode.USAGE;
  }

  @Command(name = "prune", description = "Remove the library files no version or evidence references, and staged "
      + "uploads left for over a day (deployment managers).")
  static final class Prune extends ApiCommand {

    @Option(names = "--dry-run", description = "only list what would be removed")
    boolean dryRun;

    @Override
    void run() {
      ObjectNode body = ApiClient.JSON.createObjectNode().put("dryRun", dryRun);
      JsonNode answer = api().post("/library/prune", body);
      Output output = output();
      if (output.json()) {
        output.printJson(answer);
        return;
      }
      JsonNode files = answer.path("files");
      for (JsonNode file : files) {
        out().println((dryRun ? "would remove " : "removed ") + file.path("path").asString() + " ("
            + file.path("size").asLong() + " bytes)");
      }
      out().println((dryRun ? "would remove " : "removed ") + files.size() + " file(s), "
          + answer.path("bytes").asLong() + " bytes" + (dryRun ? "; nothing was changed" : ""));
    }
  }
}
