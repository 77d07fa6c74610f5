package io.gantry.notification;

import io.gantry.shared.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.web.util.HtmlUtils;

/**
 * A notice in each channel's format. Every text from the event is escaped for the format it goes into: HTML for
 * e-mail, Slack's mrkdwn control characters ({@code & < >}, as Slack asks), and the Markdown Teams renders in Adaptive
 * Card text, so that a version such as {@code <!channel>} or {@code [x](https://evil)} is shown, never acted on.
 */
final class Messages {

  private Messages() {}

  // --- e-mail

  /** The HTML part of an e-mail; the plain text part is {@link Notice#text}. */
  static String html(Notice n, boolean toThePeopleWaitedFor) {
    StringBuilder out = new StringBuilder("<!DOCTYPE html><html><body style=\"font-family:sans-serif\">");
    out.append("<p><strong>").append(h(n.headline())).append("</strong></p>");
    if (toThePeopleWaitedFor && n.moment() == Moment.WAITING) {
      out.append("<p>It is your turn: you hold a role that may act on this wait.</p>");
      if (n.command() != null) {
        out.append("<p>With the CLI: <code>").append(h(n.command())).append("</code></p>");
      }
      if (n.url() != null) {
        out.append("<p>In the console: <a href=\"").append(h(n.url())).append("\">").append(h(n.url()))
            .append("</a></p>");
      }
    }
    out.append("<table>");
    for (String[] fact : n.facts()) {
      out.append("<tr><th align=\"left\">").append(h(fact[0])).append("</th><td>").append(h(fact[1]))
          .append("</td></tr>");
    }
    out.append("</table>");
    if (n.url() != null) {
      out.append("<p><a href=\"").append(h(n.url())).append("\">Open the deployment</a></p>");
    }
    return out.append("</body></html>").toString();
  }

  static String h(String text) {
    return HtmlUtils.htmlEscape(text, "UTF-8");
  }

  // --- Slack

  /**
   * A Slack incoming-webhook message: {@code text} (the notification's fallback) and blocks: a section with the
   * headline, one with the facts as fields, for a wait one with what to do, and a button to the deployment.
   */
  static String slack(Notice n) {
    List<Object> blocks = new ArrayList<>();
    blocks.add(Map.of("type", "section", "text", mrkdwn("*" + slackEscape(n.headline()) + "*")));
    List<Object> fields = new ArrayList<>();
    for (String[] fact : n.facts()) {
      fields.add(mrkdwn("*" + fact[0] + "*\n" + slackEscape(fact[1])));
    }
    if (!fields.isEmpty()) {
      blocks.add(Map.of("type", "section", "fields", fields.subList(0, Math.min(10, fields.size()))));
    }
    if (n.moment() == Moment.WAITING && n.command() != null) {
      blocks.add(Map.of("type", "section", "text", mrkdwn("Holders of " + slackEscape(String.join(", ", n.roles()))
          + ": it is your turn. `" + slackEscape(n.command().replace("`", "'")) + "`")));
    }
    if (n.url() != null) {
      blocks.add(Map.of("type", "actions", "elements", List.of(Map.of("type", "button",
          "text", Map.of("type", "plain_text", "text", "Open the deployment"), "url", n.url()))));
    }
    Map<String, Object> message = new LinkedHashMap<>();
    message.put("text", slackEscape(n.headline()));
    message.put("blocks", blocks);
    return Json.write(message);
  }

  private static Map<String, String> mrkdwn(String text) {
    return Map.of("type", "mrkdwn", "text", text);
  }

  /** Slack's escaping of text in mrkdwn: {@code &}, {@code <} and {@code >} (no link, mention or command can start). */
  static String slackEscape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  // --- Microsoft Teams

  /**
   * A Microsoft Teams incoming-webhook message carrying an Adaptive Card (1.2): the headline, the facts, for a wait
   * what to do, and an {@code Action.OpenUrl} to the deployment.
   */
  static String teams(Notice n) {
    List<Object> body = new ArrayList<>();
    body.add(Map.of("type", "TextBlock", "text", teamsEscape(n.headline()), "weight", "Bolder", "size", "Medium",
        "wrap", true));
    List<Object> facts = new ArrayList<>();
    for (String[] fact : n.facts()) {
      facts.add(Map.of("title", fact[0], "value", teamsEscape(fact[1])));
    }
    body.add(Map.of("type", "FactSet", "facts", facts));
    if (n.moment() == Moment.WAITING && n.command() != null) {
      body.add(Map.of("type", "TextBlock", "wrap", true, "text", "Holders of "
          + teamsEscape(String.join(", ", n.roles())) + ": it is your turn. " + teamsEscape(n.command())));
    }
    Map<String, Object> card = new LinkedHashMap<>();
    card.put("$schema", "http://adaptivecards.io/schemas/adaptive-card.json");
    card.put("type", "AdaptiveCard");
    card.put("version", "1.2");
    card.put("body", body);
    if (n.url() != null) {
      card.put("actions", List.of(Map.of("type", "Action.OpenUrl", "title", "Open the deployment", "url", n.url())));
    }
    Map<String, Object> attachment = new LinkedHashMap<>();
    attachment.put("contentType", "application/vnd.microsoft.card.adaptive");
    attachment.put("contentUrl", null);
    attachment.put("content", card);
    Map<String, Object> message = new LinkedHashMap<>();
    message.put("type", "message");
    message.put("attachments", List.of(attachment));
    return Json.write(message);
  }

  /**
   * Text for an Adaptive Card TextBlock or fact, which Teams renders as Markdown: every Markdown punctuation
   * character is escaped with a backslash, and angle brackets and ampersands are written as entities.
   */
  static String teamsEscape(String text) {
    StringBuilder out = new StringBuilder();
    for (char c : text.toCharArray()) {
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '\\', '`', '*', '_', '{', '}', '[', ']', '(', ')', '#', '+', '-', '.', '!', '|', '~' ->
            out.append('\\').append(c);
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  // --- generic webhook

  /**
   * A generic webhook's body: the notice as plain JSON fields (no markup, so nothing to escape beyond JSON), with
   * the event it came from, so a receiver can drop duplicates by {@code eventId}.
   */
  static String webhook(Notice n, String type) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("eventId", n.eventId());
    body.put("eventType", type);
    body.put("moment", n.moment().id());
    body.put("summary", n.headline());
    body.put("deployment", n.deployment());
    body.put("environment", n.environment());
    body.put("service", n.service());
    body.put("component", n.component());
    body.put("version", n.version());
    body.put("stage", n.stage());
    body.put("model", n.model());
    body.put("outcome", n.outcomeText());
    if (n.moment() == Moment.WAITING) {
      Map<String, Object> waiting = new LinkedHashMap<>();
      waiting.put("for", n.waitingFor());
      waiting.put("roles", n.roles());
      waiting.put("target", n.target());
      waiting.put("step", n.step());
      waiting.put("message", n.waitMessage());
      waiting.put("command", n.command());
      body.put("waiting", waiting);
    }
    body.put("url", n.url());
    return Json.write(body);
  }
}
