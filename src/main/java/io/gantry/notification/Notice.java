package io.gantry.notification;

import io.gantry.events.StoredEvent;
import io.gantry.shared.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import tools.jackson.databind.JsonNode;

/**
 * What one notification says, read from the event that tells of a deployment's moment: what happened, where
 * (environment, service and component, version, stage), the outcome, and the link to the deployment; for a wait, what
 * is waited for and what the people waited for do about it. Every text here came from the event and may be hostile
 * (a version or step name is whatever was pushed or declared): each renderer escapes it for its format.
 *
 * @param roles for a wait, the ids of the roles whose holders may act
 */
record Notice(Moment moment, String eventId, Long deployment, String environment, String service, String component,
    String version, String stage, String model, String url, String outcome, String errors, String waitingFor,
    String step, String target, List<String> roles, String waitMessage) {

  Notice {
    environment = flat(environment);
    service = flat(service);
    component = flat(component);
    version = flat(version);
    stage = flat(stage);
    model = flat(model);
    outcome = flat(outcome);
    errors = flat(errors);
    waitingFor = flat(waitingFor);
    step = flat(step);
    target = flat(target);
    waitMessage = flat(waitMessage);
    roles = roles == null ? List.of() : roles.stream().map(Notice::flat).toList();
    url = link(url);
  }

  /**
   * The text as a link, or null when it is none: a link is followed by whoever reads the message, so only a web
   * address is one (no javascript:, data:, ...), and one without spaces, angle brackets or quotes.
   */
  static String link(String url) {
    boolean web = url != null && (url.startsWith("https://") || url.startsWith("http://"));
    return web && !url.matches(".*[\\s<>\"'].*") ? url : null;
  }

  /** Every text of a notice is one line (a line break in a version must not start a line of its own). */
  private static String flat(String text) {
    return text == null ? null : oneLine(text, 500);
  }

  /** The notice an event gives, reading its CDEvent ({@code subject.content} and {@code customData}). */
  static Notice of(Moment moment, StoredEvent event) {
    return of(moment, event, null);
  }

  /**
   * The notice an event gives, reading its CDEvent ({@code subject.content} and {@code customData}), with the
   * component and version taken from the deployment it is about where the event does not carry them.
   */
  static Notice of(Moment moment, StoredEvent event, io.gantry.deployment.Deployment about) {
    JsonNode cdevent = Json.read(event.data(), JsonNode.class);
    JsonNode custom = cdevent.path("customData");
    JsonNode content = cdevent.path("subject").path("content");
    List<String> roles = new ArrayList<>();
    custom.path("roles").forEach(r -> roles.add(r.asString()));
    Long deployment = event.deployment() != null ? event.deployment()
        : custom.path("deployment").isNumber() ? custom.path("deployment").asLong() : null;
    return new Notice(moment, event.eventId(), deployment,
        first(event.environment(), text(custom, "environment"), text(content.path("environment"), "id")),
        first(event.service(), text(custom, "service"), about == null ? null : about.component().service()),
        first(text(custom, "component"), about == null ? null : about.component().component()),
        first(text(custom, "version"), about == null ? null : about.version(), text(content, "artifactId")), text(custom, "stage"),
        custom.path("model").isObject() ? text(custom.path("model"), "name") : text(custom, "model"),
        first(text(custom, "url"), text(content, "uri")), text(content, "outcome"), text(content, "errors"),
        text(custom, "waitingFor"), text(custom, "step"), text(custom, "target"), roles, text(custom, "message"));
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.path(field);
    return v.isMissingNode() || v.isNull() ? null : v.asString();
  }

  private static String first(String... values) {
    for (String v : values) {
      if (v != null && !v.isBlank()) {
        return v;
      }
    }
    return null;
  }

  /** What is deployed: {@code shop/web 1.2.0}, or as much of it as the event says. */
  String what() {
    String name = component != null && service != null && !component.contains("/") ? service + "/" + component
        : component != null ? component : service != null ? service : "a component";
    return version == null ? name : name + " " + version;
  }

  String where() {
    return environment == null ? "an environment" : environment;
  }

  /** One line saying what happened, e.g. {@code Deploying shop/web 1.2.0 to prod failed}. */
  String headline() {
    return switch (moment) {
      case STARTED -> "Deploying " + what() + " to " + where() + " started";
      case SUCCEEDED -> what() + " was deployed to " + where();
      case FAILED -> "Deploying " + what() + " to " + where() + " failed";
      case ROLLED_BACK -> what() + " was rolled back in " + where();
      case CANCELLED -> "Deploying " + what() + " to " + where() + " was cancelled";
      case WAITING -> "Deploying " + what() + " to " + where() + " waits for " + waitText();
    };
  }

  /** The outcome in words. */
  String outcomeText() {
    return switch (moment) {
      case STARTED -> "running";
      case SUCCEEDED -> "succeeded";
      case FAILED -> "failed" + (errors == null ? "" : ": " + errors);
      case ROLLED_BACK -> "rolled back to the version before";
      case CANCELLED -> "cancelled";
      case WAITING -> "waiting for " + waitText() + (waitMessage == null ? "" : ": " + waitMessage);
    };
  }

  private String waitText() {
    String kind = waitingFor == null ? "a person" : switch (waitingFor) {
      case "approval" -> "an approval";
      case "manual" -> "a manual step to be signed off";
      case "decision" -> "a decision after a failure";
      case "entry_confirmation" -> "an entry criterion to be confirmed";
      case "exit_confirmation" -> "an exit criterion to be confirmed";
      default -> waitingFor.replace('_', ' ').toLowerCase(Locale.ROOT);
    };
    return kind + (roles.isEmpty() ? "" : " by " + String.join(" or ", roles));
  }

  /** For a wait, the command that acts on it; null when the event does not say enough to write one. */
  String command() {
    if (moment != Moment.WAITING || deployment == null || waitingFor == null) {
      return null;
    }
    String id = String.valueOf(deployment);
    String onStep = " --target " + quoted(target) + " --step " + quoted(step);
    return switch (waitingFor) {
      case "approval" -> step != null && target != null
          ? "gantry approve " + id + onStep + " --reason TEXT (or --reject)"
          : "gantry status " + id + " (then gantry change approve the change it waits for)";
      case "manual" -> step != null && target != null ? "gantry signoff " + id + onStep + " --note TEXT" : null;
      case "decision" -> "gantry decide " + id + " retry|skip|abort --target " + quoted(target) + " --reason TEXT";
      case "entry_confirmation", "exit_confirmation" -> "gantry confirm " + id
          + (step == null ? "" : " --criterion " + quoted(step)) + " --note TEXT (or --reject)";
      default -> null;
    };
  }

  /** A value as a shell word: as it is when plain, else single-quoted. */
  private static String quoted(String value) {
    if (value == null) {
      return "?";
    }
    return value.matches("[A-Za-z0-9._/-]+") ? value : "'" + value.replace("'", "'\\''") + "'";
  }

  /** The facts a message lists, label and value, in order; values absent from the event are left out. */
  List<String[]> facts() {
    List<String[]> facts = new ArrayList<>();
    add(facts, "Environment", environment);
    add(facts, "Component", component != null && service != null && !component.contains("/")
        ? service + "/" + component : component != null ? component : service);
    add(facts, "Version", version);
    add(facts, "Stage", stage == null ? null : stage + (model == null ? "" : " (model " + model + ")"));
    add(facts, "Outcome", outcomeText());
    if (moment == Moment.WAITING) {
      add(facts, "Target", target);
      add(facts, "Step", step);
    }
    add(facts, "Deployment", deployment == null ? null : "#" + deployment);
    return facts;
  }

  private static void add(List<String[]> facts, String label, String value) {
    if (value != null && !value.isBlank()) {
      facts.add(new String[] {label, value});
    }
  }

  /** The e-mail subject: one line, whatever the event's texts hold (no header can be added through it). */
  String subject() {
    return oneLine("[Gantry] " + headline() + (deployment == null ? "" : " (#" + deployment + ")"), 200);
  }

  /** Text without line breaks or other control characters, at most {@code max} characters. */
  static String oneLine(String text, int max) {
    String flat = text.replaceAll("[\\p{Cntrl}\\u2028\\u2029\\u0085]+", " ").strip();
    return flat.length() <= max ? flat : flat.substring(0, max - 1) + "…";
  }

  /** The plain text of a message, for e-mail and as the chat fallback. */
  String text(boolean toThePeopleWaitedFor) {
    StringBuilder out = new StringBuilder(headline()).append(".\n\n");
    if (toThePeopleWaitedFor && moment == Moment.WAITING) {
      out.append("It is your turn: you hold a role that may act on this wait.\n");
      String command = command();
      if (command != null) {
        out.append("With the CLI: ").append(command).append('\n');
      }
      if (url != null) {
        out.append("In the console: ").append(url).append('\n');
      }
      out.append('\n');
    }
    for (String[] fact : facts()) {
      out.append(fact[0]).append(": ").append(fact[1]).append('\n');
    }
    if (url != null) {
      out.append("\nThe deployment: ").append(url).append('\n');
    }
    return out.toString();
  }
}
