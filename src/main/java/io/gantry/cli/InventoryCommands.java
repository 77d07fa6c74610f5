package io.gantry.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code undeploy} and {@code where}: taking a component out of an environment, and what runs where. */
final class InventoryCommands {

  private InventoryCommands() {}

  @Command(name = "undeploy", description = "Remove SERVICE/COMPONENT from an environment, as a deployment of its "
      + "own (the model's removeSteps run on every target that has it), and follow it until it ends.",
      footer = ExitCode.FOOTER)
  static final class Undeploy extends ApiCommand {

    @Parameters(paramLabel = "SERVICE/COMPONENT[@VERSION]", description = "the component; the version defaults to "
        + "the one that runs there")
    String ref;

    @Option(names = "--from", required = true, paramLabel = "ENVIRONMENT", description = "the environment")
    String environment;

    @Option(names = "--model", paramLabel = "MODEL", description = "the deployment model (default: the one that applies)")
    String model;

    @Option(names = "--reason", paramLabel = "TEXT", description = "why (recorded)")
    String reason;

    @Option(names = "--detach", description = "do not follow it")
    boolean detach;

    @Override
    void run() {
      ComponentRef component = ComponentRef.parse(ref, false);
      ObjectNode body = ApiClient.JSON.createObjectNode();
      body.put("kind", "undeploy").put("component", component.service() + "/" + component.component())
          .put("environment", environment);
      if (component.version() != null) {
        body.put("version", component.version());
      }
      if (model != null) {
        body.put("model", model);
      }
      if (reason != null) {
        body.put("reason", reason);
      }
      JsonNode created = api().post("/deployments", body);
      long id = created.path("id").asLong();
      if (output().json()) {
        output().printJson(created);
        return;
      }
      out().println("deployment #" + id + ": undeploy " + created.path("component").asString() + "@"
          + created.path("version").asString() + " from " + environment);
      if (!detach) {
        DeployCommands.follow(this, id);
      }
    }
  }

  @Command(name = "where", description = "What runs where: for each environment and component, the version on each "
      + "target; with --target, the deployments that worked on one target.", footer = ExitCode.FOOTER)
  static final class Where extends ApiCommand {

    @Option(names = "--environment", paramLabel = "ENV", description = "only this environment")
    String environment;

    @Option(names = "--service", paramLabel = "SERVICE", description = "only this service")
    String service;

    @Option(names = "--target", paramLabel = "TARGET", description = "the history of one target instead")
    String target;

    @Override
    void run() {
      if (target != null) {
        JsonNode history = api().get("/inventory/targets/" + ApiClient.segment(target) + "/history");
        if (output().json()) {
          output().printJson(history);
          return;
        }
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode d : history) {
          JsonNode run = d.path("targets").path(0);
          rows.add(List.of("#" + d.path("id").asLong(), d.path("kind").asString(), d.path("component").asString() + "@"
              + d.path("version").asString(), d.path("state").asString(), run.path("state").asString("-"),
              d.path("finishedAt").asString("-")));
        }
        output().table(List.of("ID", "KIND", "VERSION", "DEPLOYMENT", "ON TARGET", "FINISHED"), rows);
        return;
      }
      Map<String, String> query = new LinkedHashMap<>();
      if (environment != null) {
        query.put("environment", environment);
      }
      if (service != null) {
        query.put("service", service);
      }
      JsonNode placements = api().get("/inventory", query);
      if (output().json()) {
        output().printJson(placements);
        return;
      }
      // one row per component, one column per environment: the versions there (and on how many targets)
      Map<String, Map<String, TreeMap<String, Integer>>> matrix = new TreeMap<>();
      TreeSet<String> environments = new TreeSet<>();
      for (JsonNode p : placements) {
        environments.add(p.path("environment").asString());
        matrix.computeIfAbsent(p.path("component").asString(), c -> new TreeMap<>())
            .computeIfAbsent(p.path("environment").asString(), e -> new TreeMap<>())
            .merge(p.path("version").asString(), 1, Integer::sum);
      }
      if (matrix.isEmpty()) {
        out().println("nothing is deployed" + (environment == null ? "" : " in " + environment));
        return;
      }
      List<String> headings = new ArrayList<>(List.of("COMPONENT"));
      environments.forEach(e -> headings.add(e.toUpperCase(java.util.Locale.ROOT)));
      List<List<String>> rows = new ArrayList<>();
      matrix.forEach((component, byEnvironment) -> {
        List<String> row = new ArrayList<>(List.of(component));
        for (String env : environments) {
          TreeMap<String, Integer> versions = byEnvironment.get(env);
          row.add(versions == null ? "-" : String.join(", ", versions.entrySet().stream()
              .map(v -> v.getKey() + " (" + v.getValue() + ")").toList()));
        }
        rows.add(row);
      });
      output().table(headings, rows);
    }
  }
}
