package io.gantry.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

/**
 * {@code audit verify}: the hash chain over every history record, walked by the server; {@code audit findings}:
 * audit findings, internal and from outside.
 */
@Command(name = "audit", description = "The tamper-evident chain over every history record, and audit findings.",
    subcommands = {AuditCommands.Verify.class, AuditFindingCommands.Findings.class}, footer = ExitCode.FOOTER)
final class AuditCommands implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(((GantryCommand) spec.root().userObject()).cli.err);
    return ExitCode.USAGE;
  }

  @Command(name = "verify", description = "Seal what is new, walk the chain, and name the first history entry "
      + "that was edited, deleted or inserted out of order (exit code 10 when there is one).",
      footer = ExitCode.FOOTER)
  static final class Verify extends ApiCommand {

    @Override
    void run() {
      JsonNode v = api().get("/audit/verify");
      if (output().json()) {
        output().printJson(v);
      } else if (v.path("intact").asBoolean()) {
        out().println("The audit chain holds: " + v.path("entries").asLong() + " entries"
            + (v.path("headEntry").isNull() ? "" : ", the last #" + v.path("headEntry").asLong() + " ("
                + v.path("headHash").asString() + ")")
            + "; " + v.path("waiting").asLong() + " rows wait to be sealed.");
      } else {
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode p : v.path("problems")) {
          rows.add(List.of(p.path("problem").asString(), text(p.path("table")), text(p.path("id")),
              text(p.path("entry")), p.path("detail").asString()));
        }
        output().table(List.of("PROBLEM", "TABLE", "ID", "ENTRY", "DETAIL"), rows);
        long shown = v.path("problems").size();
        long all = v.path("problemCount").asLong();
        if (all > shown) {
          out().println("... and " + (all - shown) + " more");
        }
      }
      if (!v.path("intact").asBoolean()) {
        JsonNode first = v.path("problems").path(0);
        throw new CliException(ExitCode.AUDIT_FAILED, "the audit chain does not verify; first: "
            + first.path("problem").asString() + (first.path("table").isNull() || first.path("table").isMissingNode()
                ? "" : " " + first.path("table").asString() + " #" + first.path("id").asLong())
            + ": " + first.path("detail").asString());
      }
    }

    private static String text(JsonNode value) {
      return value == null || value.isNull() || value.isMissingNode() ? "-" : value.asString();
    }
  }
}
