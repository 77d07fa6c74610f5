package io.gantry.cli;

import static io.gantry.cli.Output.Column.of;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code release}: named sets of component versions deployed as one. */
@Command(name = "release", description = "Releases: named sets of component versions deployed as one, in "
    + "dependency order, under one change and one failure policy.",
    subcommands = {ReleaseCommands.Create.class, ReleaseCommands.ListReleases.class, ReleaseCommands.Show.class,
        ReleaseCommands.Deploy.class, ReleaseCommands.Run.class, ReleaseCommands.Cancel.class},
    footer = ExitCode.FOOTER)
final class ReleaseCommands implements Callable<Integer> {

  private static final Set<String> ENDED = Set.of("succeeded", "failed", "rolled-back", "cancelled");

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(((GantryCommand) spec.root().userObject()).cli.err);
    return ExitCode.USAGE;
  }

  @Command(name = "create", description = "Record a release of the versions given (in any order; it keeps them in "
      + "dependency order). A release never changes.", footer = ExitCode.FOOTER)
  static final class Create extends ApiCommand {

    @Parameters(index = "0", paramLabel = "NAME", description = "e.g. shop-2026.11")
    String name;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "SERVICE/COMPONENT@VERSION",
        description = "the versions it holds, one per component")
    List<String> members = new ArrayList<>();

    @Option(names = "--description", paramLabel = "TEXT", description = "what the release brings")
    String description;

    @Override
    void run() {
      ObjectNode body = ApiClient.JSON.createObjectNode().put("name", name);
      if (description != null) {
        body.put("description", description);
      }
      var list = body.putArray("members");
      members.forEach(list::add);
      JsonNode created = api().post("/releases", body);
      if (output().json()) {
        output().printJson(created);
        return;
      }
      out().println("release " + name + " recorded, in dependency order:");
      created.path("members").forEach(m -> out().println("  " + (m.path("position").asInt() + 1) + ". "
          + m.path("component").asString() + "@" + m.path("version").asString()));
    }
  }

  @Command(name = "list", description = "Releases, newest first.", footer = ExitCode.FOOTER)
  static final class ListReleases extends ApiCommand {

    @Override
    void run() {
      List<JsonNode> items = new ArrayList<>();
      api().get("/releases").forEach(items::add);
      output().list(items, List.of(of("NAME", "name"), new Output.Column("MEMBERS", r -> {
        List<String> versions = new ArrayList<>();
        r.path("members").forEach(m -> versions.add(m.path("component").asString() + "@"
            + m.path("version").asString()));
        return String.join(", ", versions);
      }), of("BY", "createdBy"), of("CREATED", "createdAt")));
    }
  }

  @Command(name = "show", description = "A release: its versions and its runs into environments.",
      footer = ExitCode.FOOTER)
  static final class Show extends ApiCommand {

    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    void run() {
      JsonNode r = api().get("/releases/" + ApiClient.segment(name));
      if (output().json()) {
        output().printJson(r);
        return;
      }
      out().println("release " + r.path("name").asString() + " (recorded by " + r.path("createdBy").asString()
          + " at " + output().time(r.path("createdAt")) + ")");
      if (!r.path("description").isNull() && !r.path("description").asString("").isEmpty()) {
        out().println(r.path("description").asString());
      }
      r.path("members").forEach(m -> out().println("  " + (m.path("position").asInt() + 1) + ". "
          + m.path("component").asString() + "@" + m.path("version").asString()));
      out().println();
      if (r.path("runs").isEmpty()) {
        out().println("Not deployed yet (gantry release deploy " + name + " --to ENV).");
        return;
      }
      List<List<String>> rows = new ArrayList<>();
      r.path("runs").forEach(x -> rows.add(List.of("#" + x.path("id").asLong(), x.path("environment").asString(),
          x.path("state").asString(), x.path("requestedBy").asString(), x.path("requestedAt").asString(),
          x.path("endedAt").asString("-"))));
      output().table(List.of("RUN", "ENVIRONMENT", "STATE", "BY", "REQUESTED", "ENDED"), rows);
    }
  }

  @Command(name = "deploy", description = "Deploy a release into an environment: its members one at a time in "
      + "dependency order, followed until the run ends (--detach returns at once).", footer = ExitCode.FOOTER)
  static final class Deploy extends ApiCommand {

    @Parameters(paramLabel = "NAME")
    String name;

    @Option(names = "--to", required = true, paramLabel = "ENVIRONMENT", description = "the environment")
    String environment;

    @Option(names = "--reason", paramLabel = "TEXT", description = "why (recorded)")
    String reason;

    @Option(names = "--at", paramLabel = "TIME", description = "planned start of the first member: ISO-8601 with "
        + "offset, or local date-time in your time zone")
    String at;

    @Option(names = "--priority", paramLabel = "N", description = "-100..100: higher goes first in the queue")
    Integer priority;

    @Option(names = "--detach", description = "do not follow the run")
    boolean detach;

    @Override
    void run() {
      ObjectNode body = ApiClient.JSON.createObjectNode().put("environment", environment);
      if (reason != null) {
        body.put("reason", reason);
      }
      if (at != null) {
        body.put("at", ScheduleCommands.time(this, "--at", at, ScheduleCommands.userZone(root().cli.env)).toString());
      }
      if (priority != null) {
        body.put("priority", priority);
      }
      JsonNode run = api().post("/releases/" + ApiClient.segment(name) + "/runs", body);
      long id = run.path("id").asLong();
      if (output().json() && (detach || at != null)) {
        output().printJson(run);
        return;
      }
      out().println("release run #" + id + ": " + name + " to " + environment + ", " + run.path("members").size()
          + " member(s) in dependency order");
      if (detach || at != null) {
        run.path("members").forEach(m -> out().println("  #" + m.path("deployment").asLong() + " "
            + m.path("component").asString() + "@" + m.path("version").asString()));
        return;
      }
      follow(this, id);
    }
  }

  @Command(name = "run", description = "A release run: its members and rollbacks with their states, and its "
      + "history; -f follows it until it ends.", footer = ExitCode.FOOTER)
  static final class Run extends ApiCommand {

    @Parameters(paramLabel = "RUN", description = "a release run number")
    long id;

    @Option(names = {"-f", "--follow"}, description = "keep printing until the run ends")
    boolean follow;

    @Override
    void run() {
      if (follow) {
        follow(this, id);
        return;
      }
      JsonNode run = api().get("/release-runs/" + id);
      if (output().json()) {
        output().printJson(run);
        return;
      }
      out().println("release run #" + id + ": " + run.path("release").asString() + " to "
          + run.path("environment").asString() + ", " + run.path("state").asString());
      members(this, run);
      out().println();
      Output output = output();
      run.path("history").forEach(e -> out().println(output.time(e.path("at")) + " " + e.path("message").asString()));
    }
  }

  @Command(name = "cancel", description = "Cancel a release run: members not started are cancelled, those "
      + "deployed stay.", footer = ExitCode.FOOTER)
  static final class Cancel extends ApiCommand {

    @Parameters(paramLabel = "RUN", description = "a release run number")
    long id;

    @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "why (recorded)")
    String reason;

    @Override
    void run() {
      JsonNode run = api().post("/release-runs/" + id + "/cancel", ApiClient.JSON.createObjectNode()
          .put("reason", reason));
      if (output().json()) {
        output().printJson(run);
      } else {
        out().println("release run #" + id + " " + run.path("state").asString() + ": "
            + run.path("outcome").asString(run.path("cancelRequested").asString("")));
      }
    }
  }

  private static void members(ApiCommand command, JsonNode run) {
    List<List<String>> rows = new ArrayList<>();
    run.path("members").forEach(m -> rows.add(List.of(m.path("purpose").asString(),
        m.path("deployment").isNull() ? "-" : "#" + m.path("deployment").asLong(),
        m.path("component").isNull() ? "-" : m.path("component").asString() + "@" + m.path("version").asString(),
        m.path("state").isNull() ? "-" : m.path("state").asString(),
        m.path("note").isNull() ? m.path("outcome").asString("") : m.path("note").asString())));
    command.output().table(List.of("PURPOSE", "DEPLOYMENT", "VERSION", "STATE", "OUTCOME"), rows);
  }

  /**
   * Prints the run's history and each member's state as they change until the run ends; fails the
   * command unless it succeeded.
   */
  static void follow(ApiCommand command, long id) {
    int printed = 0;
    Map<Long, String> states = new HashMap<>();
    while (true) {
      JsonNode run = command.api().get("/release-runs/" + id);
      for (JsonNode m : run.path("members")) {
        if (m.path("deployment").isNull()) {
          continue;
        }
        long d = m.path("deployment").asLong();
        String state = m.path("state").asString();
        if (!state.equals(states.put(d, state))) {
          command.out().println("  #" + d + " " + m.path("component").asString() + "@" + m.path("version").asString()
              + (m.path("purpose").asString().equals("rollback") ? " (rollback)" : "") + ": " + state
              + (m.path("outcome").isNull() ? "" : " (" + m.path("outcome").asString() + ")"));
        }
      }
      JsonNode history = run.path("history");
      for (int i = printed; i < history.size(); i++) {
        command.out().println(command.output().time(history.get(i).path("at")) + " "
            + history.get(i).path("message").asString());
      }
      printed = history.size();
      command.out().flush();
      String state = run.path("state").asString();
      if (ENDED.contains(state)) {
        command.out().println("release run #" + id + " " + state + " (./gantry release run " + id
            + " shows each member)");
        if (!state.equals("succeeded")) {
          throw new CliException(ExitCode.DEPLOYMENT_FAILED, "release run #" + id + " ended " + state + ": "
              + run.path("outcome").asString(""));
        }
        return;
      }
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
