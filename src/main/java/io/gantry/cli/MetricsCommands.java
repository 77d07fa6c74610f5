package io.gantry.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code incident}, {@code rate}, {@code metrics} and {@code vsm}: incidents and ratings, the practice
 * KPIs and DORA measures of a period, and the value stream map.
 */
final class MetricsCommands {

  private MetricsCommands() {}

  enum Format { table, json, csv }

  @Command(name = "incident", description = "Report, resolve and list incidents, and mark the deployments that "
      + "remediated them.", subcommands = {Report.class, Resolve.class, ListIncidents.class, Remediation.class},
      footer = ExitCode.FOOTER)
  static final class Incident extends ApiCommand {
    @Override
    void run() {
      spec.commandLine().usage(err());
      throw new CliException(ExitCode.USAGE, "name a subcommand: report, resolve, list or remediation");
    }
  }

  @Command(name = "report", description = "Report an incident. Without --deployment it is linked by rule to the "
      + "latest successful deployment of the service into its (production) environment before detection.",
      footer = ExitCode.FOOTER)
  static final class Report extends ApiCommand {

    @Option(names = "--service", required = true, paramLabel = "SERVICE") String service;
    @Option(names = "--environment", required = true, paramLabel = "ENV") String environment;
    @Option(names = "--severity", required = true, paramLabel = "1-4|critical|high|medium|low") String severity;
    @Option(names = "--title", required = true, paramLabel = "TEXT") String title;
    @Option(names = "--detected", required = true, paramLabel = "TIME",
        description = "when it was detected (ISO-8601, e.g. 2026-03-02T15:00:00Z)") String detected;
    @Option(names = "--resolved", paramLabel = "TIME", description = "when it was resolved, if it is") String resolved;
    @Option(names = "--reference", paramLabel = "REF", description = "its reference elsewhere, e.g. INC-1234")
    String reference;
    @Option(names = "--deployment", paramLabel = "ID", description = "the deployment that caused it") Long deployment;

    @Override
    void run() {
      ObjectNode body = ApiClient.JSON.createObjectNode().put("service", service).put("environment", environment)
          .put("severity", severity).put("title", title).put("detectedAt", detected);
      if (resolved != null) {
        body.put("resolvedAt", resolved);
      }
      if (reference != null) {
        body.put("reference", reference);
      }
      if (deployment != null) {
        body.put("deployment", deployment);
      }
      JsonNode i = api().post("/incidents", body);
      if (output().json()) {
        output().printJson(i);
        return;
      }
      out().println("incident #" + i.path("id").asLong() + " recorded (" + i.path("severity").asString() + "), "
          + link(i));
    }
  }

  static String link(JsonNode i) {
    return switch (i.path("linkedBy").asString()) {
      case "explicit" -> "caused by deployment #" + i.path("deployment").asLong();
      case "rule" -> "linked by rule to deployment #" + i.path("deployment").asLong();
      default -> "not linked to any deployment";
    };
  }

  @Command(name = "resolve", description = "Resolve an incident (now, or --at TIME).", footer = ExitCode.FOOTER)
  static final class Resolve extends ApiCommand {

    @Parameters(paramLabel = "ID") long id;
    @Option(names = "--at", paramLabel = "TIME", description = "when it was resolved (default: now)") String at;

    @Override
    void run() {
      ObjectNode body = ApiClient.JSON.createObjectNode();
      if (at != null) {
        body.put("resolvedAt", at);
      }
      JsonNode i = api().post("/incidents/" + id + "/resolve", body);
      if (output().json()) {
        output().printJson(i);
      } else {
        out().println("incident #" + id + " resolved at " + output().time(i.path("resolvedAt")));
      }
    }
  }

  @Command(name = "remediation", description = "Mark a deployment as made to remediate an incident.",
      footer = ExitCode.FOOTER)
  static final class Remediation extends ApiCommand {

    @Parameters(paramLabel = "ID", description = "the incident") long id;
    @Option(names = "--deployment", required = true, paramLabel = "ID", description = "the fix deployment")
    long deployment;

    @Override
    void run() {
      JsonNode i = api().post("/incidents/" + id + "/remediation",
          ApiClient.JSON.createObjectNode().put("deployment", deployment));
      if (output().json()) {
        output().printJson(i);
      } else {
        out().println("incident #" + id + ": deployment #" + deployment + " marked as its remediation");
      }
    }
  }

