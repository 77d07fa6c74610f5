package io.gantry.cli;

import static io.gantry.cli.Output.Column.of;

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

/** {@code events}, {@code deliveries} and {@code subscriptions}: what Gantry told other tools, and who is told. */
final class EventCommands {

  private EventCommands() {}

  @Command(name = "events", description = "The events Gantry wrote (CloudEvents carrying CDEvents), newest first, "
      + "with how many of their deliveries are delivered, pending and dead. Deployment managers and auditors.",
      subcommands = EventCommands.Show.class, footer = ExitCode.FOOTER)
  static final class Events extends ApiCommand {

    @Option(names = "--type", paramLabel = "PREFIX",
        description = "only events whose type starts with this (e.g. dev.cdevents.service.)")
    String type;

    @Option(names = "--deployment", paramLabel = "ID", description = "only the events about this deployment")
    Long deployment;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "50",
        description = "at most this many, 1 to 500 (default: ${DEFAULT-VALUE})")
    int limit;

    @Override
    void run() {
      Map<String, String> query = new LinkedHashMap<>();
      if (type != null) {
        query.put("type", type);
      }
      if (deployment != null) {
        query.put("deployment", deployment.toString());
      }
      query.put("limit", Integer.toString(limit));
      List<JsonNode> items = new ArrayList<>();
      api().get("/events", query).forEach(items::add);
      output().list(items, List.of(of("ID", "id"), of("TYPE", "type"), of("SUBJECT", "subject"),
          new Output.Column("DEPLOYMENT", e -> e.path("deployment").isNull() ? "-"
              : "#" + e.path("deployment").asLong()),
          of("TIME", "time"), of("DELIVERED", "delivered"), of("PENDING", "pending"), of("DEAD", "dead")));
    }
  }

  @Command(name = "show", description = "One event: its CDEvent, and every delivery of it with each attempt.",
      footer = ExitCode.FOOTER)
  static final class Show extends ApiCommand {

    @Parameters(paramLabel = "ID", description = "the event's id (a UUID, as gantry events lists it)")
    String id;

    @Override
    void run() {
      JsonNode e = api().get("/events/" + ApiClient.segment(id));
      Output output = output();
      if (output.json()) {
        output.printJson(e);
        return;
      }
      out().println("event " + e.path("id").asString() + ": " + e.path("type").asString());
      out().println("source " + e.path("source").asString() + ", subject " + Output.text(e.path("subject"))
          + ", at " + output.time(e.path("time"))
          + (e.path("deployment").isNull() ? "" : ", deployment #" + e.path("deployment").asLong()));
      out().println();
      out().println(ApiClient.pretty().writeValueAsString(e.path("cdevent")));
      out().println();
      if (e.path("deliveries").isEmpty()) {
        out().println("No deliveries: no destination wanted this event.");
        return;
      }
      for (JsonNode d : e.path("deliveries")) {
        out().println("delivery " + d.path("id").asLong() + " to " + d.path("channel").asString() + " "
            + d.path("destination").asString() + ": " + d.path("state").asString().toUpperCase(java.util.Locale.ROOT)
            + " after " + d.path("attempts").asInt() + " attempt(s)"
            + (d.path("nextAttemptAt").isNull() ? "" : ", next at " + output.time(d.path("nextAttemptAt"))));
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode a : d.path("attemptLog")) {
          rows.add(List.of("  " + a.path("attempt").asString(), a.path("at").asString(), a.path("millis").asLong() + "ms",
              a.path("ok").asBoolean() ? "ok" : "failed", Output.text(a.path("detail"))));
        }
        if (!rows.isEmpty()) {
          output.table(List.of("  ATTEMPT", "AT", "TOOK", "RESULT", "DETAIL"), rows);
        }
      }
    }
  }

  @Command(name = "deliveries", description = "Deliveries of events to their destinations, newest first: state, "
      + "attempts, the last error. Deployment managers and auditors.",
      subcommands = EventCommands.Retry.class, footer = ExitCode.FOOTER)
  static final class Deliveries extends ApiCommand {

    @Option(names = "--state", paramLabel = "STATE", description = "only pending, delivered or dead ones")
    String state;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "50",
        description = "at most this many, 1 to 500 (default: ${DEFAULT-VALUE})")
    int limit;

    @Override
    void run() {
      Map<String, String> query = new LinkedHashMap<>();
      if (state != null) {
        query.put("state", state);
      }
      query.put("limit", Integer.toString(limit));
      List<JsonNode> items = new ArrayList<>();
      api().get("/deliveries", query).forEach(items::add);
      output().list(items, List.of(of("ID", "id"), of("EVENT", "event"), of("TYPE", "type"),
          new Output.Column("TO", d -> d.path("channel").asString() + " " + d.path("destination").asString()),
          of("STATE", "state"), of("ATTEMPTS", "attempts"),
          new Output.Column("WHEN", d -> Output.text(d.path("deliveredAt").isNull() ? d.path("nextAttemptAt")
              : d.path("deliveredAt"))),
          of("LAST ERROR", "lastError")));
    }
  }

  @Command(name = "retry", description = "Queue a dead delivery again, with a fresh budget of attempts. Deployment "
      + "managers only.", footer = ExitCode.FOOTER)
  static final class Retry extends ApiCommand {

    @Parameters(paramLabel = "ID", description = "the delivery's number, as gantry deliveries lists it")
    long id;

    @Override
    void run() {
      JsonNode d = api().post("/deliveries/" + id + "/retry", Map.of());
      if (output().json()) {
        output().printJson(d);
        return;
      }
      out().println("delivery " + d.path("id").asLong() + " of event " + d.path("event").asString() + " to "
          + d.path("channel").asString() + " " + d.path("destination").asString() + " is queued again");
    }
  }

  @Command(name = "subscriptions", description = "Standing orders to send events to a receiver: an HTTP endpoint "
      + "(signed CloudEvents) or a RabbitMQ exchange.",
      subcommands = {EventCommands.ListSubscriptions.class, EventCommands.AddSubscription.class,
          EventCommands.RemoveSubscription.class},
      footer = ExitCode.FOOTER)
  static final class Subscriptions implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      spec.commandLine().usage(((GantryCommand) spec.root().userObject()).cli.err);
      return ExitCode.USAGE;
    }
  }

  @Command(name = "list", description = "The subscriptions. Deployment managers and auditors.",
      footer = ExitCode.FOOTER)
  static final class ListSubscriptions extends ApiCommand {
    @Override
    void run() {
      List<JsonNode> items = new ArrayList<>();
      api().get("/subscriptions").forEach(items::add);
      output().list(items, List.of(of("NAME", "name"), of("SINK", "sink"), of("ADDRESS", "address"),
          of("MODE", "mode"), of("EXCHANGE", "exchange"),
          new Output.Column("TYPES", s -> s.path("types").isEmpty() ? "*" : Output.text(s.path("types"))),
          of("SECRET", "secret"), of("BY", "createdBy"), of("CREATED", "createdAt")));
    }
  }

  @Command(name = "add", description = "Subscribe a receiver to events of some types; every event written from now "
      + "on that matches goes to it. Deployment managers only.", footer = ExitCode.FOOTER)
  static final class AddSubscription extends ApiCommand {

    @Option(names = "--name", required = true, paramLabel = "NAME", description = "the subscription's name")
    String name;

    @Option(names = "--sink", required = true, paramLabel = "SINK", description = "http or amqp")
    String sink;

    @Option(names = "--address", required = true, paramLabel = "URL",
        description = "http(s)://host/path for http; amqp(s)://host[:port][/vhost] for amqp")
    String address;

    @Option(names = "--mode", paramLabel = "MODE",
        description = "http only: structured (default; the CloudEvent as JSON) or binary (ce- headers)")
    String mode;

    @Option(names = "--types", paramLabel = "TYPE", split = ",",
        description = "CDEvents types or prefixes ending in * (e.g. dev.cdevents.service.*); default: every type")
    List<String> types;

    @Option(names = "--secret", paramLabel = "SECRET",
        description = "the secret (gantry secret set) that signs http deliveries (required for http), or holds "
            + "user:password for amqp")
    String secret;

    @Option(names = "--exchange", paramLabel = "EXCHANGE",
        description = "amqp only: the exchange to publish to (default: gantry.events)")
    String exchange;

    @Override
    void run() {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("name", name);
      body.put("sink", sink);
      body.put("address", address);
      body.put("mode", mode);
      body.put("types", types == null ? List.of() : types);
      body.put("secret", secret);
      body.put("exchange", exchange);
      JsonNode s = api().post("/subscriptions", body);
      if (output().json()) {
        output().printJson(s);
        return;
      }
      out().println("Subscribed " + s.path("name").asString() + ": " + (s.path("types").isEmpty()
          ? "every event goes" : "events of " + Output.text(s.path("types")) + " go") + " to "
          + s.path("sink").asString() + " "
          + s.path("address").asString() + ("amqp".equals(s.path("sink").asString())
              ? " (exchange " + s.path("exchange").asString() + ")" : " (" + s.path("mode").asString() + ")"));
    }
  }

  @Command(name = "remove", description = "Remove a subscription; deliveries already planned for it are still sent. "
      + "Deployment managers only.", footer = ExitCode.FOOTER)
  static final class RemoveSubscription extends ApiCommand {
    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    void run() {
      api().delete("/subscriptions/" + ApiClient.segment(name));
      out().println("Removed subscription " + name);
    }
  }
}
