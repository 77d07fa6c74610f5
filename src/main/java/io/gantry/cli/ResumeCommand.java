package io.gantry.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code resume}: ends a rolling deployment's pause between batches, or a canary's pause, now. */
@Command(name = "resume", description = "End the pause between batches of a rolling deployment now "
    + "(the stage's pauseBetweenBatches), the next batch starting at once; or a canary's pause, its analysis "
    + "starting at once.", footer = ExitCode.FOOTER)
final class ResumeCommand extends ApiCommand {

  @Parameters(paramLabel = "ID", description = "a deployment number")
  long id;

  @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "why the pause ends early (recorded)")
  String reason;

  @Override
  void run() {
    ObjectNode body = ApiClient.JSON.createObjectNode().put("reason", reason);
    JsonNode decision = api().post("/deployments/" + id + "/resume", body);
    if (output().json()) {
      output().printJson(decision);
    } else {
      out().println("deployment #" + id + " resumed: its next batch starts now");
    }
  }
}
