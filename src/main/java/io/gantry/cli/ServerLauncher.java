package io.gantry.cli;

/** Starts the Gantry server in this JVM with the given Spring arguments. */
interface ServerLauncher {

  void start(String[] springArgs);

  /** The real server: the only place the command line touches Spring. */
  static ServerLauncher spring() {
    return args -> org.springframework.boot.SpringApplication.run(io.gantry.GantryApplication.class, args);
  }
}
