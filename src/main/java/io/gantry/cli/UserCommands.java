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

@Command(name = "user", description = "Users: list, create, update, disable, enable, enrol, bind, unbind, bindings, "
    + "history.",
    subcommands = {UserCommands.ListUsers.class, UserCommands.Create.class, UserCommands.Update.class,
        UserCommands.Disable.class, UserCommands.Enable.class, UserCommands.Enrol.class, UserCommands.Bind.class,
        UserCommands.Unbind.class, UserCommands.Bindings.class, UserCommands.History.class},
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
              .toList())), new Output.Column("GROUPS", u -> String.join(",", u.path("groups").valueStream()
              .map(JsonNode::asString).toList())), of("DISABLED", "disabled"), of("CREATED", "createdAt"), of("BY", "createdBy")));
    }
  }

  @Command(name = "create", description = "Create a user (deployment managers only). Prints its single-use "
      + "enrolment code, with which the user creates its own token: gantry --token CODE token create")
  static final class Create extends ApiCommand {

    @Parameters(paramLabel = "NAME", description = "the user's name (lower-case letters, digits and '-')")
    String name;

    @Option(names = "--role", paramLabel = "ROLE", description = "a role it holds everywhere (repeat): "
        + "deployment-manager, deployment-practitioner, service-owner, technical-specialist, service-desk, "
        + "supplier, auditor; none when it is to hold roles only where they are bound (gantry user bind)")
    List<String> roles = List.of();

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

  @Command(name = "update", description = "Change a user's roles held everywhere and/or its groups (deployment "
      + "managers only).")
  static final class Update extends ApiCommand {

    @Parameters(paramLabel = "NAME")
    String name;

    @Option(names = "--role", paramLabel = "ROLE",
        description = "a role it is to hold everywhere (repeat); the roles given replace the user's roles")
    List<String> roles;

    @Option(names = "--groups", paramLabel = "GROUP,...", split = ",",
        description = "the groups it is to belong to, replacing its groups (--groups= for none); a role bound to a "
            + "group is held by its members")
    List<String> groups;

    @Override
    void run() {
      if (roles == null && groups == null) {
        throw new CliException(ExitCode.USAGE, "give --role and/or --groups: there is nothing else to change");
      }
      Map<String, Object> body = new LinkedHashMap<>();
      if (roles != null) {
        body.put("roles", roles);
      }
      if (groups != null) {
        body.put("groups", groups.stream().filter(g -> !g.isBlank()).toList());
      }
      show(this, patch(this, name, body));
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

  @Command(name = "bind", description = "Bind a role to a user in a service, an environment, or a service in an "
      + "environment (deployment managers only): it reaches what is done and read there, and nothing else.")
  static final class Bind extends ApiCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "the user, or group:NAME for every member of a group")
    String name;

    @Parameters(index = "1", paramLabel = "ROLE", description = "the role, e.g. service-owner")
    String role;

    @Option(names = "--service", paramLabel = "SERVICE", description = "only in this service")
    String service;

    @Option(names = "--environment", paramLabel = "ENVIRONMENT", description = "only in this environment")
    String environment;

    @Override
    void run() {
      if (service == null && environment == null) {
        throw new CliException(ExitCode.USAGE, "give --service, --environment or both; a role held everywhere is "
            + "given with gantry user update " + name + " --role ...");
      }
      Map<String, Object> body = new LinkedHashMap<>();
      if (name.startsWith("group:")) {
        body.put("group", name.substring("group:".length()));
      } else {
        body.put("user", name);
      }
      body.put("role", role);
      if (service != null) {
        body.put("service", service);
      }
      if (environment != null) {
        body.put("environment", environment);
      }
      JsonNode bound = api().post("/role-bindings", body);
      if (output().json()) {
        output().printJson(bound);
      } else {
        out().println("Bound " + role + " to " + name + (service == null ? "" : " in service " + service)
            + (environment == null ? "" : " in environment " + environment) + " (binding "
            + Output.text(bound.path("id")) + ")");
      }
    }
  }

  @Command(name = "unbind", description = "Withdraw a role binding at once (deployment managers only).")
  static final class Unbind extends ApiCommand {
    @Parameters(paramLabel = "ID", description = "the binding, as gantry user bindings lists it")
    long id;

    @Override
    void run() {
      JsonNode b = api().delete("/role-bindings/" + id);
      out().println("Withdrew " + Output.text(b.path("role")) + " from " + Output.text(b.path("user")) + " (binding "
          + id + ")");
    }
  }

  @Command(name = "bindings", description = "The roles bound to users in a scope, all or one user's (deployment "
      + "managers and auditors).")
  static final class Bindings extends ApiCommand {
    @Parameters(paramLabel = "NAME", arity = "0..1", description = "only those that reach this user (its own and its "
        + "groups'), or group:NAME for a group's")
    String name;

    @Override
    void run() {
      JsonNode all = api().get("/role-bindings", name == null ? Map.of() : name.startsWith("group:")
          ? Map.of("group", name.substring("group:".length())) : Map.of("user", name));
      List<JsonNode> items = new java.util.ArrayList<>();
      all.forEach(items::add);
      output().list(items, List.of(of("#", "id"), new Output.Column("WHO", b -> b.path("group").isString()
          ? "group:" + b.path("group").asString() : b.path("user").asString()), of("ROLE", "role"), of("SERVICE", "service"),
          of("ENVIRONMENT", "environment"), of("BY", "createdBy"), of("CREATED", "createdAt")));
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
