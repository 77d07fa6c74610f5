package io.gantry.cli;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "gantry", versionProvider = GantryCommand.Version.class,
    description = "Deployment management: plan and apply configuration, push versions to the library, "
        + "inspect what is stored, and run the server.",
    footer = ExitCode.FOOTER)
final class GantryCommand implements Callable<Integer> {

  enum Format { table, json }

  /**
   * The commands under {@code gantry}, in the order its help lists them. They are not declared in the
   * annotation: {@link Cli} adds only the one a command line names, as building picocli's model of every
   * command costs more than the rest of a client command.
   */
  static final List<Class<?>> COMMANDS = List.of(ServerCommands.Server.class, ServerCommands.Up.class, ConfigCommands.Plan.class,
        ConfigCommands.Apply.class, PushCommand.class, GetCommands.class, ModelCommands.class,
        VersionCommands.class, TokenCommands.class, UserCommands.class, DeployCommands.Deploy.class, DeployCommands.Status.class,
        DeployCommands.Logs.class, DeployCommands.History.class, DeployCommands.Cancel.class, ResumeCommand.class,
        DeployCommands.Abort.class, RecordCommand.class,
        DeployCommands.Signoff.class, DeployCommands.Approve.class, DeployCommands.Decide.class, ConfirmCommand.class,
        InventoryCommands.Undeploy.class, InventoryCommands.Where.class,
        ScheduleCommands.Freeze.class, ScheduleCommands.Schedule.class, ScheduleCommands.Queue.class,
        ChangeCommands.class, ReleaseCommands.class,
        MetricsCommands.Incident.class, MetricsCommands.Rate.class, MetricsCommands.Metrics.class,
        MetricsCommands.Vsm.class, TriggerCommands.class, AuditCommands.class, SecretCommands.class,
        LibraryCommands.class, NotifyCommands.class, EventCommands.Events.class, EventCommands.Deliveries.class,
        EventCommands.Subscriptions.class, ImprovementCommands.Review.class, ImprovementCommands.FollowUps.class,
        ImprovementCommands.Failures.class, ImprovementCommands.Initiatives.class, KpiCommands.class,
        SurveyCommands.class, NoticeCommands.class,
        AssessmentCommands.class, AgentCommands.Agent.class, AgentCommands.Agents.class);

  /** The root's long options that take a value as the next argument (-o is looked at on its own). */
  private static final Set<String> VALUED = Set.of("--server", "--token", "--output");

  /**
   * The commands the tree for these arguments needs: the one they name (by its name or an alias), none for
   * {@code gantry --version} alone, every command for the root's help or a word that is no command (whose
   * answers list or suggest them).
   */
  static List<Class<?>> needed(String... args) {
    if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
      return List.of();
    }
    Class<?> named = named(args);
    return named == null ? COMMANDS : List.of(named);
  }

  private static Class<?> named(String... args) {
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--")) {
        return null;
      }
      if (arg.startsWith("--")) {
        if (arg.equals("--help") || arg.equals("--version")) {
          return null;
        }
        i += VALUED.contains(arg) ? 1 : 0;
      } else if (arg.startsWith("-o")) {
        i += arg.equals("-o") ? 1 : 0;   // -o FORMAT, or -oFORMAT
      } else if (arg.startsWith("-") && arg.length() > 1) {
        if (arg.indexOf('h') > 0 || arg.indexOf('V') > 0) {
          return null;   // -h, -V, or either in a cluster of short options: the root's help or version
        }
      } else {
        return ByName.COMMANDS.get(arg);
      }
    }
    return null;
  }

  private static final class ByName {
    static final Map<String, Class<?>> COMMANDS = new HashMap<>();

    static {
      for (Class<?> command : GantryCommand.COMMANDS) {
        Command declared = command.getAnnotation(Command.class);
        COMMANDS.put(declared.name(), command);
        for (String alias : declared.aliases()) {
          COMMANDS.put(alias, command);
        }
      }
    }
  }

  @Option(names = {"-h", "--help"}, usageHelp = true, scope = ScopeType.INHERIT,
      description = "Show this help message and exit.")
  boolean help;

  @Option(names = {"-V", "--version"}, versionHelp = true, description = "Print version information and exit.")
  boolean version;

  @Option(names = "--server", scope = ScopeType.INHERIT, paramLabel = "URL",
      description = "Gantry server (default: $GANTRY_SERVER, then the config file, then http://127.0.0.1:8080)")
  String server;

  @Option(names = "--token", scope = ScopeType.INHERIT, paramLabel = "TOKEN",
      description = "API token (default: $GANTRY_TOKEN, then the config file, then ./data/admin.token)")
  String token;

  @Option(names = {"-o", "--output"}, scope = ScopeType.INHERIT, paramLabel = "FORMAT",
      description = "table (default) or json (the server's JSON, pretty)")
  Format output = Format.table;

  @Spec CommandSpec spec;

  final Cli cli;
  private ApiClient api;

  GantryCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    spec.commandLine().usage(cli.err);
    return ExitCode.USAGE;
  }

  ApiClient api() {
    if (api == null) {
      api = new ApiClient(Settings.resolve(server, token, cli.env, cli.home, cli.cwd));
    }
    return api;
  }

  static final class Version implements picocli.CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() throws java.io.IOException {
      java.util.Properties pom = new java.util.Properties();
      try (var in = GantryCommand.class.getResourceAsStream("/META-INF/maven/io.gantry/gantry/pom.properties")) {
        if (in != null) {
          pom.load(in);
        }
      }
      return new String[] {"gantry " + pom.getProperty("version", "(development build)")};
    }
  }
}
