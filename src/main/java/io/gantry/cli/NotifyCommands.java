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

/** {@code notify ...}: your own e-mail address and subscriptions to deployments. */
@Command(name = "notify", description = "Your notifications: the e-mail address they go to, and your subscriptions "
    + "to the deployments of a service and/or in an environment (your own only).",
    subcommands = {NotifyCommands.Email.class, NotifyCommands.Subscribe.class, NotifyCommands.ListSubscriptions.class,
        NotifyCommands.Unsubscribe.class},
    footer = ExitCode.FOOTER)
final class NotifyCommands implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(((GantryCommand) spec.root().userObject()).cli.err);
    return ExitCode.USAGE;
  }

  @Command(name = "email", description = "Show the e-mail address your notifications go to; with ADDRESS set it, "
      + "with --remove remove it.")
  static final class Email extends ApiCommand {

    @Parameters(paramLabel = "ADDRESS", arity = "0..1", description = "name@example.com")
    String address;

    @Option(names = "--remove", description = "remove your address: you receive no e-mail")
    boolean remove;

    @Override
    void run() {
      if (remove && address != null) {
        throw new CliException(ExitCode.USAGE, "give an ADDRESS or --remove, not both");
      }
      JsonNode answer;
      if (remove || address != null) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("email", remove ? null : address);
        answer = api().put("/me/email", body);
      } else {
        answer = api().get("/me/email");
      }
      String email = answer.path("email").isNull() || answer.path("email").isMissingNode() ? null
          : answer.path("email").asString();
      out().println(email == null ? "No e-mail address: you receive no notifications by e-mail"
          : "Your notifications go to " + email);
    }
  }

  @Command(name = "subscribe", description = "Be told by e-mail of deployments of a service and/or in an "
      + "environment, at the moments you name; only where you may read.")
  static final class Subscribe extends ApiCommand {

    @Option(names = "--service", paramLabel = "SERVICE")
    String service;

    @Option(names = "--environment", paramLabel = "ENV")
    String environment;

    @Option(names = "--on", required = true, split = ",", paramLabel = "MOMENT",
        description = "started, succeeded, failed, rolled-back, cancelled, waiting (comma-separated)")
    List<String> on = new ArrayList<>();

    @Option(names = "--channel", paramLabel = "CHANNEL", defaultValue = "email", description = "email (the default)")
    String channel;

    @Override
    void run() {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("service", service);
      body.put("environment", environment);
      body.put("on", on);
      body.put("channel", channel);
      JsonNode s = api().post("/me/subscriptions", body);
      out().println("Subscribed (#" + Output.text(s.path("id")) + ") to deployments"
          + (service == null ? "" : " of " + service) + (environment == null ? "" : " in " + environment) + " on "
          + String.join(",", on) + " by " + channel);
    }
  }

  @Command(name = "subscriptions", description = "Your subscriptions.")
  static final class ListSubscriptions extends ApiCommand {
    @Override
    void run() {
      List<JsonNode> items = new ArrayList<>();
      api().get("/me/subscriptions").forEach(items::add);
      output().list(items, List.of(of("ID", "id"), of("SERVICE", "service"), of("ENVIRONMENT", "environment"),
          new Output.Column("ON", s -> String.join(",", s.path("on").valueStream().map(JsonNode::asString).toList())),
          of("CHANNEL", "channel"), of("CREATED", "createdAt")));
    }
  }

  @Command(name = "unsubscribe", description = "Remove one of your subscriptions.")
  static final class Unsubscribe extends ApiCommand {

    @Parameters(paramLabel = "ID", description = "the subscription's number (gantry notify subscriptions)")
    long id;

    @Override
    void run() {
      api().delete("/me/subscriptions/" + id);
      out().println("Removed subscription #" + id);
    }
  }
}
