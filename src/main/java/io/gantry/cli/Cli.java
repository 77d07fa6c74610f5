package io.gantry.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Runs one {@code gantry} command line. Everything the commands read from the outside (environment,
 * current and home directory, where output goes, how the server is started) comes in here, so tests
 * drive the real commands without a process.
 */
public final class Cli {

  final Map<String, String> env;
  final Path cwd;
  final Path home;
  final PrintWriter out;
  final PrintWriter err;
  final ServerLauncher launcher;
  private boolean serverStarted;

  Cli(Map<String, String> env, Path cwd, Path home, PrintWriter out, PrintWriter err, ServerLauncher launcher) {
    this.env = env;
    this.cwd = cwd;
    this.home = home;
    this.out = out;
    this.err = err;
    this.launcher = launcher;
  }

  /**
   * The command line of this process: real environment, standard streams, and the given way to start
   * the server (passed in, so the command line never depends on the server's classes).
   */
  public static Cli standard(ServerLauncher server) {
    return new Cli(System.getenv(), Path.of("").toAbsolutePath(), Path.of(System.getProperty("user.home")),
        new PrintWriter(System.out, true, StandardCharsets.UTF_8),
        new PrintWriter(System.err, true, StandardCharsets.UTF_8), server);
  }

  /** Runs the command and answers its exit code (see {@link ExitCode}). */
  public int execute(String... args) {
    CommandLine commandLine = commandLine(args);
    commandLine.setOut(out);
    commandLine.setErr(err);
    commandLine.setCaseInsensitiveEnumValuesAllowed(true);
    commandLine.setExecutionExceptionHandler(this::failed);
    commandLine.setParameterExceptionHandler(this::misused);
    commandLine.setExecutionStrategy(this::runKnownCommand);
    try {
      return commandLine.execute(args);
    } finally {
      out.flush();
      err.flush();
    }
  }

  /**
   * The command tree for these arguments: {@code gantry} with only the command they name under it, or with
   * every command when they name none (the root's help, a word that is no command: those answers list or
   * suggest the commands). Settings given to the tree afterwards reach every command in it.
   */
  CommandLine commandLine(String... args) {
    CommandLine root = new CommandLine(new GantryCommand(this));
    for (Class<?> command : GantryCommand.needed(args)) {
      root.addSubcommand(command);
    }
    return root;
  }

  /**
   * Whether the command started the server, which keeps running after {@link #execute} returns; not
   * when it failed to start.
   */
  public boolean serverStarted() {
    return serverStarted;
  }

  void startServer(String[] springArgs) {
    try {
      launcher.start(springArgs);
    } catch (ServerLauncher.NotStarted e) {
      throw new CliException(ExitCode.SERVER_NOT_STARTED, e.getMessage());
    }
    serverStarted = true;
  }

  private int failed(Exception e, CommandLine commandLine, ParseResult parseResult) {
    if (e instanceof CliException expected) {
      err.println("error: " + expected.getMessage());
      expected.details().forEach(err::println);
      return expected.exitCode();
    }
    if (e instanceof ParameterException usage) {
      return misused(usage, new String[0]);
    }
    if (e instanceof java.nio.file.InvalidPathException path) {
      // a file argument this system cannot name (a NUL character, say): the user's input, not a fault
      err.println("error: \"" + path.getInput().replaceAll("\\p{Cntrl}", "?") + "\" is not a file name: "
          + path.getReason());
      return ExitCode.INVALID_INPUT;
    }
    err.println("error: unexpected " + e.getClass().getSimpleName()
        + (e.getMessage() == null ? "" : ": " + e.getMessage()));
    if (env.containsKey("GANTRY_DEBUG")) {
      e.printStackTrace(err);
    } else {
      err.println("(set GANTRY_DEBUG=1 to see the stack trace)");
    }
    return ExitCode.UNEXPECTED;
  }

  /**
   * Runs the command, unless a word was left over where a subcommand was expected: picocli would
   * then show the help of the command above it (for {@code gantry nosuch --help}) as if all was well.
   */
  private int runKnownCommand(ParseResult parsed) {
    for (ParseResult level = parsed; level != null; level = level.subcommand()) {
      List<String> unmatched = level.unmatched();
      if (!unmatched.isEmpty() && unknownCommand(level.commandSpec().commandLine(), unmatched.getFirst())) {
        throw new UnmatchedArgumentException(level.commandSpec().commandLine(), unmatched);
      }
    }
    return new CommandLine.RunLast().execute(parsed);
  }

  private static boolean unknownCommand(CommandLine command, String word) {
    return !command.getSubcommands().isEmpty() && !word.startsWith("-");
  }

  /** The edit distance between two words, to suggest only commands that look like a typing slip. */
  private static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }

  private int misused(ParameterException e, String[] args) {
    CommandLine commandLine = e.getCommandLine();
    if (e instanceof UnmatchedArgumentException unmatched && !unmatched.getUnmatched().isEmpty()
        && unknownCommand(commandLine, unmatched.getUnmatched().getFirst())) {
      String name = commandLine.getCommandSpec().qualifiedName();
      String word = unmatched.getUnmatched().getFirst();
      List<String> similar = unmatched.getSuggestions().stream().filter(s -> distance(word, s) <= 2).toList();
      err.println("error: unknown command '" + word + "' for '" + name + "'"
          + (similar.isEmpty() ? "" : " (did you mean '" + similar.getFirst() + "'?)")
          + "; run '" + name + " --help' for the list of commands");
      return ExitCode.USAGE;
    }
    err.println("error: " + e.getMessage());
    UnmatchedArgumentException.printSuggestions(e, err);
    err.println("Run '" + commandLine.getCommandSpec().qualifiedName() + " --help' for usage.");
    return ExitCode.USAGE;
  }
}
