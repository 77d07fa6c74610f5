package io.gantry.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code deploy}, {@code status}, {@code logs} and {@code history}: deployments and their record. */
final class DeployCommands {

  private static final Set<String> FINAL = Set.of("SUCCEEDED", "FAILED", "ROLLED_BACK", "CANCELLED");

  /** How many deployments {@code gantry status} lists without an id: the most recent. */
  static final int RECENT = 20;

  private DeployCommands() {}

  @Command(name = "deploy", description = "Deploy SERVICE/COMPONENT@VERSION into an environment and follow it "
      + "until it ends (progress per target); --detach returns at once.", footer = ExitCode.FOOTER)
  static final class Deploy extends ApiCommand {

    @Parameters(paramLabel = "SERVICE/COMPONENT@VERSION")
    String ref;

    @Option(names = "--to", required = true, paramLabel = "ENVIRONMENT", description = "the environment")
    String environment;

    @Option(names = "--model", paramLabel = "MODEL", description = "the deployment model (default: the one that applies)")
    String model;

    @Option(names = "--reason", paramLabel = "TEXT", description = "why (recorded)")
    String reason;

    @Option(names = "--detach", description = "do not follow the deployment")
    boolean detach;

    @Option(names = "--at", paramLabel = "TIME", description = "planned start: ISO-8601 with offset, or local "
        + "date-time in your zone (returns once requested)")
    String at;

    @Option(names = "--until", paramLabel = "TIME", description = "planned end (same forms as --at)")
    String until;

    @Option(names = "--priority", paramLabel = "N", description = "-100..100: higher goes first in the queue")
    Integer priority;

    @Override
    void run() {
      ComponentRef version = ComponentRef.parse(ref, true);
      ObjectNode body = ApiClient.JSON.createObjectNode();
      body.put("component", version.service() + "/" + version.component()).put("version", version.version())
          .put("environment", environment);
      if (model != null) {
        body.put("model", model);
      }
      if (reason != null) {
        body.put("reason", reason);
      }
      java.time.ZoneId zone = ScheduleCommands.userZone(root().cli.env);
      if (at != null) {
        body.put("at", ScheduleCommands.time(this, "--at", at, zone).toString());
      }
      if (until != null) {
        body.put("plannedEnd", ScheduleCommands.time(this, "--until", until, zone).toString());
      }
      if (priority != null) {
        body.put("priority", priority);
      }
      JsonNode created = api().post("/deployments", body);
      long id = created.path("id").asLong();
      if (detach || at != null || output().json()) {
        if (output().json()) {
          output().printJson(created);
        } else {
          out().println("deployment #" + id + " requested: " + ref + " to " + environment + (at == null ? ""
              : ", planned for " + output().time(created.path("plannedStart"))));
        }
        return;
      }
      out().println("deployment #" + id + ": " + ref + " to " + environment + " (model " + created.path("model")
          .asString() + ", stage " + created.path("stage").asString() + ")");
      follow(this, id);
    }
  }

  @Command(name = "status", description = "Show one deployment with the state of each target, or the recent ones.",
      footer = ExitCode.FOOTER)
  static final class Status extends ApiCommand {

    @Parameters(paramLabel = "ID", arity = "0..1", description = "a deployment number")
    Long id;