  @Command(name = "list", description = "Incidents, latest detected first.", footer = ExitCode.FOOTER)
  static final class ListIncidents extends ApiCommand {

    @Option(names = "--service", paramLabel = "SERVICE") String service;
    @Option(names = "--environment", paramLabel = "ENV") String environment;
    @Option(names = "--open", description = "only unresolved ones") boolean open;

    @Override
    void run() {
      Map<String, String> query = new LinkedHashMap<>();
      if (service != null) {
        query.put("service", service);
      }
      if (environment != null) {
        query.put("environment", environment);
      }
      if (open) {
        query.put("open", "true");
      }
      output().list(api().getAll("/incidents", query), List.of(
          new Output.Column("ID", i -> "#" + i.path("id").asLong()), Output.Column.of("SERVICE", "service"),
          Output.Column.of("ENVIRONMENT", "environment"), Output.Column.of("SEVERITY", "severity"),
          Output.Column.of("DETECTED", "detectedAt"), Output.Column.of("RESOLVED", "resolvedAt"),
          new Output.Column("DEPLOYMENT", i -> i.path("deployment").isNull() ? "-"
              : "#" + i.path("deployment").asLong() + " (" + i.path("linkedBy").asString() + ")"),
          Output.Column.of("TITLE", "title")));
    }
  }

  @Command(name = "rate", description = "Rate a deployment you requested, once it has finished: lead time, "
      + "quality and optionally the rate of change, each 1 (poor) to 5 (excellent).", footer = ExitCode.FOOTER)
  static final class Rate extends ApiCommand {

    @Parameters(paramLabel = "ID", description = "a deployment number") long id;
    @Option(names = "--lead-time", required = true, paramLabel = "1-5") int leadTime;
    @Option(names = "--quality", required = true, paramLabel = "1-5") int quality;
    @Option(names = "--rate-of-change", paramLabel = "1-5",
        description = "optional: satisfaction with the rate of change (deployments come as often as needed)")
    Integer rateOfChange;
    @Option(names = "--comment", paramLabel = "TEXT") String comment;

    @Override
    void run() {
      ObjectNode body = ApiClient.JSON.createObjectNode().put("leadTime", leadTime).put("quality", quality);
      if (rateOfChange != null) {
        body.put("rateOfChange", rateOfChange);
      }
      if (comment != null) {
        body.put("comment", comment);
      }
      JsonNode r = api().post("/deployments/" + id + "/ratings", body);
      if (output().json()) {
        output().printJson(r);
      } else {
        out().println("deployment #" + id + " rated: lead time " + leadTime + "/5, quality " + quality + "/5"
            + (rateOfChange == null ? "" : ", rate of change " + rateOfChange + "/5"));
      }
    }
  }

  /** The period and filters every report takes. */
  abstract static class PeriodCommand extends ApiCommand {

    @Option(names = "--from", paramLabel = "DATE|TIME", description = "start of the period (2026-03-01 or an instant)")
    String from;
    @Option(names = "--to", paramLabel = "DATE|TIME", description = "end of the period (a date is included)")
    String to;
    @Option(names = "--service", paramLabel = "SERVICE") String service;
    @Option(names = "--environment", paramLabel = "ENV") String environment;
    @Option(names = "--model", paramLabel = "MODEL") String model;
    @Option(names = "--team", paramLabel = "TEAM", description = "the services a team (service owner) owns")
    String team;
    @Option(names = "--external", paramLabel = "include|exclude|only", description = "deployments done by other "
        + "tools and recorded in Gantry: counted (include, the default), left out, or the only ones counted")
    String external;
    @Option(names = "--format", paramLabel = "FORMAT", description = "table (default), json or csv") Format format;

    Format format() {
      return format != null ? format : root().output == GantryCommand.Format.json ? Format.json : Format.table;
    }

    Map<String, String> query() {
      if (from == null || to == null) {
        throw usage("a report needs a period: --from and --to (e.g. --from 2026-03-01 --to 2026-03-31)");
      }
      Map<String, String> query = new LinkedHashMap<>();
      query.put("from", from);
      query.put("to", to);
      put(query, "service", service);
      put(query, "environment", environment);
      put(query, "model", model);
      put(query, "team", team);
      put(query, "external", external);
      return query;
    }

