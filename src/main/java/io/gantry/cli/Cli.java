package io.gantry.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
    CommandLine commandLine = new CommandLine(new GantryCommand(this));
    commandLine.setOut(out);
    commandLine.setErr(err);
    commandLine.setCaseInsensitiveEnumValuesAllowed(true);
    commandLine.setExecutionExceptionHandler(this::failed);
    commandLine.setParameterExceptionHandler(this::misused);
    try {
      return commandLine.execute(args);
    } finally {
      out.flush();
      err.flush();
    }
  }

  /** Whether the command started the server, which keeps running after {@link #execute} returns. */
  public boolean serverStarted() {
    return serverStarted;
  }

  void startServer(String[] springArgs) {
    serverStarted = true;
    launcher.start(springArgs);
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
    err.println("error: unexpected " + e.getClass().getSimpleName()
        + (e.getMessage() == null ? "" : ": " + e.getMessage()));
    if (env.containsKey("GANTRY_DEBUG")) {
      e.printStackTrace(err);
    } else {
      err.println("(set GANTRY_DEBUG=1 to see the stack trace)");
    }
    return ExitCode.UNEXPECTED;
  }

  private int misused(ParameterException e, String[] args) {
    CommandLine commandLine = e.getCommandLine();
    err.println("error: " + e.getMessage());
    UnmatchedArgumentException.printSuggestions(e, err);
    err.println("Run '" + commandLine.getCommandSpec().qualifiedName() + " --help' for usage.");
    return ExitCode.USAGE;
  }
}
