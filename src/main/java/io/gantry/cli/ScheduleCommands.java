package io.gantry.cli;

import static io.gantry.cli.Output.Column.of;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
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
import tools.jackson.databind.node.ObjectNode;

/** {@code freeze}, {@code schedule} and {@code queue}: the change schedule and the deployment backlog. */
final class ScheduleCommands {

  /** What {@code gantry schedule} covers when not told: from now, two weeks. */
  static final Duration DEFAULT_PERIOD = Duration.ofDays(14);
  /** The states of a deployment that has ended, whether or not it ever started. */
  static final java.util.Set<String> FINISHED = java.util.Set.of("SUCCEEDED", "FAILED", "ROLLED_BACK", "CANCELLED");

  private ScheduleCommands() {}

  /** The user's time zone: $TZ when it names one, else the system's. */
  static ZoneId userZone(Map<String, String> env) {
    String tz = env.get("TZ");
    if (tz != null && !tz.isBlank()) {
      try {
        return ZoneId.of(tz.startsWith(":") ? tz.substring(1) : tz);
      } catch (DateTimeException e) {
        // not a zone Java knows: the system's
      }
    }
    return ZoneId.systemDefault();
  }

  /**
   * A time given on the command line: ISO-8601 with an offset ({@code 2026-12-01T22:00:00Z}, {@code
   * 2026-12-01T22:00+01:00}), or a local date-time ({@code 2026-12-01T22:00}, also with a space) or a
   * date (its start) in the user's zone.
   */
  static Instant time(ApiCommand command, String option, String text, ZoneId zone) {
    String value = text.strip();
    try {
      return OffsetDateTime.parse(value).toInstant();
    } catch (DateTimeParseException e) {
      // local, below
    }
    try {
      return LocalDateTime.parse(value.replace(' ', 'T')).atZone(zone).toInstant();
    } catch (DateTimeParseException e) {
      // a date, below
    }
    try {
      return LocalDate.parse(value).atStartOfDay(zone).toInstant();
    } catch (DateTimeParseException e) {
      throw command.usage(option + " \"" + text + "\" is not a time: write ISO-8601 with an offset "
          + "(2026-12-01T22:00:00Z, 2026-12-01T22:00+01:00) or a local date-time or date in your time zone "
          + zone.getId() + " (2026-12-01T22:00, 2026-12-01)");
    }
  }

