package io.gantry.cli;

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
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code review}, {@code followups}, {@code failures} and {@code initiatives}: reviews of deployments and their
 * follow-up actions, the failure analysis, and the register of improvement initiatives.
 */
final class ImprovementCommands {

  private ImprovementCommands() {}

  @Command(name = "review", description = "Show the review of a deployment, or write it with --what and --causes "
      + "(and follow-ups), or add follow-ups to it with --add.", footer = ExitCode.FOOTER)
  static final class Review extends ApiCommand {

    @Parameters(paramLabel = "DEPLOYMENT", description = "a deployment number") long deployment;
    @Option(names = "--what", paramLabel = "TEXT", description = "what happened") String what;
    @Option(names = "--causes", paramLabel = "TEXT", description = "its causes") String causes;
    @Option(names = "--follow-up", paramLabel = "ACTION|OWNER|DUE", description = "a follow-up action, its owner (a "
        + "user) and the day it is due (YYYY-MM-DD), separated by |; repeatable") List<String> followUps;
    @Option(names = "--add", description = "add the --follow-up actions to the deployment's review") boolean add;

    @Override
    void run() {
      String path = "/deployments/" + deployment + "/review";
      List<ObjectNode> actions = new ArrayList<>();
      for (String f : followUps == null ? List.<String>of() : followUps) {
        actions.add(followUp(f));
      }
      JsonNode answer;
      if (add) {
        if (what != null || causes != null || actions.isEmpty()) {
          throw usage("--add adds --follow-up actions only; give at least one, without --what and --causes");
        }
        actions.forEach(a -> api().post(path + "/followups", a));
        answer = api().get(path);
      } else if (what != null || causes != null) {
        if (what == null || causes == null) {
          throw usage("a review needs both --what and --causes");
        }
        ObjectNode body = ApiClient.JSON.createObjectNode().put("whatHappened", what).put("causes", causes);
        ArrayNode list = body.putArray("followUps");
        actions.forEach(list::add);
        answer = api().post(path, body);
      } else {
        if (!actions.isEmpty()) {
          throw usage("--follow-up goes with --what and --causes (a new review) or with --add");
        }
        answer = api().get(path);
      }
      output().one(answer);
    }

    private ObjectNode followUp(String spec) {
      String[] parts = spec.split("\\|", -1);
      if (parts.length != 3 || parts[0].isBlank() || parts[1].isBlank() || parts[2].isBlank()) {
        throw usage("--follow-up \"" + spec + "\" is not ACTION|OWNER|DUE (e.g. \"shorten the check|bob|2026-04-30\")");
      }
      return ApiClient.JSON.createObjectNode().put("action", parts[0].strip()).put("owner", parts[1].strip())
          .put("due", parts[2].strip());
    }
  }

  @Command(name = "followups", description = "List the follow-up actions of deployment reviews, oldest due first; "
      + "'followups done ID' marks one done.", subcommands = FollowUpDone.class, footer = ExitCode.FOOTER)
  static final class FollowUps extends ApiCommand {

    @Option(names = "--owner", paramLabel = "USER", description = "only this user's") String owner;
    @Option(names = "--overdue", description = "only open ones past their due day") boolean overdue;

    @Override
    void run() {
      Map<String, String> query = new LinkedHashMap<>();
      if (owner != null) {
        query.put("owner", owner);
      }
      if (overdue) {
        query.put("overdue", "true");
      }
      List<JsonNode> items = new ArrayList<>();
      api().get("/followups", query).forEach(items::add);
      output().list(items, List.of(new Output.Column("ID", f -> "#" + f.path("id").asLong()),
          new Output.Column("DEPLOYMENT", f -> "#" + f.path("deployment").asLong()), Output.Column.of("OWNER", "owner"),
          Output.Column.of("DUE", "due"), new Output.Column("STATE", f -> f.path("overdue").asBoolean() ? "overdue"
              : f.path("state").asString()), Output.Column.of("ACTION", "action")));
    }
  }

  @Command(name = "done", description = "Mark a follow-up action done.", footer = ExitCode.FOOTER)
  static final class FollowUpDone extends ApiCommand {

    @Parameters(paramLabel = "ID", description = "a follow-up number") long id;

    @Override
    void run() {
      output().one(api().post("/followups/" + id + "/done", ApiClient.JSON.createObjectNode()));
    }
  }

  @Command(name = "failures", description = "Failed and rolled-back deployments grouped by cause, most frequent "
      + "first, with a count per day (periods up to 14 days) or week.", footer = ExitCode.FOOTER)
  static final class Failures extends ApiCommand {