    /** The server's CSV of a report, as it sent it. */
    String csv(String path, Map<String, String> query) {
      return api().getText(path, query, "text/csv");
    }

    private static void put(Map<String, String> query, String key, String value) {
      if (value != null) {
        query.put(key, value);
      }
    }
  }

  @Command(name = "metrics", description = "The practice KPIs and the DORA measures of the deployments that ended "
      + "in a period.", footer = ExitCode.FOOTER)
  static final class Metrics extends PeriodCommand {

    @Option(names = "--only", paramLabel = "kpis|dora", description = "one of the two reports") String only;
    @Option(names = "--tolerance", paramLabel = "MINUTES", description = "schedule adherence tolerance (default 15)")
    Long tolerance;

    @Override
    void run() {
      if (only != null && !List.of("kpis", "dora").contains(only)) {
        throw usage("--only takes kpis or dora, not " + only);
      }
      Map<String, String> query = query();
      Map<String, String> kpiQuery = new LinkedHashMap<>(query);
      if (tolerance != null) {
        kpiQuery.put("tolerance", tolerance.toString());
      }
      boolean kpis = only == null || only.equals("kpis");
      boolean dora = only == null || only.equals("dora");
      switch (format()) {
        case csv -> {
          String text = kpis ? csv("/metrics/kpis", kpiQuery) : "";
          if (dora) {
            String d = csv("/metrics/dora", query);
            text += kpis ? d.substring(d.indexOf('\n') + 1) : d; // one header for both
          }
          out().print(text);
        }
        case json -> {
          ObjectNode both = ApiClient.JSON.createObjectNode();
          if (kpis) {
            both.set("kpis", api().get("/metrics/kpis", kpiQuery));
          }
          if (dora) {
            both.set("dora", api().get("/metrics/dora", query));
          }
          output().printJson(only == null ? both : both.path(only));
        }
        case table -> {
          if (kpis) {
            printKpis(api().get("/metrics/kpis", kpiQuery));
          }
          if (dora) {
            if (kpis) {
              out().println();
            }
            printDora(api().get("/metrics/dora", query));
          }
        }
      }
    }

    private void printKpis(JsonNode r) {
      out().println("Practice KPIs, " + period(output(), r.path("period")));
      JsonNode d = r.path("deployments");
      JsonNode i = r.path("incidents");
      JsonNode s = r.path("scheduleAdherence");
      JsonNode b = r.path("backlog");
      JsonNode l = r.path("leadTime");
      JsonNode sat = r.path("satisfaction");
      JsonNode a = r.path("adoption");
      JsonNode f = r.path("auditFindings");
      List<List<String>> rows = new ArrayList<>();
      rows.add(List.of("deployments ended", d.path("ended").asString() + " (" + d.path("succeeded").asString()
          + " succeeded, " + d.path("cancelled").asString() + " cancelled)"));
      rows.add(List.of("successful deployments", percent(d.path("successPercent"))));
      rows.add(List.of("failures", d.path("failures").asString() + " (" + d.path("failed").asString() + " failed, "
          + d.path("rolledBack").asString() + " rolled back)"));
      rows.add(List.of("incidents related to deployments", i.path("relatedToDeployments").asString() + " of "
          + i.path("total").asString() + " (" + percent(i.path("relatedPercent")) + "), " + i.path("unresolved")
          .asString() + " unresolved"));
      rows.add(List.of("schedule adherence (" + s.path("toleranceMinutes").asString() + " min)",
          s.path("onTime").asString() + " of " + s.path("planned").asString() + " on time ("
              + percent(s.path("percent")) + ")"));
      rows.add(List.of("requested / completed", b.path("requested").asString() + " / " + b.path("completed")
          .asString() + " (" + number(b.path("requestedPerDay")) + " / " + number(b.path("completedPerDay"))
          + " a day)"));
      rows.add(List.of("queue now", b.path("queued").asString() + " unfinished, oldest "
          + duration(b.path("oldestQueuedAgeSeconds")) + ", median age " + duration(b.path("medianQueuedAgeSeconds"))));
      rows.add(List.of("lead time, request to success", "median " + duration(l.path("requestToSuccessMedianSeconds"))
          + ", mean " + duration(l.path("requestToSuccessMeanSeconds")) + " (" + l.path("succeeded").asString()
          + " deployments)"));
      rows.add(List.of("lead time, commit to production", "median "
          + duration(l.path("commitToProductionMedianSeconds")) + ", mean "
          + duration(l.path("commitToProductionMeanSeconds")) + " (" + l.path("withCommitTime").asString()
          + " with a commit time)"));
      rows.add(List.of("satisfaction (1-5)", "lead time " + number(sat.path("leadTimeAverage")) + ", quality "
          + number(sat.path("qualityAverage")) + " (" + sat.path("ratings").asString() + " ratings)"));
      rows.add(List.of("adoption of the agreed models", a.path("throughAgreedModel").asString() + " of "
          + a.path("deployments").asString() + " (" + percent(a.path("percent")) + ")"));
      rows.add(List.of("audit findings", f.path("available").asBoolean() ? f.path("count").asString()
          + (f.path("count").asLong() == 0 ? "" : " (" + Output.text(f.path("byKind")) + ")")
          : "no source of findings is wired in"));
      output().table(List.of("MEASURE", "VALUE"), rows);
      if (!sat.path("comments").isEmpty()) {
        out().println();
        out().println("Latest comments:");
        sat.path("comments").forEach(c -> out().println("  #" + c.path("deployment").asLong() + " "
            + c.path("by").asString() + ": " + c.path("comment").asString()));
      }
    }

