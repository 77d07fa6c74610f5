package io.gantry.cli;

/** Starts the Gantry server in this JVM with the given Spring arguments. */
@FunctionalInterface
public interface ServerLauncher {

  void start(String[] springArgs);
}