    @Option(names = "--from", paramLabel = "DATE|TIME", description = "start of the period (default 30 days ago)")
    String from;
    @Option(names = "--to", paramLabel = "DATE|TIME", description = "end of the period (a date includes that day; "
        + "default now)") String to;
    @Option(names = "--by", paramLabel = "signature|step|target|stage|model", description = "what to group by "
        + "(default signature)") String by;

    @Override
    void run() {
      Map<String, String> query = new LinkedHashMap<>();
      if (from != null) {
        query.put("from", from);
      }
      if (to != null) {
        query.put("to", to);
      }
      if (by != null) {
        query.put("by", by);
      }
      JsonNode a = api().get("/failures", query);
      if (output().json()) {
        output().printJson(a);
        return;
      }
      out().println(a.path("failures").asLong() + " failed or rolled-back deployments from " + output().time(
          a.path("from")) + " to " + output().time(a.path("to")) + ", by " + a.path("by").asString() + "; trend per "
          + a.path("bucket").asString() + " from " + (a.path("buckets").isEmpty() ? "-"
              : a.path("buckets").get(0).asString().substring(0, 10)));
      List<JsonNode> groups = new ArrayList<>();
      a.path("groups").forEach(groups::add);
      output().list(groups, List.of(new Output.Column("COUNT", g -> String.valueOf(g.path("count").asLong())),
          new Output.Column("ROLLED BACK", g -> String.valueOf(g.path("rolledBack").asLong())),
          Output.Column.of("LAST SEEN", "lastSeen"),
          new Output.Column("TREND", g -> {
            List<String> counts = new ArrayList<>();
            g.path("trend").forEach(n -> counts.add(n.asString()));
            return String.join(" ", counts);
          }), Output.Column.of(a.path("by").asString().toUpperCase(java.util.Locale.ROOT), "key")));
    }
  }

