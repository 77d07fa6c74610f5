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

@Command(name = "model", aliases = "models",
    description = "The history of a deployment model, and the agreement of its proposed versions.",
    subcommands = {ModelCommands.History.class, ModelCommands.Diff.class, ModelCommands.Agree.class,
        ModelCommands.Reject.class, ModelCommands.Readers.class}, footer = ExitCode.FOOTER)
final class ModelCommands implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(((GantryCommand) spec.root().userObject()).cli.err);
    return ExitCode.USAGE;
  }

  @Command(name = "history", aliases = "versions", description = "Every version of a model: who proposed it, when "
      + "and why, its state (proposed, in-force, superseded, rejected, withdrawn), when it came into force, and the "
      + "owner's and reviewers' decisions.")
  static final class History extends ApiCommand {

    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    void run() {
      Output output = output();
      output.list(api().getAll("/models/" + segment(name) + "/versions", Map.of()), List.of(
          of("VERSION", "number"), of("STATE", "state"), of("AUTHOR", "author"), of("CREATED AT", "createdAt"),
          new Output.Column("IN FORCE AT", v -> v.path("inForceAt").isNull() ? "-" : output.time(v.path("inForceAt"))),
          new Output.Column("DECISIONS", ModelCommands::decisions), of("REASON", "reason")));
    }
  }

  /** The decisions on a version, {@code alice agreed: "fine"; bob awaited}. */
  static String decisions(JsonNode version) {
    List<String> out = new java.util.ArrayList<>();
    java.util.Set<String> decided = new java.util.HashSet<>();
    version.path("decisions").forEach(d -> {
      decided.add(d.path("user").asString());
      out.add(d.path("user").asString() + (d.path("decision").asString().equals("agree") ? " agreed" : " rejected")
          + ": \"" + d.path("comment").asString() + "\"");
    });
    if (version.path("state").asString().equals("proposed")) {
      version.path("awaits").forEach(u -> {
        if (!decided.contains(u.asString())) {
          out.add(u.asString() + " awaited");
        }
      });
    }
    return out.isEmpty() ? "-" : String.join("; ", out);
  }

  /** A decision on a proposed version: for its owner and reviewers, each for themselves. */
  abstract static class Decision extends ApiCommand {

    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Parameters(index = "1", paramLabel = "VERSION", description = "the proposed version's number")
    int version;

    @Option(names = "--comment", required = true, paramLabel = "TEXT", description = "why (required, recorded)")
    String comment;

    abstract String decision();

    @Override
    void run() {
      JsonNode v = api().post("/models/" + segment(name) + "/versions/" + version + "/agreement",
          ApiClient.JSON.createObjectNode().put("decision", decision()).put("comment", comment));
      Output output = output();
      if (output.json()) {
        output.printJson(v);
        return;
      }
      String state = v.path("state").asString();
      out().println("model " + name + " version " + version + ": " + switch (state) {
        case "in-force" -> "in force since " + output.time(v.path("inForceAt"));
        case "proposed" -> "still proposed; " + decisions(v);
        default -> state;
      });
    }
  }

  @Command(name = "agree", description = "Agree a proposed version of a model, with a comment. The last agreement "
      + "of its owner and reviewers brings it into force.", footer = ExitCode.FOOTER)
  static final class Agree extends Decision {
    @Override
    String decision() {
      return "agree";
    }
  }

  @Command(name = "reject", description = "Reject a proposed version of a model, with a comment: the proposal ends.",
      footer = ExitCode.FOOTER)
  static final class Reject extends Decision {
    @Override
    String decision() {
      return "reject";
    }
  }

  @Command(name = "readers", description = "Who was told that a version came into force, and who has read it. For "
      + "the model's owner and deployment managers.", footer = ExitCode.FOOTER)
  static final class Readers extends ApiCommand {

    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Parameters(index = "1", paramLabel = "VERSION")
    int version;

    @Override
    void run() {
      List<JsonNode> items = new java.util.ArrayList<>();
      api().get("/models/" + segment(name) + "/versions/" + version + "/notices").forEach(items::add);
      Output output = output();
      output.list(items, List.of(of("USER", "user"), of("WHY", "why"), of("TOLD AT", "createdAt"),
          new Output.Column("READ AT", n -> n.path("readAt").isNull() ? "unread" : output.time(n.path("readAt")))));
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
