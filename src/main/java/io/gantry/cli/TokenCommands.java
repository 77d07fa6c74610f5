package io.gantry.cli;

import static io.gantry.cli.Output.Column.of;

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

@Command(name = "token", description = "API tokens.",
    subcommands = {TokenCommands.Create.class, TokenCommands.ListTokens.class, TokenCommands.Revoke.class},
    footer = ExitCode.FOOTER)
final class TokenCommands implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(((GantryCommand) spec.root().userObject()).cli.err);
    return ExitCode.USAGE;
  }

  @Command(name = "create", description = "Create a token. It is printed this once and cannot be shown again.")
  static final class Create extends ApiCommand {

    @Option(names = "--name", paramLabel = "NAME", description = "what the token is for (default: gantry-cli)")
    String name = "gantry-cli";

    @Option(names = "--user", paramLabel = "USER", description = "for another user (deployment managers only)")
    String user;

    @Option(names = "--expires-in-days", paramLabel = "D", description = "lifetime in days (server default 90, max 730)")
    Integer expiresInDays;

    @Override
    void run() {
      ObjectNode request = ApiClient.JSON.createObjectNode();
      request.put("name", name);
      if (user != null) {
        request.put("user", user);
      }
      if (expiresInDays != null) {
        request.put("expiresInDays", expiresInDays);
      }
      JsonNode token = api().post("/tokens", request);
      Output output = output();
      if (output.json()) {
        output.printJson(token);
      } else {
        out().println(token.path("token").asString(""));
      }
      err().println("Created token " + Output.text(token.path("id")) + " \"" + Output.text(token.path("name"))
          + "\" for " + Output.text(token.path("user")) + ", expires " + output.time(token.path("expiresAt")) + ".");
      err().println("warning: the token is shown only this once; store it now (e.g. in a file named by tokenFile "
          + "in ~/.config/gantry/cli.yaml).");
    }
  }

  @Command(name = "list", description = "Your tokens (never their secret part).")
  static final class ListTokens extends ApiCommand {
    @Override
    void run() {
      output().list(api().getAll("/tokens", Map.of()), List.of(of("ID", "id"), of("NAME", "name"),
          of("USER", "user"), of("PREFIX", "prefix"), of("CREATED", "createdAt"), of("EXPIRES", "expiresAt"),
          of("REVOKED", "revokedAt"), of("LAST USED", "lastUsedAt")));
    }
  }

  @Command(name = "revoke", description = "Revoke a token at once.")
  static final class Revoke extends ApiCommand {

    @Parameters(paramLabel = "ID", description = "the token's number, as 'gantry token list' shows it")
    long id;

    @Override
    void run() {
      api().delete("/tokens/" + id);
      out().println("Revoked token " + id);
    }
  }
}
