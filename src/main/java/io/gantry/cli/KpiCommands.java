package io.gantry.cli;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
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
import tools.jackson.databind.node.ObjectNode;

/** {@code kpi}: targets for the practice KPIs, and the stored evaluations against them. */
@Command(name = "kpi", description = "Targets for the practice KPIs, and stored evaluations against them.",
    subcommands = {KpiCommands.Targets.class, KpiCommands.Evaluate.class, KpiCommands.Evaluations.class},
    footer = ExitCode.FOOTER)
final class KpiCommands implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(((GantryCommand) spec.root().userObject()).cli.err);
    return ExitCode.USAGE;
  }

  static final List<Output.Column> RESULT_COLUMNS = List.of(Output.Column.of("KPI", "kpi"),
      new Output.Column("SCOPE", KpiCommands::scope), new Output.Column("TARGET", KpiCommands::target),
      new Output.Column("FIGURE", r -> r.path("figure").isNull() ? "-" : r.path("figure").asString()),
      Output.Column.of("VERDICT", "verdict"));

  static String scope(JsonNode n) {
    String service = n.path("service").isNull() ? null : n.path("service").asString(null);
    String environment = n.path("environment").isNull() ? null : n.path("environment").asString(null);
    if (service == null && environment == null) {
      return "all";
    }
    return (service == null ? "" : "service " + service) + (service != null && environment != null ? " in " : "")
        + (environment == null ? "" : "environment " + environment);
  }

  static String target(JsonNode n) {
    return (n.path("comparison").asString().equals("at-least") ? ">= " : "<= ")
        + n.path(n.has("target") ? "target" : "value").asString();
  }

  @Command(name = "targets", description = "List, set and remove KPI targets.",
      subcommands = {ListTargets.class, SetTarget.class, RemoveTarget.class}, footer = ExitCode.FOOTER)
  static final class Targets extends ApiCommand {
    @Override
    void run() {
      spec.commandLine().usage(err());
      throw new CliException(ExitCode.USAGE, "name a subcommand: list, set or remove");
    }
  }

  @Command(name = "list", description = "The KPI targets of the scopes you reach.", footer = ExitCode.FOOTER)
  static final class ListTargets extends ApiCommand {
    @Override
    void run() {
      List<JsonNode> items = new ArrayList<>();
      api().get("/kpi-targets").forEach(items::add);
      output().list(items, List.of(Output.Column.of("KPI", "kpi"), new Output.Column("SCOPE", KpiCommands::scope),
          new Output.Column("TARGET", KpiCommands::target), Output.Column.of("SET BY", "setBy"),
          Output.Column.of("SET AT", "setAt")));
    }
  }

  @Command(name = "set", description = "Set (or replace) the target of a KPI in a scope: all, a service, an "
      + "environment, or both (deployment managers of that scope).", footer = ExitCode.FOOTER)
  static final class SetTarget extends ApiCommand {
    @Parameters(paramLabel = "KPI", description = "e.g. deployment-success-percent, failures, lead-time-hours")
    String kpi;
    @Option(names = "--at-least", paramLabel = "VALUE", description = "met when the figure is at least this")
    Double atLeast;
    @Option(names = "--at-most", paramLabel = "VALUE", description = "met when the figure is at most this")
    Double atMost;
    @Option(names = "--service", paramLabel = "SERVICE") String service;
    @Option(names = "--environment", paramLabel = "ENV") String environment;

    @Override
    void run() {
      if ((atLeast == null) == (atMost == null)) {
        throw new CliException(ExitCode.USAGE, "give one of --at-least VALUE or --at-most VALUE");
      }
      ObjectNode body = ApiClient.JSON.createObjectNode().put("kpi", kpi)
          .put("comparison", atLeast != null ? "at-least" : "at-most").put("value", atLeast != null ? atLeast : atMost);
      if (service != null) {
        body.put("service", service);
      }
      if (environment != null) {
        body.put("environment", environment);
      }
      JsonNode t = api().put("/kpi-targets", body);
      if (output().json()) {
        output().printJson(t);
      } else {
        out().println("target set: " + t.path("kpi").asString() + " " + target(t) + " for " + scope(t));
      }
    }
  }

  @Command(name = "remove", description = "Remove the target of a KPI in a scope.", footer = ExitCode.FOOTER)
  static final class RemoveTarget extends ApiCommand {
    @Parameters(paramLabel = "KPI") String kpi;
    @Option(names = "--service", paramLabel = "SERVICE") String service;
    @Option(names = "--environment", paramLabel = "ENV") String environment;

    @Override
    void run() {
      StringBuilder path = new StringBuilder("/kpi-targets?kpi=").append(encode(kpi));
      if (service != null) {
        path.append("&service=").append(encode(service));
      }
      if (environment != null) {
        path.append("&environment=").append(encode(environment));
      }
      JsonNode t = api().delete(path.toString());
      if (output().json()) {
        output().printJson(t);
      } else {
        out().println("target removed: " + t.path("kpi").asString() + " " + target(t) + " for " + scope(t));
      }
    }
  }

  static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @Command(name = "evaluate", description = "Evaluate the KPIs of every scope with a target over a period and "
      + "store the figures and verdicts (deployment managers).", footer = ExitCode.FOOTER)
  static final class Evaluate extends ApiCommand {
    @Option(names = "--from", required = true, paramLabel = "DATE|TIME") String from;
    @Option(names = "--to", required = true, paramLabel = "DATE|TIME", description = "a date is included") String to;

    @Override
    void run() {
      JsonNode e = api().post("/kpi-evaluations", ApiClient.JSON.createObjectNode().put("from", from).put("to", to));
      show(this, e);
    }
  }

  static void show(ApiCommand command, JsonNode e) {
    if (command.output().json()) {
      command.output().printJson(e);
      return;
    }
    long missed = 0;
    for (JsonNode r : e.path("results")) {
      missed += r.path("verdict").asString().equals("missed") ? 1 : 0;
    }
    command.out().println("evaluation #" + e.path("id").asLong() + " of " + e.path("from").asString() + " to "
        + e.path("to").asString() + " by " + e.path("author").asString() + " at " + e.path("evaluatedAt").asString()
        + ": " + missed + " of " + e.path("results").size() + " targets missed");
    List<JsonNode> results = new ArrayList<>();
    e.path("results").forEach(results::add);
    command.output().list(results, RESULT_COLUMNS);
  }

  @Command(name = "evaluations", description = "List and show stored KPI evaluations.",
      subcommands = {ListEvaluations.class, ShowEvaluation.class}, footer = ExitCode.FOOTER)
  static final class Evaluations extends ApiCommand {
    @Override
    void run() {
      spec.commandLine().usage(err());
      throw new CliException(ExitCode.USAGE, "name a subcommand: list or show");
    }
  }

  @Command(name = "list", description = "Stored evaluations, latest period first; --from and --to keep those "
      + "that overlap the period.", footer = ExitCode.FOOTER)
  static final class ListEvaluations extends ApiCommand {
    @Option(names = "--from", paramLabel = "DATE|TIME") String from;
    @Option(names = "--to", paramLabel = "DATE|TIME") String to;

    @Override
    void run() {
      Map<String, String> query = new LinkedHashMap<>();
      if (from != null) {
        query.put("from", from);
      }
      if (to != null) {
        query.put("to", to);
      }
      List<JsonNode> items = new ArrayList<>();
      api().get("/kpi-evaluations", query).forEach(items::add);
      output().list(items, List.of(new Output.Column("ID", e -> "#" + e.path("id").asLong()),
          Output.Column.of("FROM", "from"), Output.Column.of("TO", "to"), Output.Column.of("BY", "author"),
          Output.Column.of("AT", "evaluatedAt"), new Output.Column("MISSED", KpiCommands::missed)));
    }
  }

  static String missed(JsonNode e) {
    List<String> missed = new ArrayList<>();
    e.path("results").forEach(r -> {
      if (r.path("verdict").asString().equals("missed")) {
        missed.add(r.path("kpi").asString() + " (" + scope(r) + ")");
      }
    });
    return missed.isEmpty() ? "none" : String.join(", ", missed);
  }

  @Command(name = "show", description = "A stored evaluation: each target's figure and verdict.",
      footer = ExitCode.FOOTER)
  static final class ShowEvaluation extends ApiCommand {
    @Parameters(paramLabel = "ID") long id;

    @Override
    void run() {
      show(this, api().get("/kpi-evaluations/" + id));
    }
  }
}