  @Command(name = "freeze", description = "Freeze periods: nothing is deployed within their scope but emergency "
      + "changes.", subcommands = {Add.class, ListFreezes.class, Remove.class}, footer = ExitCode.FOOTER)
  static final class Freeze implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      spec.commandLine().usage(((GantryCommand) spec.root().userObject()).cli.err);
      return ExitCode.USAGE;
    }
  }

  @Command(name = "add", description = "Declare a freeze: once (--from/--to times), every year (--every year, "
      + "--from/--to MM-DD, whole days) or every week (--every week, --days, --from/--to HH:MM).",
      footer = ExitCode.FOOTER)
  static final class Add extends ApiCommand {

    @Parameters(paramLabel = "NAME", description = "what the freeze is called (e.g. year-end)")
    String name;

    @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "why (shown to those held back)")
    String reason;

    @Option(names = "--environment", paramLabel = "ENV", description = "only this environment (default: all)")
    String environment;

    @Option(names = "--service", paramLabel = "SERVICE", description = "only this service (default: all)")
    String service;

    @Option(names = "--from", required = true, paramLabel = "WHEN",
        description = "start: a time (once), MM-DD (year) or HH:MM (week)")
    String from;

    @Option(names = "--to", required = true, paramLabel = "WHEN",
        description = "end: a time (once), MM-DD, included (year) or HH:MM (week)")
    String to;

    @Option(names = "--every", paramLabel = "year|week", description = "repeat every year or every week")
    String every;

    @Option(names = "--days", paramLabel = "DAYS", split = ",", description = "with --every week: mon,tue,...")
    List<String> days = new ArrayList<>();

    @Option(names = "--time-zone", paramLabel = "ZONE",
        description = "zone of the dates and times (default: yours, from $TZ or the system)")
    String timeZone;

    @Override
    void run() {
      ZoneId zone;
      try {
        zone = timeZone == null ? userZone(root().cli.env) : ZoneId.of(timeZone);
      } catch (DateTimeException e) {
        throw usage("--time-zone \"" + timeZone + "\" is not a time zone (use a name such as Europe/London)");
      }
      ObjectNode body = ApiClient.JSON.createObjectNode().put("name", name).put("reason", reason);
      if (environment != null) {
        body.put("environment", environment);
      }
      if (service != null) {
        body.put("service", service);
      }
      String recurrence = every == null ? "once" : switch (every.toLowerCase(Locale.ROOT)) {
        case "year", "yearly" -> "yearly";
        case "week", "weekly" -> "weekly";
        default -> throw usage("--every takes year or week, not " + every);
      };
      if (!recurrence.equals("weekly") && !days.isEmpty()) {
        throw usage("--days goes with --every week");
      }
      body.put("recurrence", recurrence);
      if (recurrence.equals("once")) {
        body.put("from", time(this, "--from", from, zone).toString()).put("to", time(this, "--to", to, zone).toString());
      } else {
        body.put("from", from).put("to", to).put("timeZone", zone.getId());
        var list = body.putArray("days");
        days.forEach(list::add);
      }
      JsonNode created = api().post("/freezes", body);
      if (output().json()) {
        output().printJson(created);
      } else {
        out().println("freeze #" + created.path("id").asLong() + " \"" + created.path("name").asString() + "\" ("
            + created.path("scope").asString() + "): " + created.path("schedule").asString());
      }
    }
  }

  @Command(name = "list", description = "Freezes in force (--all: removed ones too).", footer = ExitCode.FOOTER)
  static final class ListFreezes extends ApiCommand {

    @Option(names = "--all", description = "also removed freezes")
    boolean all;

    @Override
    void run() {
      JsonNode list = api().get("/freezes", all ? Map.of("all", "true") : Map.of());
      List<JsonNode> items = new ArrayList<>();
      list.forEach(items::add);
      output().list(items, List.of(of("ID", "id"), of("NAME", "name"), of("SCOPE", "scope"),
          of("WHEN", "schedule"), of("BY", "declaredBy"), of("REMOVED", "removedAt"), of("REASON", "reason")));
    }
  }

  @Command(name = "remove", description = "Remove a freeze, saying why (it stays in freeze list --all).",
      footer = ExitCode.FOOTER)
  static final class Remove extends ApiCommand {

    @Parameters(paramLabel = "ID", description = "the freeze's number")
    long id;

    @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "why (recorded)")
    String reason;

    @Override
    void run() {
      JsonNode removed = api().delete("/freezes/" + id + "?reason=" + ApiClient.segment(reason));
      if (output().json()) {
        output().printJson(removed);
      } else {
        out().println("freeze #" + id + " \"" + removed.path("name").asString() + "\" removed");
      }
    }
  }

  @Command(name = "schedule", description = "The forward schedule of change: deployments, windows, freezes and "
      + "conflicts (default: from now, 14 days); --ics prints it as iCalendar.", footer = ExitCode.FOOTER)
  static final class Schedule extends ApiCommand {

    @Option(names = "--from", paramLabel = "WHEN", description = "start (a time or a date; default now)")
    String from;

    @Option(names = "--to", paramLabel = "WHEN", description = "end (a time or a date; default 14 days after the start)")
    String to;

    @Option(names = "--ics", description = "print the iCalendar feed (deployments, windows, freezes, conflicts)")
    boolean ics;

    @Override
    void run() {
      ZoneId zone = userZone(root().cli.env);
      Instant start = from == null ? Instant.now() : time(this, "--from", from, zone);
      Instant end = to == null ? start.plus(DEFAULT_PERIOD) : time(this, "--to", to, zone);
      if (!end.isAfter(start)) {
        throw usage("--to (" + end + ") must come after --from (" + start + ")");
      }
      Map<String, String> query = new LinkedHashMap<>();
      query.put("from", start.toString());
      query.put("to", end.toString());
      if (ics) {
        out().print(api().getText("/schedule.ics", query, "text/calendar"));
        return;
      }
      JsonNode schedule = api().get("/schedule", query);
      if (output().json()) {
        output().printJson(schedule);
        return;
      }
      out().println("Schedule from " + output().time(schedule.path("from")) + " to "
          + output().time(schedule.path("to")));
      // a waiting deployment with no start could not be placed in the period: its conflicts say why
      section("Deployments", schedule.path("deployments"), List.of(new Output.Column("START",
              d -> d.path("start").isNull() && !FINISHED.contains(d.path("state").asString()) ? "unplaced"
                  : Output.text(d.path("start"))), of("END", "end"),
          new Output.Column("ID", d -> "#" + d.path("id").asLong()), new Output.Column("VERSION",
              d -> d.path("component").asString() + "@" + d.path("version").asString()), of("ENVIRONMENT", "environment"),
          of("STATE", "state"), new Output.Column("PLANNED", d -> d.path("planned").asBoolean() ? "yes" : "no")));
      section("Freezes", schedule.path("freezes"), List.of(of("START", "start"), of("END", "end"),
          new Output.Column("FREEZE", f -> "#" + f.path("freeze").asLong() + " " + f.path("name").asString()),
          of("SCOPE", "scope"), of("REASON", "reason")));
      section("Windows", schedule.path("windows"), List.of(of("START", "start"), of("END", "end"),
          of("ENVIRONMENT", "environment"), of("STAGE", "stage"), of("WINDOW", "window")));
      out().println();
      out().println("Conflicts:");
      if (schedule.path("conflicts").isEmpty()) {
        out().println("  none");
      }
      schedule.path("conflicts").forEach(c -> out().println("  #" + c.path("deployment").asLong() + " "
          + c.path("kind").asString() + ": " + c.path("message").asString()));
    }

    private void section(String title, JsonNode array, List<Output.Column> columns) {
      out().println();
      out().println(title + ":");
      if (array.isEmpty()) {
        out().println("  none");
        return;
      }
      List<JsonNode> items = new ArrayList<>();
      array.forEach(items::add);
      output().list(items, columns);
    }
  }

  @Command(name = "queue", description = "The deployment backlog: per environment and component, unfinished "
      + "deployments in the order they may run, with what each waits for.", footer = ExitCode.FOOTER)
  static final class Queue extends ApiCommand {

    @Option(names = "--environment", paramLabel = "ENV")
    String environment;

    @Option(names = "--component", paramLabel = "SERVICE/COMPONENT")
    String component;

    @Override
    void run() {
      Map<String, String> query = new LinkedHashMap<>();
      if (environment != null) {
        query.put("environment", environment);
      }
      if (component != null) {
        ComponentRef.parse(component, false);
        query.put("component", component);
      }
      JsonNode queues = api().get("/queue", query);
      if (output().json()) {
        output().printJson(queues);
        return;
      }
      if (queues.isEmpty()) {
        out().println("No deployment is waiting or running" + (environment == null ? "" : " in " + environment) + ".");
        return;
      }
      boolean first = true;
      for (JsonNode queue : queues) {
        if (!first) {
          out().println();
        }
        first = false;
        out().println(queue.path("component").asString() + " in " + queue.path("environment").asString() + ":");
        List<JsonNode> items = new ArrayList<>();
        queue.path("items").forEach(items::add);
        output().list(items, List.of(
            new Output.Column("POS", i -> i.path("position").isNull() ? "later" : String.valueOf(i.path("position")
                .asInt())),
            new Output.Column("ID", i -> "#" + i.path("id").asLong()), of("VERSION", "version"), of("STATE", "state"),
            of("PRIORITY", "priority"), of("AGE", "age"),
            new Output.Column("WAITING FOR", i -> i.path("waitingFor").isNull() ? "-"
                : i.path("waitingFor").asString() + ": " + i.path("what").asString())));
      }
    }
  }
}
