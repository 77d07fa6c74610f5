package io.gantry.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

@Command(name = "version", description = "Approve or withdraw a version in the library.",
    subcommands = {VersionCommands.Approve.class, VersionCommands.Withdraw.class}, footer = ExitCode.FOOTER)
final class VersionCommands implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(((GantryCommand) spec.root().userObject()).cli.err);
    return ExitCode.USAGE;
  }

  abstract static class ChangeStatus extends ApiCommand {

    @Parameters(paramLabel = "SERVICE/COMPONENT@VERSION")
    String ref;

    @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "why (recorded)")
    String reason;

    abstract String status();

    @Override
    void run() {
      ComponentRef version = ComponentRef.parse(ref, true);
      if (reason.isBlank()) {
        throw usage("--reason must say why");
      }
      JsonNode current = api().get(version.versionPath());
      ObjectNode change = ApiClient.JSON.createObjectNode();
      change.put("status", status()).put("reason", reason).put("rowVersion", current.path("rowVersion").asLong(0));
      JsonNode changed = api().put(version.versionPath() + "/status", change);
      Output output = output();
      if (output.json()) {
        output.printJson(changed);
      } else {
        out().println(version + " is now " + changed.path("status").asString(status()));
      }
    }
  }

  @Command(name = "approve", description = "Approve a version, so controlled environments accept it.")
  static final class Approve extends ChangeStatus {
    @Override
    String status() {
      return "approved";
    }
  }

  @Command(name = "withdraw", description = "Withdraw a version, so it is no longer deployed.")
  static final class Withdraw extends ChangeStatus {
    @Override
    String status() {
      return "withdrawn";
    }
  }
}
