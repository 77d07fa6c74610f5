package io.gantry;

import io.gantry.cli.Cli;

/**
 * The {@code gantry} command. Only {@code gantry server} and {@code gantry up} start Spring; every
 * other command is a small HTTP client that starts in well under a second.
 */
public final class Gantry {

  private Gantry() {}

  public static void main(String[] args) {
    Cli cli = Cli.standard(springArgs -> org.springframework.boot.SpringApplication.run(GantryApplication.class,
        springArgs));
    int exitCode = cli.execute(args);
    if (!cli.serverStarted()) {
      System.exit(exitCode);
    }
  }
}
