package io.gantry.cli;

import static io.gantry.cli.ApiClient.segment;
import static io.gantry.cli.Output.Column.of;

import io.gantry.agent.AgentProcess;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code gantry agent} (the agent on a target host) and {@code gantry agents} (a deployment manager's). */
final class AgentCommands {

  private AgentCommands() {}

  @Command(name = "agent", description = "Run the agent on a target host Gantry cannot reach: with --server URL and "
      + "--token-file FILE (or $GANTRY_REGISTRATION_TOKEN) it registers (once), waits for a deployment manager's "
      + "approval, and says it is alive with the host's facts. Runs until stopped.", footer = ExitCode.FOOTER)
  static final class Agent implements Callable<Integer> {

    @Spec CommandSpec spec;

    // --server URL (the server's https:// address) is the option every command has; so is --token, which the
    // agent refuses: a registration token on the command line can be read by every user of the host

    /** The environment variable that may hold the registration token. */
    static final String TOKEN_VARIABLE = "GANTRY_REGISTRATION_TOKEN";

    @Option(names = "--token-file", paramLabel = "FILE", description = "a file readable by its owner only that "
        + "holds the registration token (gtr_...), needed until the agent holds its own credential (default: "
        + "$GANTRY_REGISTRATION_TOKEN)")
    Path tokenFile;

    @Option(names = "--name", paramLabel = "NAME", description = "the agent's name, never reused on the server "
        + "(default: this host's name)")
    String name;

    @Option(names = "--work-dir", paramLabel = "DIR", description = "where the agent keeps its credential "
        + "(agent.json, mode 0600) (default: gantry-agent in the current folder)")
    Path workDir = Path.of("gantry-agent");

    @Option(names = "--ca", paramLabel = "FILE", description = "PEM certificates to trust for the server instead of "
        + "the system's")
    Path ca;

    @Option(names = "--insecure-http", description = "allow a plain http:// server (loopback and tests only: the "
        + "credential travels unprotected)")
    boolean insecureHttp;

    @Option(names = "--heartbeat-seconds", paramLabel = "S", description = "how often the agent says it is alive "
        + "with the host's facts (default 10), left out when another request was answered meanwhile, at most five "
        + "times in a row; keep it well inside the server's gantry.agents.grace")
    int heartbeatSeconds = 10;

    @Override
    public Integer call() throws Exception {
      GantryCommand root = (GantryCommand) spec.root().userObject();
      String server = root.server;
      if (root.token != null) {
        throw new CliException(ExitCode.USAGE, "gantry agent takes no --token: a token on the command line can be "
            + "read by every user of this host (ps, /proc/PID/cmdline); give the registration token in a file only "
            + "the agent's user reads (--token-file FILE) or in the environment variable " + TOKEN_VARIABLE);
      }
      String token = registrationToken(root);
      if (server == null) {
        throw new CliException(ExitCode.USAGE, "gantry agent needs --server URL: the server's https:// address");
      }
      URI uri;
      try {
        uri = new URI(server);
      } catch (URISyntaxException e) {
        throw new CliException(ExitCode.USAGE, "--server " + server + " is not an address: " + e.getMessage());
      }
      if (heartbeatSeconds < 1 || heartbeatSeconds > 3600) {
        throw new CliException(ExitCode.USAGE, "--heartbeat-seconds is 1 to 3600, not " + heartbeatSeconds);
      }
      String agentName = name != null ? name
          : java.net.InetAddress.getLocalHost().getHostName().toLowerCase(java.util.Locale.ROOT);
      Path dir = root.cli.cwd.resolve(workDir).normalize();
      Path caFile = ca == null ? null : root.cli.cwd.resolve(ca).normalize();
      try {
        AgentProcess agent = new AgentProcess(new AgentProcess.Options(uri, token, agentName, dir, caFile,
            insecureHttp, Duration.ofSeconds(heartbeatSeconds)), root.cli.out);
        int ended = agent.run();
        return ended == AgentProcess.STOPPED ? ExitCode.OK : ExitCode.NOT_AUTHORIZED;
      } catch (AgentProcess.Unreachable e) {
        throw new CliException(ExitCode.UNREACHABLE, e.getMessage());
      } catch (AgentProcess.Refused e) {
        throw new CliException(ExitCode.USAGE, e.getMessage());
      }
    }

    /** The registration token from --token-file, else from the environment; null when neither gives one. */
    private String registrationToken(GantryCommand root) throws java.io.IOException {
      if (tokenFile == null) {
        String value = root.cli.env.get(TOKEN_VARIABLE);
        return value == null || value.isBlank() ? null : value.strip();
      }
      Path file = root.cli.cwd.resolve(tokenFile).normalize();
      if (!java.nio.file.Files.isRegularFile(file)) {
        throw new CliException(ExitCode.INVALID_INPUT, "--token-file " + file + " is not a file");
      }
      var mode = java.nio.file.Files.getPosixFilePermissions(file);
      if (mode.stream().anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
        throw new CliException(ExitCode.USAGE, "--token-file " + file + " may be read by others ("
            + java.nio.file.attribute.PosixFilePermissions.toString(mode) + "): chmod 600 it first");
      }
      String value = java.nio.file.Files.readString(file).strip();
      if (value.isEmpty()) {
        throw new CliException(ExitCode.INVALID_INPUT, "--token-file " + file + " is empty");
      }
      return value;
    }
  }

  @Command(name = "agents", description = "Pull agents: list, approve, revoke; registration tokens.",
      subcommands = {ListAgents.class, Approve.class, Revoke.class, Tokens.class}, footer = ExitCode.FOOTER)
  static final class Agents implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      spec.commandLine().usage(((GantryCommand) spec.root().userObject()).cli.err);
      return ExitCode.USAGE;
    }
  }

  @Command(name = "list", description = "The registered agents, their state, target and when last heard.")
  static final class ListAgents extends ApiCommand {
    @Override
    void run() {
      JsonNode agents = api().get("/agents");
      output().list(java.util.stream.StreamSupport.stream(agents.spliterator(), false).toList(), List.of(
          of("NAME", "name"), of("STATE", "state"), of("TARGET", "target"), new Output.Column("OS", item -> Output.text(item.path("facts").path("os.name"))),
          of("LAST HEARD", "lastHeardAt"), of("LOST", "lost"), of("FROM", "registeredFrom")));
    }
  }

  @Command(name = "approve", description = "Approve a pending agent and bind it to a target of kind agent.")
  static final class Approve extends ApiCommand {

    @Parameters(paramLabel = "NAME", description = "the agent's name") String name;

    @Option(names = "--target", required = true, paramLabel = "TARGET", description = "the target of kind agent it "
        + "works for") String target;

    @Override
    void run() {
      JsonNode agent = api().post("/agents/" + segment(name) + "/approve", Map.of("target", target));
      out().println("Approved agent " + Output.text(agent.path("name")) + " for target "
          + Output.text(agent.path("target")));
    }
  }

  @Command(name = "revoke", description = "Revoke an agent for good: the server refuses it from now on.")
  static final class Revoke extends ApiCommand {

    @Parameters(paramLabel = "NAME", description = "the agent's name") String name;

    @Override
    void run() {
      api().post("/agents/" + segment(name) + "/revoke", Map.of());
      out().println("Revoked agent " + name);
    }
  }

  @Command(name = "token", description = "Registration tokens for agents: create, list, revoke.",
      subcommands = {CreateToken.class, ListTokens.class, RevokeToken.class})
  static final class Tokens implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      spec.commandLine().usage(((GantryCommand) spec.root().userObject()).cli.err);
      return ExitCode.USAGE;
    }
  }

  @Command(name = "create", description = "Create a registration token; it is printed this once.")
  static final class CreateToken extends ApiCommand {

    @Option(names = "--name", required = true, paramLabel = "NAME", description = "what it is for") String name;

    @Option(names = "--uses", paramLabel = "N", description = "how many agents it registers (default 1)")
    int uses = 1;

    @Option(names = "--expires-in-hours", paramLabel = "H", description = "lifetime in hours (default 24, at most "
        + "720)") int expiresInHours = 24;

    @Override
    void run() {
      ObjectNode request = ApiClient.JSON.createObjectNode();
      request.put("name", name);
      request.put("uses", uses);
      request.put("expiresInHours", expiresInHours);
      JsonNode token = api().post("/agent-registration-tokens", request);
      if (output().json()) {
        output().printJson(token);
      } else {
        out().println(token.path("token").asString(""));
      }
      err().println("Created registration token " + Output.text(token.path("id")) + " \"" + Output.text(token.path(
          "name")) + "\" for " + Output.text(token.path("usesAllowed")) + " agent(s), expires "
          + output().time(token.path("expiresAt")) + ". It is shown only this once.");
    }
  }

  @Command(name = "list", description = "The registration tokens (never their secret).")
  static final class ListTokens extends ApiCommand {
    @Override
    void run() {
      JsonNode tokens = api().get("/agent-registration-tokens");
      output().list(java.util.stream.StreamSupport.stream(tokens.spliterator(), false).toList(), List.of(
          of("ID", "id"), of("NAME", "name"), of("PREFIX", "prefix"), of("USES", "uses"), of("OF", "usesAllowed"),
          of("EXPIRES", "expiresAt"), of("REVOKED", "revokedAt"), of("BY", "createdBy")));
    }
  }

  @Command(name = "revoke", description = "Revoke a registration token; agents registered with it stay.")
  static final class RevokeToken extends ApiCommand {

    @Parameters(paramLabel = "ID", description = "the token's number") long id;

    @Override
    void run() {
      api().delete("/agent-registration-tokens/" + id);
      out().println("Revoked registration token " + id);
    }
  }
}
