package io.gantry.cli;

import static io.gantry.cli.Output.Column.of;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

/**
 * {@code assessment ...}: capability self-assessments against the criteria of Table 7.1, the assessor's
 * judgements, comparisons over time and the report for an auditor. Deployment managers and auditors.
 */
@Command(name = "assessment", description = "Capability self-assessments (Table 7.1): create, list, show, judge, "
    + "compare, report. Deployment managers and auditors.",
    subcommands = {AssessmentCommands.Create.class, AssessmentCommands.ListAssessments.class,
        AssessmentCommands.Show.class, AssessmentCommands.Judge.class, AssessmentCommands.Compare.class,
        AssessmentCommands.Report.class},
    footer = ExitCode.FOOTER)
final class AssessmentCommands implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(((GantryCommand) spec.root().userObject()).cli.err);
    return ExitCode.USAGE;
  }

  /** Prints an assessment: its period and level, then a line per criterion with the reason in full. */
  static void print(ApiCommand command, JsonNode a) {
    Output output = command.output();
    if (output.json()) {
      output.printJson(a);
      return;
    }
    var out = command.out();
    out.println("assessment " + a.path("id").asLong() + ": capability level " + a.path("level").asInt() + ", "
        + a.path("met").asLong() + " of " + a.path("criteria").size() + " criteria met");
    out.println("period " + output.time(a.path("from")) + " to " + output.time(a.path("to")) + ", made by "
        + a.path("createdBy").asString() + " at " + output.time(a.path("createdAt")));
    out.println();
    out.println(String.format(Locale.ROOT, "%-5s  %-27s  %-10s  %-8s  %s", "LEVEL", "CRITERION", "JUDGEMENT", "BY",
        "REASON"));
    for (JsonNode c : a.path("criteria")) {
      String judgement = c.path("judgement").isNull() ? "not judged" : c.path("judgement").asString();
      String reason = c.path("assessorJudgement").isNull() ? c.path("reason").asString()
          : c.path("assessorReason").asString() + " (Gantry: " + c.path("gantryJudgement").asString("not judged")
              + ", " + c.path("reason").asString() + ")";
      out.println(String.format(Locale.ROOT, "%-5d  %-27s  %-10s  %-8s  %s", c.path("level").asInt(),
          c.path("criterion").asString(), judgement, c.path("decidedBy").asString(), reason));
    }
  }

  @Command(name = "create", description = "Assess the capability over a period (default: the last 90 days); each "
      + "criterion is judged from Gantry's records now and kept so.", footer = ExitCode.FOOTER)
  static final class Create extends ApiCommand {

    @Option(names = "--from", paramLabel = "INSTANT", description = "start, e.g. 2026-01-01T00:00:00Z (default: 90 "
        + "days before the end)")
    String from;

    @Option(names = "--to", paramLabel = "INSTANT", description = "end, e.g. 2026-04-01T00:00:00Z (default: now)")
    String to;

    @Override
    void run() {
      Map<String, Object> body = new LinkedHashMap<>();
      if (from != null) {
        body.put("from", instant("--from", from));
      }
      if (to != null) {
        body.put("to", instant("--to", to));
      }
      print(this, api().post("/assessments", body));
    }

    private String instant(String option, String value) {
      try {
        return java.time.Instant.parse(value).toString();
      } catch (java.time.format.DateTimeParseException e) {
        throw usage(option + " \"" + value + "\" is not an instant such as 2026-01-01T00:00:00Z");
      }
    }
  }

  @Command(name = "list", description = "The assessments, newest first, with their period and level.",
      footer = ExitCode.FOOTER)
  static final class ListAssessments extends ApiCommand {
    @Override
    void run() {
      List<JsonNode> items = new ArrayList<>();
      api().get("/assessments").forEach(items::add);
      output().list(items, List.of(of("ID", "id"), of("FROM", "from"), of("TO", "to"), of("LEVEL", "level"),
          of("MET", "met"), of("BY", "createdBy"), of("CREATED", "createdAt")));
    }
  }

  @Command(name = "show", description = "One assessment: its level and every criterion with its judgement, who "
      + "decided it and the reason.", footer = ExitCode.FOOTER)
  static final class Show extends ApiCommand {

    @Parameters(paramLabel = "ID", description = "the assessment's number")
    long id;

    @Override
    void run() {
      print(this, api().get("/assessments/" + id));
    }
  }

  @Command(name = "judge", description = "Judge one criterion as assessor, with a reason and your evidence; your "
      + "judgement decides over Gantry's.", footer = ExitCode.FOOTER)
  static final class Judge extends ApiCommand {

    @Parameters(index = "0", paramLabel = "ID", description = "the assessment's number")
    long id;

    @Parameters(index = "1", paramLabel = "CRITERION", description = "the criterion, e.g. competencies (as gantry "
        + "assessment show lists them)")
    String criterion;

    @Option(names = "--judgement", required = true, paramLabel = "JUDGEMENT", description = "met, partly-met or "
        + "not-met")
    String judgement;

    @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "why")
    String reason;

    @Option(names = "--evidence", paramLabel = "TEXT", description = "the evidence you saw")
    String evidence;

    @Option(names = "--link", paramLabel = "URL", description = "a link to evidence, http(s) (repeat)")
    List<String> links;

    @Override
    void run() {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("judgement", judgement);
      body.put("reason", reason);
      if (evidence != null) {
        body.put("evidence", evidence);
      }
      if (links != null) {
        body.put("links", links);
      }
      print(this, api().put("/assessments/" + id + "/criteria/" + ApiClient.segment(criterion), body));
    }
  }

  @Command(name = "compare", description = "Compare two assessments criterion by criterion, with the level before "
      + "and after.", footer = ExitCode.FOOTER)
  static final class Compare extends ApiCommand {

    @Parameters(index = "0", paramLabel = "BEFORE", description = "the earlier assessment's number")
    long before;

    @Parameters(index = "1", paramLabel = "AFTER", description = "the later assessment's number")
    long after;

    @Override
    void run() {
      JsonNode c = api().get("/assessments/compare", Map.of("before", Long.toString(before),
          "after", Long.toString(after)));
      Output output = output();
      if (output.json()) {
        output.printJson(c);
        return;
      }
      out().println("assessment " + before + " -> " + after + ": level " + c.at("/before/level").asInt() + " -> "
          + c.at("/after/level").asInt() + ", criteria met " + c.at("/before/met").asLong() + " -> "
          + c.at("/after/met").asLong());
      List<List<String>> rows = new ArrayList<>();
      for (JsonNode x : c.path("criteria")) {
        rows.add(List.of(x.path("level").asString(), x.path("criterion").asString(),
            x.path("before").asString("not judged"), x.path("after").asString("not judged"),
            x.path("change").asString()));
      }
      output.table(List.of("LEVEL", "CRITERION", "BEFORE", "AFTER", "CHANGE"), rows);
    }
  }

  @Command(name = "report", description = "Write an assessment's report, self-contained HTML (or PDF), to hand to "
      + "an auditor.", footer = ExitCode.FOOTER)
  static final class Report extends ApiCommand {

    @Parameters(paramLabel = "ID", description = "the assessment's number")
    long id;

    @Option(names = "--pdf", description = "write PDF instead of HTML")
    boolean pdf;

    @Option(names = "--out", paramLabel = "FILE", description = "where to write it (default: assessment-ID.html or "
        + ".pdf in the current directory)")
    Path file;

    @Override
    void run() {
      byte[] report = api().getBytes("/assessments/" + id + "/report", Map.of(),
          pdf ? "application/pdf" : "text/html");
      Path target = root().cli.cwd.resolve(file != null ? file : Path.of("assessment-" + id + (pdf ? ".pdf" : ".html")));
      try {
        Files.write(target, report);
      } catch (IOException e) {
        throw new CliException(ExitCode.INVALID_INPUT, "cannot write the report to " + target + ": " + e.getMessage());
      }
      if (output().json()) {
        output().printJson(ApiClient.JSON.createObjectNode().put("assessment", id).put("file", target.toString())
            .put("bytes", report.length));
        return;
      }
      out().println("wrote the report of assessment " + id + " to " + target + " (" + report.length + " bytes)");
    }
  }
}
