package io.gantry.notification;

import io.gantry.events.StoredEvent;
import io.gantry.model.ModelNotices;
import io.gantry.shared.Json;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * The e-mail of a model update's notice: which version came into force in place of which, why this person is told,
 * who proposed it and why, how it came into force with each decision and its comment, the diff, and how to mark the
 * notice read. The reason, comments and diff are whatever the proposer and signers wrote: the HTML part escapes
 * them, and the one-line texts (subject, reason, comments) are kept on one line.
 */
record ModelNoticeMail(ModelNotices.Notice notice, Integer replaced, String note, String url) {

  /** Lines of the diff a mail shows at most; the notice in Gantry shows all of it. */
  static final int DIFF_LINES = 200;

  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
      .withZone(ZoneOffset.UTC);

  static ModelNoticeMail of(ModelNotices.Notice notice, StoredEvent event) {
    JsonNode cdevent = Json.read(event.data(), JsonNode.class);
    JsonNode content = cdevent.path("subject").path("content");
    Integer replaced = content.path("replaced").canConvertToInt() ? content.path("replaced").asInt() : null;
    String note = content.path("note").isString() ? content.path("note").asString() : null;
    String url = Notice.link(cdevent.path("customData").path("url").asString(null));
    return new ModelNoticeMail(notice, replaced, note, url);
  }

  String subject() {
    return "[Gantry] Model " + line(notice.model()) + " version " + notice.version() + " is in force";
  }

  String headline() {
    return "Model " + line(notice.model()) + " version " + notice.version() + " is in force"
        + (replaced == null ? " (its first version)" : " in place of version " + replaced);
  }

  /** Each fact of the mail, as a label and one line of text. */
  List<String[]> facts() {
    List<String[]> out = new java.util.ArrayList<>();
    out.add(new String[] {"Why you are told", line(notice.why())});
    out.add(new String[] {"Proposed by", line(notice.author())});
    if (notice.reason() != null && !notice.reason().isBlank()) {
      out.add(new String[] {"Reason", line(notice.reason())});
    }
    if (note != null) {
      // the note says how: "in force: agreed by ...", "in force on apply: the model has no owner"
      out.add(new String[] {"In force", line(note.replaceFirst("^in force:\\s*", "").replaceFirst("^in force ", ""))});
    }
    for (ModelNotices.Decision d : notice.decisions()) {
      out.add(new String[] {("agree".equals(d.decision()) ? "Agreed by " : "Decided by ") + line(d.user()),
          TIME.format(d.decidedAt()) + ": " + line(d.comment())});
    }
    return out;
  }

  /** The diff, at most {@link #DIFF_LINES} lines, saying how many more there are. */
  String diff() {
    if (notice.diff() == null || notice.diff().isBlank()) {
      return null;
    }
    String[] lines = notice.diff().split("\n", -1);
    if (lines.length <= DIFF_LINES) {
      return notice.diff();
    }
    return String.join("\n", java.util.Arrays.copyOf(lines, DIFF_LINES)) + "\n... " + (lines.length - DIFF_LINES)
        + " more lines: gantry notices read " + notice.id();
  }

  String text() {
    StringBuilder out = new StringBuilder(headline()).append(".\n\n");
    for (String[] fact : facts()) {
      out.append(fact[0]).append(": ").append(fact[1]).append('\n');
    }
    String diff = diff();
    if (diff != null) {
      out.append("\nWhat changed:\n").append(diff).append('\n');
    }
    out.append("\nMark it read: gantry notices read ").append(notice.id()).append('\n');
    if (url != null) {
      out.append("In the console: ").append(url).append('\n');
    }
    return out.toString();
  }

  String html() {
    StringBuilder out = new StringBuilder("<!DOCTYPE html><html><body style=\"font-family:sans-serif\">");
    out.append("<p><strong>").append(Messages.h(headline())).append("</strong></p><table>");
    for (String[] fact : facts()) {
      out.append("<tr><th align=\"left\">").append(Messages.h(fact[0])).append("</th><td>")
          .append(Messages.h(fact[1])).append("</td></tr>");
    }
    out.append("</table>");
    String diff = diff();
    if (diff != null) {
      out.append("<p>What changed:</p><pre>").append(Messages.h(diff)).append("</pre>");
    }
    out.append("<p>Mark it read: <code>gantry notices read ").append(notice.id()).append("</code></p>");
    if (url != null) {
      out.append("<p><a href=\"").append(Messages.h(url)).append("\">Open the model</a></p>");
    }
    return out.append("</body></html>").toString();
  }

  private static String line(String text) {
    return text == null ? "" : Notice.oneLine(text, 500);
  }
}