    @Override
    void run() {
      if (id == null) {
        List<JsonNode> recent = new ArrayList<>();
        api().get("/deployments", Map.of("size", String.valueOf(RECENT))).path("items").forEach(recent::add);
        print(this, recent);
        return;
      }
      JsonNode d = api().get("/deployments/" + id);
      if (output().json()) {
        output().printJson(d);
        return;
      }
      out().println("deployment #" + id + ": " + d.path("component").asString() + "@" + d.path("version").asString()
          + " to " + d.path("environment").asString() + " - " + d.path("state").asString());
      out().println("  model " + d.path("model").asString() + " v" + d.path("modelVersion").asInt() + ", stage "
          + d.path("stage").asString() + ", requested by " + d.path("requestedBy").asString() + " at "
          + output().time(d.path("requestedAt")));
      if (!d.path("outcome").isNull() && !d.path("outcome").asString("").isEmpty()) {
        out().println("  " + d.path("outcome").asString());
      }
      if (d.path("finishedAt").isNull() || d.path("finishedAt").isMissingNode()) {
        // what it waits for now, when the record's last entry is a wait (a person to confirm, a window...)
        JsonNode last = null;
        for (JsonNode e : api().get("/deployments/" + id + "/events")) {
          last = e;
        }
        if (last != null && last.path("kind").asString().equals("WAIT")) {
          out().println("  " + last.path("message").asString() + " (wait: " + last.path("waitingFor").asString("-")
              + ", since " + output().time(last.path("at")) + ")");
        }
      }
      List<List<String>> rows = new ArrayList<>();
      boolean slots = false;
      for (JsonNode t : d.path("targets")) {
        slots |= !t.path("slot").isMissingNode() && !t.path("slot").isNull();
      }
      for (JsonNode t : d.path("targets")) {
        List<String> row = new ArrayList<>(List.of(t.path("target").asString(),
            String.valueOf(t.path("batch").asInt() + 1), t.path("state").asString(),
            t.path("previousVersion").asString("-")));
        if (slots) {
          // blue-green: the slot this deployment installed into, and the slot that serves now
          row.add(t.path("slot").asString("-"));
          row.add(t.path("liveSlot").asString("-"));
        }
        row.add(t.path("outcome").asString(""));
        rows.add(row);
      }
      if (!rows.isEmpty()) {
        out().println();
        output().table(slots ? List.of("TARGET", "BATCH", "STATE", "PREVIOUS", "SLOT", "LIVE", "OUTCOME")
            : List.of("TARGET", "BATCH", "STATE", "PREVIOUS", "OUTCOME"), rows);
      }
      JsonNode canary = d.path("canary");
      if (canary.isObject()) {
        List<String> names = new ArrayList<>();
        canary.path("targets").forEach(t -> names.add(t.asString()));
        analysis("canary analysis on " + String.join(", ", names), canary);
      }
      for (JsonNode a : d.path("analyses")) {
        analysis("switch".equals(a.path("kind").asString()) ? "analysis of the idle slot on "
            + a.path("target").asString() + " before its switch" : "verification analysis", a);
      }
    }

    /** An analysis's start and outcome, its rounds, and the measurements of its metrics. */
    private void analysis(String title, JsonNode analysis) {
      out().println();
      out().println(title + ", started " + output().time(analysis.path("startedAt"))
          + (analysis.path("outcome").isNull() || analysis.path("outcome").isMissingNode()
          ? " (running)" : ": " + analysis.path("outcome").asString()));
      List<List<String>> rounds = new ArrayList<>();
      for (JsonNode r : analysis.path("rounds")) {
        rounds.add(List.of(String.valueOf(r.path("round").asInt()), output().time(r.path("startedAt")),
            r.path("passed").asInt() + "/" + r.path("total").asInt(),
            r.path("passedSoFar").asInt() + "/" + r.path("totalSoFar").asInt()
                + (r.path("ratio").isNumber() ? String.format(java.util.Locale.ROOT, " = %.2f",
                r.path("ratio").asDouble()) : ""), r.path("results").asString("")));
      }
      if (!rounds.isEmpty()) {
        output().table(List.of("ROUND", "AT", "PASSED", "SO FAR", "RESULTS"), rounds);
      }
      List<List<String>> measurements = new ArrayList<>();
      for (JsonNode r : analysis.path("rounds")) {
        for (JsonNode m : r.path("measurements")) {
          measurements.add(List.of(String.valueOf(r.path("round").asInt()), m.path("metric").asString(""),
              m.path("verdict").asString("").toLowerCase(java.util.Locale.ROOT)
                  + ("INCONCLUSIVE".equals(m.path("verdict").asString(""))
                  ? (m.path("countedPassed").asBoolean() ? ", counted passed" : ", counted failed") : ""),
              m.path("answer").asString(""), m.path("query").asString(""), m.path("reason").asString("")));
        }
      }
      if (!measurements.isEmpty()) {
        out().println();
        output().table(List.of("ROUND", "METRIC", "VERDICT", "ANSWER", "QUERY AS SENT", "WHY"), measurements);
      }
    }
  }

