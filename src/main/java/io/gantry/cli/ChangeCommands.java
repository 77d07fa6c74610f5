package io.gantry.cli;

import static io.gantry.cli.ApiClient.segment;
import static io.gantry.cli.Output.Column.of;

import java.time.Instant;
import java.time.format.DateTimeParseException;
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

/** {@code change ...}: changes that authorize deployments, their approvals, closure and review. */
@Command(name = "change", description = "Changes: create, list, show, approve, reject, cancel, close, review.",
    subcommands = {ChangeCommands.Create.class, ChangeCommands.ListChanges.class, ChangeCommands.Show.class,
        ChangeCommands.Submit.class, ChangeCommands.Approve.class, ChangeCommands.Reject.class,
        ChangeCommands.Cancel.class, ChangeCommands.Close.class, ChangeCommands.Review.class},
    footer = ExitCode.FOOTER)
final class ChangeCommands implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(((GantryCommand) spec.root().userObject()).cli.err);
    return ExitCode.USAGE;
  }

  @Command(name = "create", description = "Record a change; --submit also submits it for approval.",
      footer = ExitCode.FOOTER)
  static final class Create extends ApiCommand {

    @Option(names = "--title", required = true, paramLabel = "TEXT")
    String title;

    @Option(names = "--type", required = true, paramLabel = "TYPE", description = "standard, normal or emergency")
    String type;

    @Option(names = "--risk", defaultValue = "medium", paramLabel = "LEVEL", description = "low, medium or high")
    String risk;

    @Option(names = "--impact", defaultValue = "medium", paramLabel = "LEVEL", description = "low, medium or high")
    String impact;

    @Option(names = "--start", required = true, paramLabel = "INSTANT", description = "e.g. 2026-12-01T22:00:00Z")
    String start;

    @Option(names = "--end", required = true, paramLabel = "INSTANT", description = "e.g. 2026-12-01T23:00:00Z")
    String end;

    @Option(names = "--service", paramLabel = "SERVICE", description = "a service it changes (repeat)")
    List<String> services = new ArrayList<>();

    @Option(names = "--component", paramLabel = "SERVICE/COMPONENT", description = "a component it changes (repeat)")
    List<String> components = new ArrayList<>();

    @Option(names = "--environment", required = true, paramLabel = "ENV", description = "an environment (repeat)")
    List<String> environments = new ArrayList<>();

    @Option(names = "--implementation-plan", paramLabel = "TEXT")
    String implementationPlan;

    @Option(names = "--backout-plan", paramLabel = "TEXT")
    String backoutPlan;

    @Option(names = "--test-plan", paramLabel = "TEXT")
    String testPlan;

    @Option(names = "--emergency-reason", paramLabel = "TEXT", description = "why it cannot wait (emergency)")
    String emergencyReason;

    @Option(names = "--external", paramLabel = "SYSTEM:REFERENCE",
        description = "the change in an ITSM tool it stands for, e.g. servicenow:CHG0030001")
    String external;

    @Option(names = "--submit", description = "submit it for approval at once")
    boolean submit;

    @Override
    void run() {
      ObjectNode body = ApiClient.JSON.createObjectNode();
      body.put("title", title).put("type", type).put("risk", risk).put("impact", impact)
          .put("plannedStart", instant("--start", start).toString()).put("plannedEnd", instant("--end", end).toString());
      ArrayNode s = body.putArray("services");
      services.forEach(s::add);
      ArrayNode c = body.putArray("components");
      components.forEach(c::add);
      ArrayNode e = body.putArray("environments");
      environments.forEach(e::add);
      putIf(body, "implementationPlan", implementationPlan);
      putIf(body, "backoutPlan", backoutPlan);
      putIf(body, "testPlan", testPlan);
      putIf(body, "emergencyReason", emergencyReason);
      if (external != null) {
        int colon = external.indexOf(':');
        if (colon < 1 || colon == external.length() - 1) {
          throw usage("--external must be SYSTEM:REFERENCE, e.g. servicenow:CHG0030001");
        }
        body.putObject("external").put("system", external.substring(0, colon))
            .put("reference", external.substring(colon + 1));
      }
      JsonNode created = api().post("/changes", body);
      String key = created.path("key").asString();
      JsonNode shown = submit ? api().post("/changes/" + segment(key) + "/submit", ApiClient.JSON.createObjectNode())
          .path("change") : created;
      if (output().json()) {
        output().printJson(shown);
        return;
      }
      out().println("change " + key + " created: " + title + " (" + shown.path("type").asString() + ", "
          + shown.path("state").asString() + ")");
    }

    private Instant instant(String option, String text) {
      try {
        return Instant.parse(text);
      } catch (DateTimeParseException ex) {
        throw usage(option + " must be an ISO-8601 instant such as 2026-12-01T22:00:00Z, not \"" + text + "\"");
      }
    }
  }

  @Command(name = "list", description = "Changes, newest first.", footer = ExitCode.FOOTER)
  static final class ListChanges extends ApiCommand {

    @Option(names = "--state", paramLabel = "STATE")
    String state;

    @Option(names = "--type", paramLabel = "TYPE")
    String type;

    @Option(names = "--environment", paramLabel = "ENV")
    String environment;

    @Option(names = "--service", paramLabel = "SERVICE")
    String service;

    @Override
    void run() {
      Map<String, String> query = new LinkedHashMap<>();
      putIf(query, "state", state);
      putIf(query, "type", type);
      putIf(query, "environment", environment);
      putIf(query, "service", service);
      output().list(api().getAll("/changes", query), List.of(of("KEY", "key"), of("TYPE", "type"),
          of("STATE", "state"), of("START", "plannedStart"), of("END", "plannedEnd"), of("REQUESTED BY", "requestedBy"),
          of("TITLE", "title")));
    }
  }

  @Command(name = "show", description = "One change with its approvals, deployments and history.",
      footer = ExitCode.FOOTER)
  static final class Show extends ApiCommand {

    @Parameters(paramLabel = "KEY", description = "e.g. CHG-42")
    String key;

    @Override
    void run() {
      JsonNode detail = api().get("/changes/" + segment(key));
      if (output().json()) {
        output().printJson(detail);
        return;
      }
      print(this, detail);
    }
  }

  @Command(name = "submit", description = "Submit a new change for approval.", footer = ExitCode.FOOTER)
  static final class Submit extends ApiCommand {

    @Parameters(paramLabel = "KEY")
    String key;

    @Override
    void run() {
      decided(this, api().post("/changes/" + segment(key) + "/submit", ApiClient.JSON.createObjectNode()));
    }
  }

  @Command(name = "approve", description = "Approve a change awaiting approval.", footer = ExitCode.FOOTER)
  static final class Approve extends ApiCommand {

    @Parameters(paramLabel = "KEY")
    String key;

    @Option(names = "--reason", paramLabel = "TEXT", description = "why (recorded)")
    String reason;

    @Override
    void run() {
      ObjectNode body = ApiClient.JSON.createObjectNode();
      putIf(body, "reason", reason);
      decided(this, api().post("/changes/" + segment(key) + "/approve", body));
    }
  }

  @Command(name = "reject", description = "Reject a change awaiting approval.", footer = ExitCode.FOOTER)
  static final class Reject extends ApiCommand {

    @Parameters(paramLabel = "KEY")
    String key;

    @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "why (required, recorded)")
    String reason;

    @Override
    void run() {
      decided(this, api().post("/changes/" + segment(key) + "/reject",
          ApiClient.JSON.createObjectNode().put("reason", reason)));
    }
  }

  @Command(name = "cancel", description = "Cancel a change that has not started.", footer = ExitCode.FOOTER)
  static final class Cancel extends ApiCommand {

    @Parameters(paramLabel = "KEY")
    String key;

    @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "why (required, recorded)")
    String reason;

    @Override
    void run() {
      decided(this, api().post("/changes/" + segment(key) + "/cancel",
          ApiClient.JSON.createObjectNode().put("reason", reason)));
    }
  }

  @Command(name = "close", description = "Close a change: successful, failed or backed-out.",
      footer = ExitCode.FOOTER)
  static final class Close extends ApiCommand {

    @Parameters(paramLabel = "KEY")
    String key;

    @Option(names = "--code", required = true, paramLabel = "CODE", description = "successful, failed or backed-out")
    String code;

    @Option(names = "--reason", paramLabel = "TEXT")
    String reason;

    @Override
    void run() {
      ObjectNode body = ApiClient.JSON.createObjectNode().put("code", code);
      putIf(body, "reason", reason);
      decided(this, api().post("/changes/" + segment(key) + "/close", body));
    }
  }

  @Command(name = "review", description = "Record the post-implementation review of a closed change.",
      footer = ExitCode.FOOTER)
  static final class Review extends ApiCommand {

    @Parameters(paramLabel = "KEY")
    String key;

    @Option(names = "--summary", required = true, paramLabel = "TEXT", description = "what the review found")
    String summary;

    @Option(names = "--follow-ups", paramLabel = "TEXT", description = "actions agreed")
    String followUps;

    @Override
    void run() {
      ObjectNode body = ApiClient.JSON.createObjectNode().put("summary", summary);
      putIf(body, "followUps", followUps);
      JsonNode review = api().post("/changes/" + segment(key) + "/review", body);
      if (output().json()) {
        output().printJson(review);
        return;
      }
      out().println(review.path("change").asString() + " reviewed by " + review.path("reviewer").asString());
    }
  }

  private static void decided(ApiCommand command, JsonNode detail) {
    if (command.output().json()) {
      command.output().printJson(detail);
      return;
    }
    JsonNode c = detail.path("change");
    String line = c.path("key").asString() + " is " + c.path("state").asString();
    if (c.path("state").asString().equals("assessed") && !detail.path("approvalProgress").isNull()) {
      line += ": " + detail.path("approvalProgress").asString();
    } else if (!c.path("outcome").isNull() && !c.path("outcome").asString("").isEmpty()) {
      line += ": " + c.path("outcome").asString();
    }
    command.out().println(line);
  }

  private static void print(ApiCommand command, JsonNode detail) {
    var out = command.out();
    JsonNode c = detail.path("change");
    out.println(c.path("key").asString() + ": " + c.path("title").asString() + " - " + c.path("state").asString()
        + (c.path("closureCode").isNull() ? "" : " (" + c.path("closureCode").asString() + ")"));
    out.println("  " + c.path("type").asString() + " change, risk " + c.path("risk").asString() + ", impact "
        + c.path("impact").asString() + ", requested by " + c.path("requestedBy").asString());
    out.println("  planned " + command.output().time(c.path("plannedStart")) + " to "
        + command.output().time(c.path("plannedEnd")));
    out.println("  scope: " + join(c.path("services"), c.path("components")) + " in " + join(c.path("environments")));
    if (!c.path("emergencyReason").isNull()) {
      out.println("  emergency: " + c.path("emergencyReason").asString());
    }
    if (!c.path("external").isNull()) {
      JsonNode e = c.path("external");
      out.println("  decided in " + e.path("system").asString() + " (" + e.path("reference").asString() + ")"
          + (e.path("state").isNull() ? "" : ", last seen \"" + e.path("state").asString() + "\""));
    }
    if (!detail.path("approvalProgress").isNull()) {
      out.println("  approvals: " + detail.path("approvalProgress").asString());
    }
    if (!c.path("outcome").isNull()) {
      out.println("  " + c.path("outcome").asString());
    }
    if (!detail.path("deployments").isEmpty()) {
      out.println("  deployments: " + detail.path("deployments").valueStream().map(d -> "#" + d.asLong())
          .reduce((a, b) -> a + ", " + b).orElse(""));
    }
    out.println();
    List<List<String>> rows = new ArrayList<>();
    for (JsonNode e : detail.path("history")) {
      String move = e.path("to").isNull() ? e.path("kind").asString().toLowerCase()
          : (e.path("from").isNull() ? "" : e.path("from").asString() + " -> ") + e.path("to").asString();
      rows.add(List.of(e.path("at").asString(), move, e.path("actor").asString(), e.path("reason").asString()));
    }
    command.output().table(List.of("AT", "WHAT", "WHO", "WHY"), rows);
  }

  private static String join(JsonNode... lists) {
    List<String> all = new ArrayList<>();
    for (JsonNode list : lists) {
      list.forEach(n -> all.add(n.asString()));
    }
    return String.join(", ", all);
  }

  private static void putIf(ObjectNode body, String field, String value) {
    if (value != null) {
      body.put(field, value);
    }
  }

  private static void putIf(Map<String, String> query, String field, String value) {
    if (value != null) {
      query.put(field, value);
    }
  }
}
