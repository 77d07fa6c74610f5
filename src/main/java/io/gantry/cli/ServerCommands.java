package io.gantry.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code gantry server} and {@code gantry up}: the two commands that start Spring. */
final class ServerCommands {

  static final String EXAMPLE_CONFIG = "examples/config";
  static final String SAMPLE_APP = "examples/sample-app";

  private ServerCommands() {}

  /** Options both commands share, turned into Spring arguments. */
  static class ServerOptions {
    @Option(names = "--port", paramLabel = "N", description = "HTTP port (default: $GANTRY_PORT or 8080)")
    Integer port;

    @Option(names = "--data-dir", paramLabel = "DIR",
        description = "where the database, library and tokens live (default: $GANTRY_DATA_DIR or ./data)")
    String dataDir;

    @Parameters(paramLabel = "SPRING_ARG", arity = "0..*",
        description = "further Spring Boot arguments, after --, e.g. -- --logging.level.io.gantry=debug")
    List<String> springArgs = new ArrayList<>();

    String[] springArgs(String applyDir) {
      List<String> args = new ArrayList<>();
      if (port != null) {
        args.add("--server.port=" + port);
      }
      if (dataDir != null) {
        args.add("--gantry.data-dir=" + dataDir);
      }
      if (applyDir != null) {
        args.add("--gantry.apply-on-start=" + applyDir);
      }
      args.addAll(springArgs);
      return args.toArray(String[]::new);
    }
  }

  @Command(name = "server", description = "Run the Gantry server (REST API, library, scheduler) in the foreground.",
      footer = ExitCode.FOOTER)
  static final class Server extends ServerOptions implements Callable<Integer> {

    @ParentCommand GantryCommand root;

    @Option(names = "--apply", paramLabel = "DIR",
        description = "apply the configuration in DIR when the server has started")
    String apply;

    @Override
    public Integer call() {
      if (apply != null && !Files.exists(root.cli.cwd.resolve(apply))) {
        throw new CliException(ExitCode.INVALID_INPUT, "--apply " + apply + ": no such file or directory");
      }
      root.cli.startServer(springArgs(apply));
      return ExitCode.OK;
    }
  }

  @Command(name = "up", description = "Run the server with the example configuration applied ('gantry server --apply "
      + EXAMPLE_CONFIG + "'), then deploy the sample app in " + SAMPLE_APP + " through dev, test, staging "
      + "and production, one version failing its verification and rolled back; the run's CDEvents are written to "
      + "DATA_DIR/events.jsonl. Run it from the repository root.", footer = ExitCode.FOOTER)
  static final class Up extends ServerOptions implements Callable<Integer> {

    @ParentCommand GantryCommand root;

    @Override
    public Integer call() {
      Path config = root.cli.cwd.resolve(EXAMPLE_CONFIG);
      if (!Files.isDirectory(config)) {
        throw new CliException(ExitCode.INVALID_INPUT, "there is no " + EXAMPLE_CONFIG + " directory in "
            + root.cli.cwd, List.of("Run 'gantry up' from the Gantry repository root, or start the server "
            + "with your own configuration: gantry server --apply DIR"));
      }
      List<String> args = new ArrayList<>(List.of(springArgs(EXAMPLE_CONFIG)));
      if (Files.isDirectory(root.cli.cwd.resolve(SAMPLE_APP))) {
        args.add(0, "--gantry.sample-deployments=" + SAMPLE_APP);
      }
      if (springArgs.stream().noneMatch(a -> a.startsWith("--gantry.events.file="))) {
        // the run's CDEvents, one per line, beside its database
        args.add(0, "--gantry.events.file=${gantry.data-dir}/events.jsonl");
      }
      if (springArgs.stream().noneMatch(a -> a.startsWith("--gantry.analysis.prometheus.url="))) {
        // staging's canary is judged by metrics: a Prometheus of the run's own, started with the server
        Optional<Path> prometheus = program(root.cli.env, "prometheus");
        if (prometheus.isPresent()) {
          String listen = "127.0.0.1:" + prometheusPort();
          args.add(0, "--gantry.sample-prometheus.binary=" + prometheus.get());
          args.add(0, "--gantry.sample-prometheus.listen=" + listen);
          args.add(0, "--gantry.analysis.prometheus.url=http://" + listen);
        } else {
          root.cli.err.println("note: no prometheus program on this machine (Debian's package: prometheus), so "
              + "staging's canary runs without its metric analysis");
        }
      }
      root.cli.startServer(args.toArray(String[]::new));
      return ExitCode.OK;
    }

    /** The executable of that name on the PATH. */
    private static Optional<Path> program(java.util.Map<String, String> env, String name) {
      return java.util.Arrays.stream(env.getOrDefault("PATH", "").split(java.io.File.pathSeparator))
          .filter(dir -> !dir.isBlank()).map(dir -> Path.of(dir, name).toAbsolutePath())
          .filter(p -> Files.isRegularFile(p) && Files.isExecutable(p)).findFirst();
    }

    /** 19090 when it is free on the loopback address, else any free port. */
    private static int prometheusPort() {
      for (int port : new int[] {19090, 0}) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
          return s.getLocalPort();
        } catch (IOException e) {
          // taken: try the next
        }
      }
      throw new CliException(ExitCode.INVALID_INPUT, "no free port on 127.0.0.1 for the run's Prometheus");
    }
  }
}