  @Command(name = "logs", description = "Print a deployment's record: transitions, waits, steps; -f follows it.",
      footer = ExitCode.FOOTER)
  static final class Logs extends ApiCommand {

    @Parameters(paramLabel = "ID", description = "a deployment number")
    long id;

    @Option(names = {"-f", "--follow"}, description = "keep printing until the deployment ends")
    boolean follow;

    @Override
    void run() {
      if (follow) {
        follow(this, id);
        return;
      }
      JsonNode events = api().get("/deployments/" + id + "/events");
      if (output().json()) {
        output().printJson(events);
        return;
      }
      Output output = output();
      events.forEach(e -> out().println(line(output, e)));
    }
  }

  @Command(name = "history", description = "Deployments, newest first, by environment and component.",
      footer = ExitCode.FOOTER)
  static final class History extends ApiCommand {

    @Option(names = "--environment", paramLabel = "ENV")
    String environment;

    @Option(names = "--component", paramLabel = "SERVICE/COMPONENT")
    String component;

    @Option(names = "--state", paramLabel = "STATE")
    String state;

    @Override
    void run() {
      Map<String, String> query = new LinkedHashMap<>();
      if (environment != null) {
        query.put("environment", environment);
      }
      if (component != null) {
        ComponentRef ref = ComponentRef.parse(component, false);
        query.put("service", ref.service());
        query.put("component", ref.component());
      }
      if (state != null) {
        query.put("state", state);
      }
      list(this, query);
    }
  }

  @Command(name = "cancel", description = "Cancel a deployment that has not started executing.",
      footer = ExitCode.FOOTER)
  static final class Cancel extends ApiCommand {

    @Parameters(paramLabel = "ID", description = "a deployment number")
    long id;

    @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "why (recorded)")
    String reason;

