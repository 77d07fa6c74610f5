package io.gantry.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Runs the real command line in this JVM with a chosen environment and captured output. */
final class CliRunner {

  record Result(int exitCode, String out, String err) {}

  final Map<String, String> env = new HashMap<>();
  final Path cwd;
  final Path home;
  final List<String[]> serverStarts = new ArrayList<>();

  CliRunner(Path dir) {
    this.cwd = dir.resolve("work");
    this.home = dir.resolve("home");
    cwd.toFile().mkdirs();
    home.toFile().mkdirs();
    // times print in the user's zone: the tests' user is in UTC unless a test says otherwise
    env.put("TZ", "UTC");
  }

  CliRunner server(String url) {
    env.put("GANTRY_SERVER", url);
    return this;
  }

  Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    Cli cli = new Cli(env, cwd, home, new PrintWriter(out, true), new PrintWriter(err, true), serverStarts::add);
    int exitCode = cli.execute(args);
    return new Result(exitCode, out.toString(), err.toString());
  }
}