    private void printDora(JsonNode r) {
      out().println("DORA measures of production deployments (" + Output.text(r.path("productionEnvironments"))
          + "), " + period(output(), r.path("period")));
      JsonNode f = r.path("deploymentFrequency");
      JsonNode l = r.path("changeLeadTime");
      JsonNode c = r.path("changeFailRate");
      JsonNode t = r.path("failedDeploymentRecoveryTime");
      JsonNode w = r.path("deploymentReworkRate");
      List<List<String>> rows = new ArrayList<>();
      rows.add(List.of("deployment frequency", number(f.path("perDay")) + " a day, " + number(f.path("perWeek"))
          + " a week (" + f.path("succeeded").asString() + ")", level(f)));
      rows.add(List.of("change lead time", "median " + duration(l.path("medianSeconds")) + " ("
          + l.path("withCommitTime").asString() + " of " + l.path("deployments").asString() + " from commit)", level(l)));
      rows.add(List.of("change fail rate", percent(c.path("percent")) + " (" + c.path("failed").asString() + " of "
          + r.path("deployments").asString() + ")", level(c)));
      rows.add(List.of("failed deployment recovery time", "median " + duration(t.path("medianSeconds")) + " ("
          + t.path("recovered").asString() + " recovered, " + t.path("unrecovered").asString() + " not yet)", level(t)));
      rows.add(List.of("deployment rework rate", percent(w.path("percent")) + " (" + w.path("rework").asString()
          + ")", level(w)));
      output().table(List.of("MEASURE", "VALUE", "LEVEL"), rows);
      out().println("Levels: " + r.path("thresholds").asString() + " (docs/metrics.md)");
    }
  }

  @Command(name = "vsm", description = "The value stream map of the deployments that ended in a period, or of one "
      + "deployment (--deployment): process and waiting time of each activity and kind of wait.",
      footer = ExitCode.FOOTER)
  static final class Vsm extends PeriodCommand {

    @Option(names = "--deployment", paramLabel = "ID", description = "one deployment's timeline") Long deployment;

    @Override
    void run() {
      if (deployment != null) {
        timeline();
        return;
      }
      Map<String, String> query = query();
      switch (format()) {
        case csv -> out().print(csv("/vsm", query));
        case json -> output().printJson(api().get("/vsm", query));
        case table -> {
          JsonNode map = api().get("/vsm", query);
          out().println("Value stream of " + map.path("deployments").asString() + " deployments, "
              + period(output(), map.path("period")));
          printFlow(map);
        }
      }
    }

