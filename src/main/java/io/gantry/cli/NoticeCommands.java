package io.gantry.cli;

import static io.gantry.cli.Output.Column.of;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

/** {@code notices}: the caller's inbox of model versions that came into force. */
@Command(name = "notices", description = "Your notices of deployment model versions that came into force, newest "
    + "first: the model, version, why you are told, and whether you read it. gantry notices read ID shows one with "
    + "its diff, reason and agreement comments, and records that you read it.",
    subcommands = NoticeCommands.Read.class, footer = ExitCode.FOOTER)
final class NoticeCommands extends ApiCommand {

  @Option(names = "--unread", description = "only those not read yet")
  boolean unread;

  @Override
  void run() {
    Map<String, String> query = new LinkedHashMap<>();
    if (unread) {
      query.put("unread", "true");
    }
    Output output = output();
    output.list(api().getAll("/me/notices", query), List.of(of("ID", "id"), of("MODEL", "model"),
        of("VERSION", "version"), of("WHY", "why"), of("TOLD AT", "createdAt"),
        new Output.Column("READ AT", n -> n.path("readAt").isNull() ? "unread" : output.time(n.path("readAt")))));
  }

  @Command(name = "read", description = "Show one notice with the version's diff, its reason and the agreement "
      + "comments, and record that you read it.", footer = ExitCode.FOOTER)
  static final class Read extends ApiCommand {

    @Parameters(paramLabel = "ID")
    long id;

    @Override
    void run() {
      JsonNode n = api().post("/me/notices/" + id + "/read", ApiClient.JSON.createObjectNode());
      Output output = output();
      if (output.json()) {
        output.printJson(n);
        return;
      }
      out().println("model " + n.path("model").asString() + " version " + n.path("version").asInt()
          + " came into force; you are told as " + n.path("why").asString());
      out().println("proposed by " + n.path("author").asString() + ": " + n.path("reason").asString());
      n.path("decisions").forEach(d -> out().println(d.path("user").asString() + " "
          + (d.path("decision").asString().equals("agree") ? "agreed" : "rejected") + " at "
          + output.time(d.path("decidedAt")) + ": " + d.path("comment").asString()));
      String diff = n.path("diff").asString("");
      if (!diff.isBlank()) {
        out().println();
        out().print(diff.endsWith("\n") ? diff : diff + "\n");
      }
    }
  }
}
