package io.gantry.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

@Command(name = "version", description = "Approve or withdraw a version in the library, or show its SBOM.",
    subcommands = {VersionCommands.Approve.class, VersionCommands.Withdraw.class, VersionCommands.Sbom.class},
    footer = ExitCode.FOOTER)
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

  @Command(name = "sbom", description = "Show the components listed by the SBOMs pushed with a version.")
  static final class Sbom extends ApiCommand {

    @Parameters(paramLabel = "SERVICE/COMPONENT@VERSION")
    String ref;

    @Override
    void run() {
      ComponentRef version = ComponentRef.parse(ref, true);
      JsonNode answer = api().get(version.versionPath() + "/sbom");
      Output output = output();
      if (output.json()) {
        output.printJson(answer);
        return;
      }
      JsonNode sboms = answer.path("sboms");
      if (sboms.isEmpty()) {
        out().println(version + " has no SBOM (a CycloneDX or SPDX JSON file pushed with it)");
        return;
      }
      boolean first = true;
      for (JsonNode sbom : sboms) {
        if (!first) {
          out().println();
        }
        first = false;
        JsonNode components = sbom.path("components");
        out().println(sbom.path("path").asString() + ": " + ("spdx".equals(sbom.path("format").asString())
            ? "SPDX " : "CycloneDX ") + sbom.path("specVersion").asString() + ", " + components.size()
            + " component(s)");
        if (!components.isEmpty()) {
          output.table(List.of("NAME", "VERSION", "PURL", "LICENCE"), components.valueStream()
              .map(c -> List.of(Output.text(c.get("name")), Output.text(c.get("version")),
                  Output.text(c.get("purl")), Output.text(c.get("licence"))))
              .toList());
        }
      }
    }
  }
}
