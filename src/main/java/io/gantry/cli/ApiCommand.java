package io.gantry.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A command that talks to the server: the client, the output streams and the chosen format. */
abstract class ApiCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Override
  public final Integer call() {
    run();
    return ExitCode.OK;
  }

  abstract void run();

  GantryCommand root() {
    return (GantryCommand) spec.root().userObject();
  }

  ApiClient api() {
    return root().api();
  }

  Output output() {
    return new Output(out(), root().output, ScheduleCommands.userZone(root().cli.env));
  }

  PrintWriter out() {
    return root().cli.out;
  }

  PrintWriter err() {
    return root().cli.err;
  }

  CliException usage(String message) {
    return new CliException(ExitCode.USAGE, message + " (see '" + spec.qualifiedName() + " --help')");
  }
}
