package io.gantry.execution;

import io.gantry.catalog.Artifact;
import io.gantry.catalog.ComponentRef;
import io.gantry.catalog.ComponentVersion;
import io.gantry.catalog.Digest;
import io.gantry.catalog.Version;
import io.gantry.environment.LocalTargets;
import io.gantry.environment.Target;
import io.gantry.environment.TargetDefinition;
import io.gantry.environment.TargetKind;
import io.gantry.model.Step;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * One piece of work for an agent, as the JSON text the server queues and the agent reads: run a step, or make
 * a slot live. The agent does it with the very code that works on a local target ({@link TargetAccess#of} of a
 * local target), in its own folder for the target, and makes the component's folder ready first as for one.
 */
public final class AgentWork {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private AgentWork() {}

  static String run(String target, Step step, StepContext context) {
    ObjectNode work = context(target, "run", context);
    work.set("step", JSON.valueToTree(step));
    return work.toString();
  }

  static String switchTo(String target, StepContext context, Step.Shell command) {
    ObjectNode work = context(target, "switch", context);
    if (command != null) {
      work.set("step", JSON.valueToTree(command));
    }
    return work.toString();
  }

  private static ObjectNode context(String target, String action, StepContext context) {
    ObjectNode work = JSON.createObjectNode();
    work.put("action", action);
    work.put("target", target);
    work.put("component", context.version().component().toString());
    ObjectNode version = work.putObject("version");
    version.put("version", context.versionName());
    var artifacts = version.putArray("artifacts");
    for (Artifact a : context.version().artifacts()) {
      ObjectNode artifact = artifacts.addObject();
      artifact.put("path", a.path());
      artifact.put("digest", a.digest().value());
      if (a.size() != null) {
        artifact.put("size", a.size());
      }
    }
    if (context.slot() != null) {
      work.putObject("slot").put("name", context.slot().name()).put("port", context.slot().port());
    }
    work.set("variables", JSON.valueToTree(context.variables()));
    work.put("defaultTimeoutMillis", context.defaultTimeout().toMillis());
    return work;
  }

  /** The artifacts a piece of work may download: those of its version, in order. */
  public static List<Artifact> artifacts(String payload) {
    return artifacts(JSON.readTree(payload));
  }

  private static List<Artifact> artifacts(JsonNode work) {
    JsonNode version = work.path("version");
    List<Artifact> out = new ArrayList<>();
    for (JsonNode a : version.path("artifacts")) {
      out.add(new Artifact(a.path("path").asString(), Digest.parse(a.path("digest").asString()),
          a.has("size") ? a.path("size").asLong() : null, null));
    }
    return out;
  }

  private static final java.util.regex.Pattern SECRET = java.util.regex.Pattern.compile("\\$\\{secret:([^}]*)}");

  /**
   * The names of the secrets the work's step refers to ({@code ${secret:NAME}} in a shell step's environment or
   * a template step's variables, the only places a step may name one): the server sends their values with the
   * lease of the work, never in the work itself.
   */
  public static java.util.Set<String> secretNames(String payload) {
    JsonNode step = JSON.readTree(payload).path("step");
    java.util.Set<String> names = new java.util.LinkedHashSet<>();
    for (String field : List.of("environment", "variables")) {
      for (JsonNode value : step.path(field)) {
        var m = SECRET.matcher(value.asString(""));
        while (m.find()) {
          names.add(m.group(1));
        }
      }
    }
    return names;
  }

  /** The longest the work may take on the host: its step's timeout, else the context's default. */
  static Duration timeout(Step step, StepContext context) {
    return step != null && step.timeout() != null ? step.timeout().toDuration() : context.defaultTimeout();
  }

  /**
   * Does the work on this host, in {@code root/<target>} with the local target's code.
   *
   * @param root the agent's folder of targets
   * @param artifacts opens a verified artifact of the work's version
   */
  public static StepOutcome perform(String payload, Path root, StepRunner runner,
      Function<Artifact, InputStream> artifacts, Consumer<String> log) {
    JsonNode work = JSON.readTree(payload);
    String targetName = work.path("target").asString();
    Target target = new Target(0, new TargetDefinition(targetName, null, "agent", TargetKind.LOCAL,
        root.resolve(targetName).toString(), null, Map.of(), List.of(), Map.of()), 0, null, null);
    TargetAccess access = TargetAccess.of(target, new LocalTargets(root.resolveSibling("state"),
        root.toString()), runner);
    ComponentRef component = ComponentRef.parse(work.path("component").asString());
    String action = work.path("action").asString();
    if (action.equals("prepare")) { // queued by a server of an earlier version, which asked before the steps
      Preparation prepared = access.prepare(component, List::of);
      return prepared.ready() ? new StepOutcome.Succeeded(prepared.note() == null ? "prepared" : prepared.note())
          : new StepOutcome.Failed(prepared.problem());
    }
    // the folder is made ready before every piece that touches it: a folder swapped for a link in between is refused
    Preparation prepared = access.prepare(component, List::of);
    if (!prepared.ready()) {
      return new StepOutcome.Failed(prepared.problem());
    }
    if (prepared.note() != null) {
      log.accept(prepared.note());
    }
    JsonNode v = work.path("version");
    ComponentVersion version = new ComponentVersion(0, component, new Version(v.path("version").asString()), null,
        null, Map.of(), artifacts(work), null, null, null, null, null, 0);
    Slot slot = work.path("slot").isObject()
        ? new Slot(work.path("slot").path("name").asString(), work.path("slot").path("port").asInt()) : null;
    Map<String, String> variables = new LinkedHashMap<>();
    work.path("variables").properties().forEach(e -> variables.put(e.getKey(), e.getValue().asString()));
    StepContext context = access.context(version, slot, variables, artifacts, log);
    context = new StepContext(context.targetRoot(), context.targetName(), version, context.variables(), artifacts,
        Duration.ofMillis(work.path("defaultTimeoutMillis").asLong(300_000)), log, null, slot);
    Step step = work.has("step") ? JSON.treeToValue(work.path("step"), Step.class) : null;
    return switch (action) {
      case "run" -> access.run(step, context);
      case "switch" -> access.switchTo(context, (Step.Shell) step);
      default -> new StepOutcome.Failed("work of an unknown kind: " + action);
    };
  }
}
