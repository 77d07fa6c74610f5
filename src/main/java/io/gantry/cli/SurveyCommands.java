package io.gantry.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code survey}: the monthly survey of partners' and consumers' alignment. */
@Command(name = "survey", description = "The monthly survey of partners' and consumers' alignment.",
    subcommands = {SurveyCommands.Questions.class, SurveyCommands.Answer.class}, footer = ExitCode.FOOTER)
final class SurveyCommands implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(((GantryCommand) spec.root().userObject()).cli.err);
    return ExitCode.USAGE;
  }

  @Command(name = "questions", description = "The survey's questions.", footer = ExitCode.FOOTER)
  static final class Questions extends ApiCommand {
    @Override
    void run() {
      JsonNode q = api().get("/alignment-survey");
      if (output().json()) {
        output().printJson(q);
        return;
      }
      List<List<String>> rows = new ArrayList<>();
      for (Map.Entry<String, JsonNode> e : q.properties()) {
        rows.add(List.of("--" + e.getKey().replaceAll("([A-Z])", "-$1").toLowerCase(java.util.Locale.ROOT),
            e.getValue().asString()));
      }
      output().table(List.of("OPTION", "QUESTION (1 not at all - 5 fully)"), rows);
    }
  }

  @Command(name = "answer", description = "Answer (or replace your answer to) the survey of a month; each "
      + "answer 1 (not at all) to 5 (fully).", footer = ExitCode.FOOTER)
  static final class Answer extends ApiCommand {
    @Option(names = "--period", required = true, paramLabel = "YYYY-MM") String period;
    @Option(names = "--informed", required = true, paramLabel = "1-5",
        description = "told in good time about the deployments that affected you") int informed;
    @Option(names = "--needs-met", required = true, paramLabel = "1-5",
        description = "the deployments delivered what you needed") int needsMet;
    @Option(names = "--pace-fits", required = true, paramLabel = "1-5",
        description = "the pace of deployments fits the way you work") int paceFits;
    @Option(names = "--comment", paramLabel = "TEXT") String comment;

    @Override
    void run() {
      ObjectNode body = ApiClient.JSON.createObjectNode().put("informed", informed).put("needsMet", needsMet)
          .put("paceFits", paceFits);
      if (comment != null) {
        body.put("comment", comment);
      }
      JsonNode a = api().put("/alignment-survey/" + KpiCommands.encode(period) + "/answer", body);
      if (output().json()) {
        output().printJson(a);
      } else {
        out().println("answer for " + a.path("period").asString() + " recorded: informed " + informed
            + "/5, needs met " + needsMet + "/5, pace fits " + paceFits + "/5");
      }
    }
  }
}
