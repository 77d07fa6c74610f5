package io.gantry.config;

import io.gantry.model.Trigger;
import io.gantry.trigger.TriggerCron;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The checks of a model's {@code spec.triggers} that a schema cannot make: the stages they name, their
 * cron expressions and time zones, and loops of stage-succeeded triggers (a stage that, through a
 * chain of them, would start itself again).
 */
final class TriggerChecks {

  /** Where a problem is reported. */
  @FunctionalInterface
  interface Findings {
    void finding(ConfigDocument doc, String field, String message);
  }

  private TriggerChecks() {}

  static void check(ConfigDocument doc, List<Trigger> triggers, Set<String> stageNames, Findings findings) {
    for (int i = 0; i < triggers.size(); i++) {
      Trigger trigger = triggers.get(i);
      String at = "spec.triggers[" + i + "]";
      if (!stageNames.contains(trigger.stage())) {
        findings.finding(doc, at + ".stage", "stage \"" + trigger.stage() + "\" is not in this model");
      }
      if (trigger instanceof Trigger.StageSucceeded s && !stageNames.contains(s.after())) {
        findings.finding(doc, at + ".after", "stage \"" + s.after() + "\" is not in this model");
      }
      if (trigger instanceof Trigger.Schedule s) {
        TriggerCron.problem(s.cron()).ifPresent(p -> findings.finding(doc, at + ".cron", p));
        if (s.timeZone() != null) {
          try {
            ZoneId.of(s.timeZone());
          } catch (DateTimeException e) {
            findings.finding(doc, at + ".timeZone", "\"" + s.timeZone()
                + "\" is not a time zone (use a name such as Europe/London or UTC)");
          }
        }
      }
    }
    loops(doc, triggers, findings);
  }

  /**
   * Reports each loop of stage-succeeded triggers once, on the trigger that closes it, naming the
   * stages in order (dev -> test -> dev): the loop would deploy the same version round and round.
   */
  private static void loops(ConfigDocument doc, List<Trigger> triggers, Findings findings) {
    Map<String, List<Integer>> edges = new LinkedHashMap<>();
    for (int i = 0; i < triggers.size(); i++) {
      if (triggers.get(i) instanceof Trigger.StageSucceeded s) {
        edges.computeIfAbsent(s.after(), k -> new ArrayList<>()).add(i);
      }
    }
    Set<String> done = new HashSet<>();
    Set<Set<Integer>> reported = new HashSet<>();
    for (String start : edges.keySet()) {
      walk(start, new ArrayList<>(), new ArrayList<>(), edges, triggers, done, reported, doc, findings);
      done.add(start);
    }
  }

  private static void walk(String stage, List<String> path, List<Integer> via, Map<String, List<Integer>> edges,
      List<Trigger> triggers, Set<String> done, Set<Set<Integer>> reported, ConfigDocument doc, Findings findings) {
    int seen = path.indexOf(stage);
    if (seen >= 0) {
      List<Integer> loop = via.subList(seen, via.size());
      if (reported.add(Set.copyOf(loop))) {
        List<String> stages = new ArrayList<>(path.subList(seen, path.size()));
        stages.add(stage);
        findings.finding(doc, "spec.triggers[" + loop.getLast() + "].after", "stage-succeeded triggers form a loop: "
            + String.join(" -> ", stages) + " (each success would start the next, for ever); remove one of them");
      }
      return;
    }
    if (done.contains(stage)) {
      return;
    }
    path.add(stage);
    for (int i : edges.getOrDefault(stage, List.of())) {
      via.add(i);
      walk(triggers.get(i).stage(), path, via, edges, triggers, done, reported, doc, findings);
      via.removeLast();
    }
    path.removeLast();
  }
}
