package io.gantry.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code audit findings}: audit findings from outside recorded by hand, listed beside the internal ones. */
final class AuditFindingCommands {

  private AuditFindingCommands() {}

  @Command(name = "findings", description = "Audit findings: record those from outside, list them all.",
      subcommands = {Add.class, ListFindings.class, State.class}, footer = ExitCode.FOOTER)
  static final class Findings extends ApiCommand {
    @Override
    void run() {
      spec.commandLine().usage(err());
      throw new CliException(ExitCode.USAGE, "name a subcommand: add, list or state");
    }
  }

  @Command(name = "add", description = "Record an audit finding from outside (auditors and deployment managers).",
      footer = ExitCode.FOOTER)
  static final class Add extends ApiCommand {
    @Option(names = "--source", required = true, paramLabel = "TEXT", description = "e.g. \"external audit 2026 Q4\"")
    String source;
    @Option(names = "--severity", required = true, paramLabel = "low|medium|high|critical") String severity;
    @Option(names = "--description", required = true, paramLabel = "TEXT") String description;
    @Option(names = "--found-on", required = true, paramLabel = "DATE", description = "the day, e.g. 2026-11-20")
    String foundOn;
    @Option(names = "--state", paramLabel = "open|accepted|closed", description = "default open") String state;
    @Option(names = "--service", paramLabel = "SERVICE") String service;
    @Option(names = "--environment", paramLabel = "ENV") String environment;

    @Override
    void run() {
      ObjectNode body = ApiClient.JSON.createObjectNode().put("source", source).put("severity", severity)
          .put("description", description).put("foundOn", foundOn);
      if (state != null) {
        body.put("state", state);
      }
      if (service != null) {
        body.put("service", service);
      }
      if (environment != null) {
        body.put("environment", environment);
      }
      JsonNode f = api().post("/audit-findings/external", body);
      if (output().json()) {
        output().printJson(f);
      } else {
        out().println("external finding #" + f.path("id").asLong() + " recorded (" + f.path("severity").asString()
            + ", " + f.path("state").asString() + ")");
      }
    }
  }

  @Command(name = "list", description = "Every audit finding of a period, internal and external.",
      footer = ExitCode.FOOTER)
  static final class ListFindings extends ApiCommand {
    @Option(names = "--from", required = true, paramLabel = "DATE|TIME") String from;
    @Option(names = "--to", required = true, paramLabel = "DATE|TIME") String to;
    @Option(names = "--service", paramLabel = "SERVICE") String service;
    @Option(names = "--environment", paramLabel = "ENV") String environment;

    @Override
    void run() {
      Map<String, String> query = new LinkedHashMap<>();
      query.put("from", from);
      query.put("to", to);
      if (service != null) {
        query.put("service", service);
      }
      if (environment != null) {
        query.put("environment", environment);
      }
      JsonNode all = api().get("/audit-findings", query);
      if (output().json()) {
        output().printJson(all);
        return;
      }
      List<JsonNode> items = new ArrayList<>();
      all.path("findings").forEach(items::add);
      output().list(items, List.of(Output.Column.of("AT", "at"),
          new Output.Column("ORIGIN", f -> f.path("kind").asString().equals("external-audit") ? "external"
              : "internal"), Output.Column.of("KIND", "kind"), Output.Column.of("SUBJECT", "subject"),
          Output.Column.of("DETAIL", "detail")));
      out().println(all.path("byOrigin").path("internal").asLong() + " internal, "
          + all.path("byOrigin").path("external").asLong() + " external");
    }
  }

  @Command(name = "state", description = "Change an external finding's state.", footer = ExitCode.FOOTER)
  static final class State extends ApiCommand {
    @Parameters(index = "0", paramLabel = "ID") long id;
    @Parameters(index = "1", paramLabel = "open|accepted|closed") String state;

    @Override
    void run() {
      JsonNode f = api().put("/audit-findings/external/" + id + "/state",
          ApiClient.JSON.createObjectNode().put("state", state));
      if (output().json()) {
        output().printJson(f);
      } else {
        out().println("external finding #" + id + " is " + f.path("state").asString());
      }
    }
  }
}