  @Command(name = "initiatives", description = "Improvement initiatives: list, add, show, move, link, evaluate.",
      subcommands = {ListInitiatives.class, AddInitiative.class, ShowInitiative.class, MoveInitiative.class,
          LinkInitiative.class, EvaluateInitiative.class}, footer = ExitCode.FOOTER)
  static final class Initiatives implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      spec.commandLine().usage(((GantryCommand) spec.root().userObject()).cli.err);
      return ExitCode.USAGE;
    }
  }

  @Command(name = "list", description = "The initiatives, newest first.", footer = ExitCode.FOOTER)
  static final class ListInitiatives extends ApiCommand {

    @Option(names = "--state", paramLabel = "STATE", description = "only those in this state (proposed, approved, "
        + "in-progress, implemented, evaluated, abandoned)") String state;

    @Override
    void run() {
      List<JsonNode> items = new ArrayList<>();
      api().get("/initiatives", state == null ? Map.of() : Map.of("state", state)).forEach(items::add);
      output().list(items, List.of(new Output.Column("ID", i -> "#" + i.path("id").asLong()),
          Output.Column.of("STATE", "state"), Output.Column.of("OWNER", "owner"),
          new Output.Column("EXPECTED", i -> i.path("kpi").asString() + " " + i.path("direction").asString()),
          new Output.Column("IMPLEMENTED BY", i -> i.path("model").isNull() ? "-"
              : i.path("model").asString() + " v" + i.path("modelVersion").asInt()),
          Output.Column.of("TITLE", "title")));
    }
  }

  @Command(name = "add", description = "Register an initiative (proposed).", footer = ExitCode.FOOTER)
  static final class AddInitiative extends ApiCommand {

    @Option(names = "--title", required = true, paramLabel = "TEXT") String title;
    @Option(names = "--description", required = true, paramLabel = "TEXT") String description;
    @Option(names = "--owner", required = true, paramLabel = "USER") String owner;
    @Option(names = "--effect", required = true, paramLabel = "TEXT", description = "the effect expected")
    String effect;
    @Option(names = "--kpi", required = true, paramLabel = "success-rate|failure-count|lead-time",
        description = "the KPI it should move") String kpi;
    @Option(names = "--direction", required = true, paramLabel = "up|down") String direction;
    @Option(names = "--window-days", paramLabel = "DAYS", description = "the windows compared when evaluated "
        + "(default 30)") Integer windowDays;

    @Override
    void run() {
      ObjectNode body = ApiClient.JSON.createObjectNode().put("title", title).put("description", description)
          .put("owner", owner).put("expectedEffect", effect).put("kpi", kpi).put("direction", direction);
      if (windowDays != null) {
        body.put("windowDays", windowDays);
      }
      JsonNode i = api().post("/initiatives", body);
      if (output().json()) {
        output().printJson(i);
        return;
      }
      out().println("initiative #" + i.path("id").asLong() + " registered (proposed)");
    }
  }

  @Command(name = "show", description = "An initiative with its links, history and measured effect.",
      footer = ExitCode.FOOTER)
  static final class ShowInitiative extends ApiCommand {

    @Parameters(paramLabel = "ID") long id;

    @Override
    void run() {
      output().one(api().get("/initiatives/" + id));
    }
  }

  @Command(name = "move", description = "Move an initiative to approved, in-progress, implemented or abandoned.",
      footer = ExitCode.FOOTER)
  static final class MoveInitiative extends ApiCommand {

    @Parameters(index = "0", paramLabel = "ID") long id;
    @Parameters(index = "1", paramLabel = "STATE") String state;
    @Option(names = "--reason", required = true, paramLabel = "TEXT") String reason;

    @Override
    void run() {
      JsonNode i = api().post("/initiatives/" + id + "/moves", ApiClient.JSON.createObjectNode().put("to", state)
          .put("reason", reason));
      if (output().json()) {
        output().printJson(i);
        return;
      }
      out().println("initiative #" + id + " is " + i.path("state").asString());
    }
  }

  @Command(name = "link", description = "Link an initiative to one thing: a model, the model version that "
      + "implemented it, a deployment's review, a failure signature or a KPI.", footer = ExitCode.FOOTER)
  static final class LinkInitiative extends ApiCommand {

    @Parameters(paramLabel = "ID") long id;
    @Option(names = "--model", paramLabel = "MODEL") String model;
    @Option(names = "--model-version", paramLabel = "MODEL:VERSION") String modelVersion;
    @Option(names = "--review", paramLabel = "DEPLOYMENT", description = "the deployment whose review it is")
    String review;
    @Option(names = "--failure", paramLabel = "SIGNATURE", description = "an error signature as 'gantry failures' "
        + "shows it") String failure;
    @Option(names = "--kpi", paramLabel = "success-rate|failure-count|lead-time") String kpi;

    @Override
    void run() {
      Map<String, String> given = new LinkedHashMap<>();
      if (model != null) {
        given.put("model", model);
      }
      if (modelVersion != null) {
        given.put("model-version", modelVersion);
      }
      if (review != null) {
        given.put("review", review);
      }
      if (failure != null) {
        given.put("failure", failure);
      }
      if (kpi != null) {
        given.put("kpi", kpi);
      }
      if (given.size() != 1) {
        throw usage("give exactly one of --model, --model-version, --review, --failure, --kpi");
      }
      var link = given.entrySet().iterator().next();
      JsonNode i = api().post("/initiatives/" + id + "/links", ApiClient.JSON.createObjectNode()
          .put("kind", link.getKey()).put("ref", link.getValue()));
      if (output().json()) {
        output().printJson(i);
        return;
      }
      out().println("initiative #" + id + " linked to " + link.getKey() + " " + link.getValue());
    }
  }

  @Command(name = "evaluate", description = "Measure and store an implemented initiative's effect: its KPIs over "
      + "equal windows before and after its model version came into force.", footer = ExitCode.FOOTER)
  static final class EvaluateInitiative extends ApiCommand {

    @Parameters(paramLabel = "ID") long id;
    @Option(names = "--reason", required = true, paramLabel = "TEXT") String reason;
    @Option(names = "--window-days", paramLabel = "DAYS", description = "the windows compared (default the "
        + "initiative's)") Integer windowDays;

    @Override
    void run() {
      ObjectNode body = ApiClient.JSON.createObjectNode().put("reason", reason);
      if (windowDays != null) {
        body.put("windowDays", windowDays);
      }
      JsonNode i = api().post("/initiatives/" + id + "/evaluation", body);
      if (output().json()) {
        output().printJson(i);
        return;
      }
      List<JsonNode> effects = new ArrayList<>();
      i.path("effects").forEach(effects::add);
      output().list(effects, List.of(Output.Column.of("KPI", "kpi"), Output.Column.of("BEFORE", "before"),
          Output.Column.of("AFTER", "after"), new Output.Column("DEPLOYMENTS", e -> e.path("beforeBasis").asLong()
              + " / " + e.path("afterBasis").asLong()), Output.Column.of("MOVEMENT", "movement"),
          Output.Column.of("AS EXPECTED", "asExpected")));
    }
  }
}
