package io.gantry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.testing.BadInputs;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Generated bad command lines for every command (unknown options, options without or with odd
 * values, stray and malformed arguments), run against a server that is not there: the command line
 * refuses each as a usage or input error naming what was wrong, or gets as far as the network and
 * says the server is unreachable, and never fails unexpectedly (exit code 1) or prints a stack trace.
 */
class CommandLineFuzzTest {

  static final int RUNS = 600;

  @TempDir Path dir;

  @Test
  void bad_command_lines_are_refused_naming_what_is_wrong_and_never_fail_unexpectedly() throws Exception {
    CliRunner gantry = new CliRunner(dir).server("http://127.0.0.1:9");
    List<CommandSpec> commands = new ArrayList<>();
    collect(new Cli(Map.of(), dir, dir, new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()),
        args -> { }).commandLine().getCommandSpec(), commands);
    // server and up start a server: their start is tested where a server may start
    commands.removeIf(c -> c.qualifiedName(" ").matches("gantry (server|up)( .*)?"));
    assertThat(commands).hasSizeGreaterThan(40);
    BadInputs bad = new BadInputs();
    List<String> problems = new ArrayList<>();

    for (int run = 0; run < RUNS; run++) {
      CommandSpec command = commands.get(run % commands.size());
      List<String> args = new ArrayList<>(List.of(command.qualifiedName(" ").split(" ")));
      args.removeFirst();
      args.addAll(badArguments(command, bad));
      CliRunner.Result result = gantry.run(args.toArray(String[]::new));
      String problem = problem(args, result);
      if (problem != null) {
        problems.add(problem);
      }
    }

    assertThat(problems).as("bad command lines answered wrongly (%s)", bad.replay()).isEmpty();
    try (var left = Files.list(dir.resolve("work"))) {
      assertThat(left).as("nothing written in the working directory (%s)", bad.replay()).isEmpty();
    }
  }

  private static String problem(List<String> args, CliRunner.Result result) {
    String shown = "gantry " + String.join(" ", args.stream().map(a -> a.length() > 40 ? a.substring(0, 40) + "..."
        : a).toList()).replaceAll("\\p{Cntrl}", "?") + " -> " + result.exitCode() + ": "
        + abbreviate(result.err());
    if (result.exitCode() == 1) {
      return "unexpected failure: " + shown;
    }
    if (result.err().contains("\tat ") || result.err().contains("Caused by") || result.err().contains("Exception in")) {
      return "a stack trace: " + shown;
    }
    if (result.exitCode() != 0 && result.err().isBlank()) {
      return "refused without a word: " + shown;
    }
    if (result.exitCode() == 2 && !namesSomething(args, result.err())) {
      return "a usage error that names nothing given: " + shown;
    }
    return null;
  }

  /** Whether a usage error names an option, a parameter, a command or one of the arguments given. */
  private static boolean namesSomething(List<String> args, String err) {
    if (err.contains("--") || err.contains("'") || err.contains("\"") || err.contains("<") || err.contains("Usage:")) {
      return true;
    }
    return args.stream().filter(a -> a.length() > 1).anyMatch(err::contains);
  }

  private static List<String> badArguments(CommandSpec command, BadInputs bad) {
    List<String> args = new ArrayList<>();
    List<OptionSpec> options = command.options().stream()
        .filter(o -> !o.usageHelp() && !o.versionHelp()).toList();
    for (int i = bad.between(1, 4); i > 0; i--) {
      switch (bad.random().nextInt(6)) {
        case 0 -> args.add("--" + bad.oneOf("nope", "to=", "", "-", "reason=\u0000", "output=xml"));
        case 1 -> {
          if (!options.isEmpty()) {
            OptionSpec option = bad.oneOf(options);
            args.add(option.longestName());
            if (bad.chance(0.8)) {
              args.add(word(bad));
            }
          }
        }
        case 2 -> args.add(bad.oneOf("shop/web", "shop/web@", "@1.0", "a/b/c@1", "shop/@1.0.0", "/web@1",
            "shop/web@1.0.0@2", "SHOP/WEB@x y"));
        case 3 -> args.add(bad.oneOf("-1", "0", "99999999999999999999", "1.5", "-", "--", "=", "-x"));
        case 4 -> args.add(bad.oneOf("--output", "-o") + "=" + bad.oneOf("xml", "", "table,json"));
        default -> args.add(word(bad));
      }
    }
    return args;
  }

  /** A word that is no file or directory: nothing here reads the disk it names. */
  private static String word(BadInputs bad) {
    String word = bad.text();
    if (word.isBlank() || word.startsWith("/") || word.startsWith(".") || word.startsWith("~")
        || word.contains("..")) {
      word = "no-such-" + word.replace("/", "_");
    }
    return word;
  }

  private static void collect(CommandSpec spec, List<CommandSpec> into) {
    into.add(spec);
    spec.subcommands().values().stream().map(CommandLine::getCommandSpec).distinct()
        .forEach(sub -> collect(sub, into));
  }

  private static String abbreviate(String s) {
    String printable = s.replaceAll("\\p{Cntrl}", "?");
    return printable.length() > 200 ? printable.substring(0, 200) + "..." : printable;
  }
}