    @Override
    void run() {
      ObjectNode body = ApiClient.JSON.createObjectNode().put("reason", reason);
      JsonNode d = api().post("/deployments/" + id + "/cancel", body);
      if (output().json()) {
        output().printJson(d);
      } else {
        out().println("deployment #" + id + " cancelled");
      }
    }
  }

  @Command(name = "abort", description = "Abort a deployment that is executing or verifying: the steps running on "
      + "its targets are stopped and the stage's failure policy runs (ask counts as stop).", footer = ExitCode.FOOTER)
  static final class Abort extends ApiCommand {

    @Parameters(paramLabel = "ID", description = "a deployment number")
    long id;

    @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "why (recorded)")
    String reason;

    @Override
    void run() {
      ObjectNode body = ApiClient.JSON.createObjectNode().put("reason", reason);
      JsonNode d = api().post("/deployments/" + id + "/abort", body);
      if (output().json()) {
        output().printJson(d);
      } else {
        out().println("deployment #" + id + " is being aborted; follow it with gantry logs " + id + " -f");
      }
    }
  }

  /** A person's decision on a step a deployment waits for: which deployment, target and step. */
  abstract static class StepDecision extends ApiCommand {

    @Parameters(index = "0", paramLabel = "ID", description = "a deployment number")
    long id;

    @Option(names = "--target", required = true, paramLabel = "TARGET")
    String target;

    @Option(names = "--step", required = true, paramLabel = "STEP")
    String step;
  }

  @Command(name = "signoff", description = "Sign off a manual step a deployment waits for; tick every checklist "
      + "item with --check. With --reject, say the work cannot be done or what the step checks does not hold (e.g. "
      + "the service does not work): the step fails and the stage's failure policy runs.", footer = ExitCode.FOOTER)
  static final class Signoff extends StepDecision {

    @Option(names = "--reject", description = "reject the step instead of signing it off (no --check)")
    boolean reject;

    @Option(names = "--check", paramLabel = "ITEM", description = "a ticked checklist item (repeat for each)")
    List<String> checked = new ArrayList<>();

    @Option(names = "--note", required = true, paramLabel = "TEXT", description = "what was done (recorded)")
    String note;

    @Option(names = "--evidence", paramLabel = "FILE", description = "a file to attach as evidence before signing "
        + "off (repeat for each)")
    List<java.nio.file.Path> evidence = new ArrayList<>();

    @Override
    void run() {
      if (reject && !checked.isEmpty()) {
        throw usage("--check ticks items of a sign-off; a rejection ticks none (say in --note what does not hold)");
      }
      List<java.nio.file.Path> files = evidence.stream().map(root().cli.cwd::resolve).toList();
      for (int i = 0; i < files.size(); i++) {
        if (!java.nio.file.Files.isRegularFile(files.get(i))) {
          throw new CliException(ExitCode.USAGE, "evidence file " + evidence.get(i) + " does not exist or is not a file");
        }
      }
      for (java.nio.file.Path file : files) {
        Multipart body = new Multipart().text("target", "text/plain", target).text("step", "text/plain", step)
            .file("file", file.getFileName().toString(), file);
        JsonNode attached = api().send("POST", "/deployments/" + id + "/evidence", body.contentType(), body.body());
        if (!output().json()) {
          out().println("attached " + attached.path("fileName").asString() + " (" + attached.path("size").asLong()
              + " bytes, " + attached.path("digest").asString() + ")");
        }
      }
      decide(this, id, target, step, reject ? "reject" : "signoff", note, checked);
    }
  }

  @Command(name = "approve", description = "Approve (or with --reject, reject) an approval step a deployment "
      + "waits for.", footer = ExitCode.FOOTER)
  static final class Approve extends StepDecision {

    @Option(names = "--reject", description = "reject instead of approving")
    boolean reject;

    @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "why (recorded)")
    String reason;

    @Override
    void run() {
      decide(this, id, target, step, reject ? "reject" : "approve", reason, List.of());
    }
  }

  @Command(name = "decide", description = "Decide on a target that failed under the 'ask' failure policy: retry "
      + "it, skip it, or abort the deployment.", footer = ExitCode.FOOTER)
  static final class Decide extends ApiCommand {

    @Parameters(index = "0", paramLabel = "ID", description = "a deployment number")
    long id;

    @Parameters(index = "1", paramLabel = "retry|skip|abort")
    String decision;

    @Option(names = "--target", required = true, paramLabel = "TARGET", description = "the failed target")
    String target;

    @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "why (recorded)")
    String reason;

    @Override
    void run() {
      if (!List.of("retry", "skip", "abort").contains(decision)) {
        throw usage("decide takes retry, skip or abort, not " + decision);
      }
      decide(this, id, target, null, decision, reason, List.of());
    }
  }

  private static void decide(ApiCommand command, long id, String target, String step, String decision, String note,
      List<String> checklist) {
    ObjectNode body = ApiClient.JSON.createObjectNode().put("target", target).put("decision", decision)
        .put("note", note);
    if (step != null) {
      body.put("step", step);
    }
    var items = body.putArray("checklist");
    checklist.forEach(items::add);
    JsonNode d = command.api().post("/deployments/" + id + "/decisions", body);
    if (command.output().json()) {
      command.output().printJson(d);
    } else if (step == null) {
      command.out().println("deployment #" + id + ": " + decision + " " + target + " recorded");
    } else {
      command.out().println("deployment #" + id + ": step " + step + " on " + target + " " + switch (decision) {
        case "signoff" -> "signed off";
        case "approve" -> "approved";
        default -> "rejected";
      });
    }
  }

  private static void list(ApiCommand command, Map<String, String> query) {
    print(command, command.api().getAll("/deployments", query));
  }

  private static void print(ApiCommand command, List<JsonNode> items) {
    if (command.output().json()) {
      command.output().printJson(ApiClient.JSON.valueToTree(items));
      return;
    }
    List<List<String>> rows = new ArrayList<>();
    for (JsonNode d : items) {
      rows.add(List.of("#" + d.path("id").asLong(), d.path("kind").asString("deploy"),
          d.path("component").asString() + "@" + d.path("version").asString(), d.path("environment").asString(),
          d.path("state").asString(), d.path("requestedBy").asString(), d.path("requestedAt").asString(),
          d.path("finishedAt").asString("-")));
    }
    command.output().table(List.of("ID", "KIND", "VERSION", "ENVIRONMENT", "STATE", "BY", "REQUESTED", "FINISHED"),
        rows);
  }

  /** How often following a deployment's stream connects again after the connection dropped, at most. */
  static final int RECONNECTS = 5;

  /**
   * Prints the record as it grows until the deployment ends; fails the command unless it succeeded. Reads the
   * record's stream, connecting again after the last entry printed when it drops; asks the record every half
   * second instead when the server has no stream (an older one).
   */
  static void follow(ApiCommand command, long id) {
    Output output = command.output();
    long[] after = {0};
    JsonNode[] end = {null};
    int failures = 0;
    while (true) {
      boolean[] heard = {false};
      try {
        boolean streamed = command.api().stream("/deployments/" + id + "/events/stream",
            Map.of("after", String.valueOf(after[0])), after[0] == 0 ? null : String.valueOf(after[0]), event -> {
              heard[0] = true;
              if (event.comment()) {
                return;
              }
              JsonNode data = ApiClient.JSON.readTree(event.data());
              if (event.name().equals("end")) {
                end[0] = data;
              } else {
                command.out().println(line(output, data));
                command.out().flush();
                after[0] = data.path("id").asLong();
              }
            });
        if (!streamed) {
          poll(command, id, after[0]);
          return;
        }
        if (end[0] != null) {
          ended(command, id, end[0].path("state").asString(), end[0].path("outcome").asString(""));
          return;
        }
        // the stream ended without its end (its time was up, or the server stopped): go on from the last entry
        failures = heard[0] ? 0 : failures + 1;
      } catch (java.io.IOException e) {
        failures = heard[0] ? 1 : failures + 1;
        if (failures > RECONNECTS) {
          throw new CliException(ExitCode.UNREACHABLE, "lost the connection to " + command.api().server()
              + " while following deployment #" + id + " (" + e.getMessage() + ")",
              List.of("The deployment goes on; follow it again with ./gantry logs " + id + " -f"));
        }
      }
      if (failures > RECONNECTS) {
        throw new CliException(ExitCode.UNEXPECTED, "the server ended the stream of deployment #" + id
            + " again and again without sending anything", List.of("Follow it with ./gantry logs " + id + " -f"));
      }
      if (failures > 0 && !pause(100L << (failures - 1))) {
        return;
      }
    }
  }

  /** Follows by asking for the record and the deployment every half second, from entry {@code after} on. */
  private static void poll(ApiCommand command, long id, long after) {
    Output output = command.output();
    while (true) {
      JsonNode events = command.api().get("/deployments/" + id + "/events", Map.of("after", String.valueOf(after)));
      for (JsonNode e : events) {
        command.out().println(line(output, e));
        after = e.path("id").asLong();
      }
      command.out().flush();
      JsonNode d = command.api().get("/deployments/" + id);
      String state = d.path("state").asString();
      if (FINAL.contains(state)) {
        JsonNode rest = command.api().get("/deployments/" + id + "/events", Map.of("after", String.valueOf(after)));
        rest.forEach(e -> command.out().println(line(output, e)));
        ended(command, id, state, d.path("outcome").asString(""));
        return;
      }
      if (!pause(500)) {
        return;
      }
    }
  }

  /** Says how the deployment ended; fails the command unless it succeeded. */
  private static void ended(ApiCommand command, long id, String state, String outcome) {
    command.out().println("deployment #" + id + " " + state.toLowerCase().replace('_', ' ')
        + " (./gantry status " + id + " shows each target)");
    if (!state.equals("SUCCEEDED")) {
      throw new CliException(ExitCode.DEPLOYMENT_FAILED, "deployment #" + id + " ended " + state + ": " + outcome);
    }
  }

  /** Waits; answers false when interrupted. */
  private static boolean pause(long millis) {
    try {
      Thread.sleep(millis);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** One entry of a deployment's record: when (in the form of every table), where, and what. */
  static String line(Output output, JsonNode e) {
    String time = output.time(e.path("at"));
    String where = e.path("target").isNull() || e.path("target").asString("").isEmpty() ? ""
        : " [" + e.path("target").asString() + "]";
    String what = switch (e.path("kind").asString()) {
      case "TRANSITION" -> e.path("to").asString() + ": " + e.path("message").asString();
      case "WAIT" -> "WAIT: " + e.path("message").asString();
      case "INTERRUPTION" -> "INTERRUPTED: " + e.path("message").asString();
      default -> e.path("message").asString();
    };
    return time + where + " " + what;
  }
}
