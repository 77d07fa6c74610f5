package io.gantry.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code confirm}: meets (or with --reject, fails) the manual entry or exit criterion a deployment waits for. */
@Command(name = "confirm", description = "Confirm the manual entry or exit criterion a deployment waits for, as a "
    + "holder of the criterion's role; with --reject it is not met (an entry criterion fails the deployment, an "
    + "exit criterion runs the stage's failure policy).", footer = ExitCode.FOOTER)
final class ConfirmCommand extends ApiCommand {

  @Parameters(paramLabel = "ID", description = "a deployment number")
  long id;

  @Option(names = "--criterion", paramLabel = "NAME", description = "the criterion waited for, as the wait names it, "
      + "e.g. 'exitCriteria[0]'; refused when the deployment waits for another (default: the one it waits for)")
  String criterion;

  @Option(names = "--reject", description = "the criterion is not met")
  boolean reject;

  @Option(names = "--note", required = true, paramLabel = "TEXT", description = "what was confirmed, or why not "
      + "(recorded)")
  String note;

  @Override
  void run() {
    ObjectNode body = ApiClient.JSON.createObjectNode().put("decision", reject ? "reject" : "confirm")
        .put("note", note);
    if (criterion != null) {
      body.put("criterion", criterion);
    }
    JsonNode decision = api().post("/deployments/" + id + "/confirmations", body);
    if (output().json()) {
      output().printJson(decision);
    } else {
      out().println("deployment #" + id + ": " + decision.path("step").asString() + " "
          + (reject ? "rejected" : "confirmed"));
    }
  }
}
