package io.gantry;

import io.gantry.cli.Cli;

/**
 * The {@code gantry} command. Only {@code gantry server} and {@code gantry up} start Spring; every
 * other command is a small HTTP client that starts in well under a second.
 */
public final class Gantry {

  private Gantry() {}

  public static void main(String[] args) throws java.io.IOException, InterruptedException {
    if (Boolean.getBoolean("gantry.cli.rehearsal")) {
      // the launcher's training run of the client's class data archive
      io.gantry.cli.Rehearsal.run();
      return;
    }
    if (Boolean.getBoolean("gantry.agent.rehearsal")) {
      // the launcher's training run of the agent's: its real path, one piece of work of each kind
      io.gantry.agent.AgentRehearsal.run();
      return;
    }
    Cli cli = Cli.standard(new ServerStart());
    int exitCode = cli.execute(args);
    // a started server goes on serving on its own threads; anything else ends here, with its code
    if (!cli.serverStarted() || exitCode != 0) {
      System.exit(exitCode);
    }
  }
}
