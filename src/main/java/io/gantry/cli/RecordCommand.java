package io.gantry.cli;

import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code record}: records a deployment another tool did, so it counts in the inventory, history and measures. */
@Command(name = "record", description = "Record a deployment another tool did (SERVICE/COMPONENT@VERSION into "
    + "--to ENV, from --started to --finished, with its --outcome). It appears in the history and the inventory "
    + "as external and counts in the measures (gantry metrics --external include|exclude|only).",
    footer = ExitCode.FOOTER)
final class RecordCommand extends ApiCommand {

  @Parameters(paramLabel = "SERVICE/COMPONENT@VERSION", description = "what was deployed")
  String ref;

  @Option(names = "--to", required = true, paramLabel = "ENV", description = "the environment it went to")
  String environment;

  @Option(names = "--started", required = true, paramLabel = "TIME", description = "when it started (ISO-8601)")
  String started;

  @Option(names = "--finished", required = true, paramLabel = "TIME", description = "when it ended (ISO-8601)")
  String finished;

  @Option(names = "--outcome", required = true, paramLabel = "succeeded|failed|rolled-back")
  String outcome;

  @Option(names = "--tool", required = true, paramLabel = "NAME", description = "the tool that did it, e.g. argo-cd")
  String tool;

  @Option(names = "--url", paramLabel = "URL", description = "the deployment's page in that tool")
  String url;

  @Option(names = "--reason", paramLabel = "TEXT", description = "why it was done (default: deployed by TOOL)")
  String reason;

  @Option(names = "--commit", paramLabel = "SHA@TIME", description = "a commit it brought and when it was made "
      + "(repeat for each commit since the previous deployment there), e.g. 3f2a9c1@2026-03-01T09:15:00Z")
  List<String> commits;

  @Override
  void run() {
    ComponentRef version = ComponentRef.parse(ref, true);
    ObjectNode body = ApiClient.JSON.createObjectNode()
        .put("component", version.service() + "/" + version.component()).put("version", version.version())
        .put("environment", environment).put("startedAt", started).put("finishedAt", finished)
        .put("outcome", outcome).put("tool", tool);
    if (url != null) {
      body.put("url", url);
    }
    if (reason != null) {
      body.put("reason", reason);
    }
    if (commits != null) {
      ArrayNode list = body.putArray("commits");
      for (String c : commits) {
        int at = c.indexOf('@');
        if (at <= 0 || at == c.length() - 1) {
          throw usage("--commit takes SHA@TIME (e.g. 3f2a9c1@2026-03-01T09:15:00Z), not \"" + c + "\"");
        }
        list.addObject().put("sha", c.substring(0, at)).put("committedAt", c.substring(at + 1));
      }
    }
    JsonNode d = api().post("/external-deployments", body);
    if (output().json()) {
      output().printJson(d);
      return;
    }
    out().println("deployment #" + d.path("id").asLong() + " recorded: " + d.path("component").asString() + "@"
        + d.path("version").asString() + " into " + d.path("environment").asString() + ", "
        + d.path("state").asString().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + " in "
        + d.path("tool").asString() + " (external, " + d.path("commits").size() + " commit(s))");
  }
}
