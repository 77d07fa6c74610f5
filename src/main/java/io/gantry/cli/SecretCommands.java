package io.gantry.cli;

import static io.gantry.cli.Output.Column.of;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

@Command(name = "secret", description = "Secrets that steps are given as ${secret:NAME}: set, list (never their "
    + "values), delete, rotate.",
    subcommands = {SecretCommands.Set.class, SecretCommands.ListSecrets.class, SecretCommands.Delete.class,
        SecretCommands.Rotate.class},
    footer = ExitCode.FOOTER)
final class SecretCommands implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(((GantryCommand) spec.root().userObject()).cli.err);
    return ExitCode.USAGE;
  }

  @Command(name = "set", description = "Set a secret's value, read from a file or an environment variable (never "
      + "from the command line, where other users of the host could see it). Deployment managers only.")
  static final class Set extends ApiCommand {

    @Parameters(paramLabel = "NAME", description = "the secret's name, as steps refer to it: ${secret:NAME}")
    String name;

    @ArgGroup(multiplicity = "1")
    Source source;

    static final class Source {
      @Option(names = "--from-file", paramLabel = "FILE",
          description = "the file's content (one trailing newline left out)", required = true)
      Path file;

      @Option(names = "--from-env", paramLabel = "VAR", description = "the value of this environment variable",
          required = true)
      String variable;
    }

    @Override
    void run() {
      String value;
      if (source.file != null) {
        try {
          value = Files.readString(root().cli.cwd.resolve(source.file), StandardCharsets.UTF_8);
        } catch (IOException e) {
          throw new CliException(ExitCode.USAGE, "cannot read " + source.file + ": " + e.getMessage());
        }
        value = value.endsWith("\r\n") ? value.substring(0, value.length() - 2)
            : value.endsWith("\n") ? value.substring(0, value.length() - 1) : value;
      } else {
        value = root().cli.env.get(source.variable);
        if (value == null) {
          throw new CliException(ExitCode.USAGE, "the environment variable " + source.variable + " is not set");
        }
      }
      JsonNode info = api().put("/secrets/" + ApiClient.segment(name), Map.of("value", value));
      out().println("Set secret " + Output.text(info.path("name")) + " (key " + Output.text(info.path("keyId"))
          + "); steps refer to it as ${secret:" + name + "}");
    }
  }

  @Command(name = "list", description = "The secrets: names, the key each is sealed with, who set them and when.")
  static final class ListSecrets extends ApiCommand {
    @Override
    void run() {
      JsonNode all = api().get("/secrets");
      List<JsonNode> items = new java.util.ArrayList<>();
      all.forEach(items::add);
      output().list(items, List.of(of("NAME", "name"), of("KEY", "keyId"), of("SET BY", "updatedBy"),
          of("SET", "updatedAt"), of("CREATED BY", "createdBy"), of("CREATED", "createdAt")));
    }
  }

  @Command(name = "delete", description = "Delete a secret; steps that refer to it fail until it is set again.")
  static final class Delete extends ApiCommand {
    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    void run() {
      api().delete("/secrets/" + ApiClient.segment(name));
      out().println("Deleted secret " + name);
    }
  }

  @Command(name = "rotate", description = "Seal every secret again with the server's current key (after a new "
      + "gantry.secrets.key-file, with the old one in gantry.secrets.previous-key-files).")
  static final class Rotate extends ApiCommand {
    @Override
    void run() {
      JsonNode answer = api().post("/secrets/rotate", Map.of());
      out().println("Sealed " + Output.text(answer.path("resealed")) + " secret(s) again with the current key");
    }
  }
}
