package io.gantry.cli;

import static io.gantry.cli.Output.Column.of;

import java.net.http.HttpRequest;
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

@Command(name = "user", description = "Users: list, create, update, disable, enable, enrol, history.",
    subcommands = {UserCommands.ListUsers.class, UserCommands.Create.class, UserCommands.Update.class,
        UserCommands.Disable.class, UserCommands.Enable.class, UserCommands.Enrol.class, UserCommands.History.class},
    footer = ExitCode.FOOTER)
final class UserCommands implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(((GantryCommand) spec.root().userObject()).cli.err);
    return ExitCode.USAGE;
  }

  @Command(name = "list", description = "Every user, with its roles and whether it is disabled.")
  static final class ListUsers extends ApiCommand {
    @Override
    void run() {
      output().list(api().getAll("/users", Map.of()), List.of(of("NAME", "name"), of("DISPLAY NAME", "displayName"),
          new Output.Column("ROLES", u -> String.join(",", u.path("roles").valueStream().map(JsonNode::asString)
              .toList())), of("DISABLED", "disabled"), of("CREATED", "createdAt"), of("BY", "createdBy")));
    }
  }

  @Command(name = "create", description = "Create a user (deployment managers only). Prints its single-use "
      + "enrolment code, with which the user creates its own token: gantry --token CODE token create")
  static final class Create extends ApiCommand {

    @Parameters(paramLabel = "NAME", description = "the user's name (lower-case letters, digits and '-')")
    String name;

    @Option(names = "--role", required = true, paramLabel = "ROLE", description = "a role it holds (repeat): "
        + "deployment-manager, deployment-practitioner, service-owner, technical-specialist, service-desk, "
        + "supplier, auditor")
    List<String> roles;

    @Option(names = "--display-name", paramLabel = "TEXT")
    String displayName;

    @Override
    void run() {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("name", name);
      body.put("roles", roles);
      if (displayName != null) {
        body.put("displayName", displayName);
      }
      JsonNode created = api().post("/users", body);
      if (output().json()) {
        output().printJson(created);
      } else {
        out().println(created.path("enrolment").path("code").asString(""));
      }
      printEnrolment(this, created.path("enrolment"), "Created user " + name + " ("
          + String.join(",", created.path("roles").valueStream().map(JsonNode::asString).toList()) + ").");
    }
  }

  @Command(name = "update", description = "Change a user's roles (deployment managers only).")
  static final class Update extends ApiCommand {

    @Parameters(paramLabel = "NAME")
    String name;

    @Option(names = "--role", required = true, paramLabel = "ROLE",
        description = "a role it is to hold (repeat); the roles given replace the user's roles")
    List<String> roles;

    @Override
    void run() {
      show(this, patch(this, name, Map.of("roles", roles)));
    }
  }

  @Command(name = "disable", description = "Disable a user: none of its tokens is accepted from now on "
      + "(deployment managers only).")
  static final class Disable extends ApiCommand {
    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    void run() {
      show(this, disabled(this, name, true));
    }
  }

  @Command(name = "enable", description = "Enable a disabled user again: its unexpired, unrevoked tokens are "
      + "accepted again (deployment managers only).")
  static final class Enable extends ApiCommand {
    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    void run() {
      show(this, disabled(this, name, false));
    }
  }

  @Command(name = "enrol", description = "A new single-use enrolment code for a user without a live token, e.g. "
      + "one whose tokens expired or were revoked (deployment managers only); a code not used yet is revoked.")
  static final class Enrol extends ApiCommand {
    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    void run() {
      JsonNode enrolment = api().post("/users/" + ApiClient.segment(name) + "/enrolment", Map.of());
      if (output().json()) {
        output().printJson(enrolment);
      } else {
        out().println(enrolment.path("code").asString(""));
      }
      printEnrolment(this, enrolment, "");
    }
  }

  @Command(name = "history", description = "Who created users, changed their roles, disabled or enabled them, "
      + "issued or revoked tokens, oldest first (deployment managers and auditors).")
  static final class History extends ApiCommand {
    @Parameters(paramLabel = "NAME", arity = "0..1", description = "only this user's history")
    String name;

    @Override
    void run() {
      Map<String, String> query = name == null ? Map.of() : Map.of("user", name);
      output().list(api().getAll("/identity-events", query), List.of(of("#", "id"), of("TIME", "at"),
          of("ACTOR", "actor"), of("WITH TOKEN", "actorToken"), of("ACTION", "action"), of("USER", "user"),
          of("TOKEN", "token"), of("DETAIL", "detail")));
    }
  }

  private static JsonNode disabled(ApiCommand command, String name, boolean disabled) {
    return patch(command, name, Map.of("disabled", disabled));
  }

  private static JsonNode patch(ApiCommand command, String name, Map<String, Object> body) {
    return command.api().send("PATCH", "/users/" + ApiClient.segment(name), "application/json",
        HttpRequest.BodyPublishers.ofString(ApiClient.JSON.writeValueAsString(body)));
  }

  private static void show(ApiCommand command, JsonNode user) {
    command.output().one(user);
  }

  /** The code goes to stdout alone (so it can be redirected), the rest to stderr. */
  private static void printEnrolment(ApiCommand command, JsonNode enrolment, String first) {
    if (!first.isEmpty()) {
      command.err().println(first);
    }
    command.err().println("Enrolment code " + Output.text(enrolment.path("id")) + " for "
        + Output.text(enrolment.path("user")) + ", usable once until "
        + command.output().time(enrolment.path("expiresAt"))
        + ". Give it to the user, who creates its own token with it:");
    command.err().println("  gantry --token CODE token create --name NAME");
    command.err().println("warning: the code is shown only this once.");
  }
}
