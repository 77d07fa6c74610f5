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

@Command(name = "token", description = "API tokens: create, list, revoke, remove-admin-file.",
    subcommands = {TokenCommands.Create.class, TokenCommands.ListTokens.class, TokenCommands.Revoke.class,
        TokenCommands.RemoveAdminFile.class},
    footer = ExitCode.FOOTER)
final class TokenCommands implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(((GantryCommand) spec.root().userObject()).cli.err);
    return ExitCode.USAGE;
  }

  @Command(name = "create", description = "Create a token of your own, made with the token in use (it lives no "
      + "longer than that one and is revoked with it) or with your enrolment code. It is printed this once and "
      + "cannot be shown again.")
  static final class Create extends ApiCommand {

    @Option(names = "--name", paramLabel = "NAME", description = "what the token is for (default: gantry-cli)")
    String name = "gantry-cli";

    @Option(names = "--expires-in-days", paramLabel = "D", description = "lifetime in days (default 90, at most the "
        + "server's gantry.tokens.max-days, 365 unless set, and never beyond the token in use)")
    Integer expiresInDays;

    @Override
    void run() {
      ObjectNode request = ApiClient.JSON.createObjectNode();
      request.put("name", name);
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
      if (token.path("adminTokenFileRemoved").asBoolean(false)) {
        err().println("warning: the server removed the first administrator's token file (data/admin.token): "
            + "use this token from now on.");
      }
    }
  }

  @Command(name = "list", description = "Your tokens and enrolment codes (never their secret part).")
  static final class ListTokens extends ApiCommand {

    @Option(names = "--user", paramLabel = "USER", description = "another user's (deployment managers only)")
    String user;

    @Override
    void run() {
      output().list(api().getAll("/tokens", user == null ? Map.of() : Map.of("user", user)), List.of(of("ID", "id"),
          of("NAME", "name"), of("USER", "user"), of("KIND", "kind"), of("PREFIX", "prefix"),
          of("CREATED", "createdAt"), of("EXPIRES", "expiresAt"), of("MADE WITH", "issuedByToken"),
          of("REVOKED", "revokedAt"), of("WHY", "revokedReason"), of("LAST USED", "lastUsedAt")));
    }
  }

  @Command(name = "revoke", description = "Revoke a token at once, and every token made with it.")
  static final class Revoke extends ApiCommand {

    @Parameters(paramLabel = "ID", description = "the token's number, as 'gantry token list' shows it")
    long id;

    @Override
    void run() {
      JsonNode answer = api().delete("/tokens/" + id);
      out().println("Revoked token " + id);
      for (JsonNode revoked : answer.path("revoked")) {
        if (revoked.path("id").asLong() != id) {
          out().println("Revoked token " + Output.text(revoked.path("id")) + " \"" + Output.text(revoked.path("name"))
              + "\": " + Output.text(revoked.path("revokedReason")));
        }
      }
    }
  }

  @Command(name = "remove-admin-file", description = "Remove the first administrator's token file "
      + "(<data-dir>/admin.token) from the server (its owner only). The token stays valid: revoke it with "
      + "'gantry token revoke' once you no longer use it (the tokens made with it go with it).")
  static final class RemoveAdminFile extends ApiCommand {
    @Override
    void run() {
      api().delete("/admin-token-file");
      out().println("Removed the first administrator's token file from the server.");
    }
  }
}