    private void timeline() {
      String path = "/deployments/" + deployment + "/vsm";
      switch (format()) {
        case csv -> out().print(csv(path, Map.of()));
        case json -> output().printJson(api().get(path));
        case table -> {
          JsonNode t = api().get(path);
          out().println("Value stream of deployment #" + deployment + " (" + t.path("state").asString()
              + (t.path("finished").asBoolean() ? "" : ", under way") + ")");
          List<List<String>> rows = new ArrayList<>();
          for (JsonNode s : t.path("segments")) {
            rows.add(List.of(output().time(s.path("from")),
                output().time(s.path("to")) + (s.path("open").asBoolean() ? "+" : ""),
                s.path("activity").asString(), s.path("type").asString().equals("wait")
                    ? "wait: " + s.path("waitingFor").asString() : "process", duration(s.path("seconds")),
                s.path("what").asString("")));
          }
          output().table(List.of("FROM", "TO", "ACTIVITY", "TIME", "DURATION", "WHAT"), rows);
          if (!t.path("analysisRounds").isEmpty()) {
            out().println();
            List<List<String>> rounds = new ArrayList<>();
            for (JsonNode r : t.path("analysisRounds")) {
              List<String> measured = new ArrayList<>();
              r.path("measurements").forEach(m -> measured.add(m.path("metric").asString() + " "
                  + m.path("verdict").asString().toLowerCase(java.util.Locale.ROOT) + " " + m.path("answer").asString()));
              rounds.add(List.of(output().time(r.path("at")), r.path("analysis").asString()
                  + (r.path("target").isNull() ? "" : " " + r.path("target").asString()), r.path("round").asString(),
                  r.path("passed").asInt() + "/" + r.path("total").asInt(), String.join("; ", measured)));
            }
            output().table(List.of("AT", "ANALYSIS", "ROUND", "PASSED", "MEASUREMENTS"), rounds);
          }
          out().println();
          printFlow(t);
        }
      }
    }

    private void printFlow(JsonNode map) {
      List<List<String>> rows = new ArrayList<>();
      for (JsonNode a : map.path("activities")) {
        rows.add(List.of(a.path("activity").asString(), a.path("deployments").asString(),
            duration(a.path("processSeconds")), duration(a.path("processMedianSeconds")),
            duration(a.path("waitSeconds")), duration(a.path("waitMedianSeconds")),
            percent(a.path("flowEfficiencyPercent"))));
      }
      JsonNode totals = map.path("totals");
      rows.add(List.of("all", map.path("deployments").asString("1"), duration(totals.path("processSeconds")),
          duration(totals.path("processMedianSeconds")), duration(totals.path("waitSeconds")),
          duration(totals.path("waitMedianSeconds")), percent(totals.path("flowEfficiencyPercent"))));
      output().table(List.of("ACTIVITY", "DEPLOYMENTS", "PROCESS", "MEDIAN", "WAIT", "MEDIAN", "FLOW EFFICIENCY"),
          rows);
      if (!map.path("waits").isEmpty()) {
        out().println();
        List<List<String>> waits = new ArrayList<>();
        for (JsonNode w : map.path("waits")) {
          waits.add(List.of(w.path("kind").asString(), w.path("deployments").asString(),
              duration(w.path("seconds")), duration(w.path("medianSeconds")), percent(w.path("sharePercent"))));
        }
        output().table(List.of("WAITING FOR", "DEPLOYMENTS", "TOTAL", "MEDIAN", "SHARE"), waits);
      }
    }
  }

  static String period(Output output, JsonNode p) {
    return output.time(p.path("from")) + " to " + output.time(p.path("to"))
        + (p.path("partial").asBoolean() ? " (under way: " + number(p.path("elapsedDays")) + " days so far)" : "");
  }

  static String level(JsonNode measure) {
    return measure.path("level").isNull() || measure.path("level").isMissingNode() ? "-"
        : measure.path("level").asString().toLowerCase(Locale.ROOT);
  }

  static String percent(JsonNode value) {
    return value.isNumber() ? number(value) + " %" : "-";
  }

  static String number(JsonNode value) {
    if (!value.isNumber()) {
      return "-";
    }
    double d = value.asDouble();
    return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
  }

  /** Seconds as a short human duration: 2d 3h, 4h 10m, 5m 3s, 12s. */
  static String duration(JsonNode seconds) {
    return !seconds.isNumber() ? "-" : io.gantry.shared.Durations.shortText(seconds.asDouble());
  }
}
