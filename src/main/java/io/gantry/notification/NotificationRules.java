package io.gantry.notification;

import io.gantry.identity.Role;
import io.gantry.identity.Users;
import io.gantry.model.Stage;
import io.gantry.shared.InvalidInputException;
import io.gantry.shared.Names;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What a stage's {@code notifications} may say, checked at plan and apply so that a notification that could never
 * be sent is refused with its place instead of being silently dropped.
 *
 * <ul>
 *   <li>{@code on}: one or more {@link Moment} ids.
 *   <li>{@code channel}: one {@link Channel} id.
 *   <li>{@code to}, for {@code email}: e-mail addresses ({@code ops@example.com}), users ({@code user:NAME}, told at
 *       the address they set) and roles ({@code role:ID}, every user holding it in the deployment's service and
 *       environment who set an address). The people a deployment waits for are always told on {@code waiting}, so
 *       an e-mail notification on {@code waiting} alone may leave {@code to} out.
 *   <li>{@code to}, for {@code slack}, {@code teams} and {@code webhook}: names of secrets that hold the incoming
 *       webhook's URL (a credential, so never written in a model); a webhook's deliveries are signed with the
 *       secret {@code NAME-signing}.
 * </ul>
 */
public final class NotificationRules {

  /** The most recipients one notification names. */
  public static final int MAX_TO = 50;

  private NotificationRules() {}

  /** A problem with its field, relative to the stage ({@code notifications[0].to[2]}). */
  public record Problem(String field, String message) {}

  /** Everything wrong with a stage's notifications. */
  public static List<Problem> check(List<Stage.Notification> notifications) {
    List<Problem> problems = new ArrayList<>();
    for (int i = 0; i < notifications.size(); i++) {
      check("notifications[" + i + "]", notifications.get(i), problems);
    }
    return problems;
  }

  private static void check(String at, Stage.Notification n, List<Problem> problems) {
    List<String> on = n.on() == null ? List.of() : n.on();
    List<String> to = n.to() == null ? List.of() : n.to();
    Set<Moment> moments = new HashSet<>();
    if (on.isEmpty()) {
      problems.add(new Problem(at + ".on", "say when to tell: one or more of " + Moment.ids()));
    }
    for (int k = 0; k < on.size(); k++) {
      String id = on.get(k);
      Moment m = Moment.of(id).orElse(null);
      if (m == null) {
        problems.add(new Problem(at + ".on[" + k + "]", "\"" + id + "\" is not a moment of a deployment; use one "
            + "of " + Moment.ids()));
      } else if (!moments.add(m)) {
        problems.add(new Problem(at + ".on[" + k + "]", id + " is listed twice"));
      }
    }
    Channel channel = n.channel() == null ? null : Channel.of(n.channel()).orElse(null);
    if (channel == null) {
      problems.add(new Problem(at + ".channel", (n.channel() == null ? "say how to tell" : "\"" + n.channel()
          + "\" is not a channel") + ": use one of " + Channel.ids()));
      return;
    }
    if (to.size() > MAX_TO) {
      problems.add(new Problem(at + ".to", "at most " + MAX_TO + " recipients; name a role or a list address "
          + "instead"));
      return;
    }
    if (to.isEmpty() && !(channel == Channel.EMAIL && moments.equals(Set.of(Moment.WAITING)))) {
      problems.add(new Problem(at + ".to", channel == Channel.EMAIL
          ? "say whom to tell: e-mail addresses, user:NAME or role:ID (only a notification on waiting alone may "
              + "leave it out: the people waited for are told)"
          : "name the secret that holds the " + channel.id() + " webhook's URL (gantry secret set NAME)"));
    }
    Set<String> seen = new HashSet<>();
    for (int k = 0; k < to.size(); k++) {
      String entry = to.get(k);
      String where = at + ".to[" + k + "]";
      String problem = entry == null ? "a recipient is empty" : channel == Channel.EMAIL ? emailProblem(entry)
          : secretProblem(channel, entry);
      if (problem != null) {
        problems.add(new Problem(where, problem));
      } else if (!seen.add(entry)) {
        problems.add(new Problem(where, entry + " is listed twice"));
      }
    }
  }

  private static String emailProblem(String entry) {
    if (entry.startsWith("user:")) {
      String name = entry.substring(5);
      return Names.isValid(name) ? null : "user:" + name + " does not name a user: " + Names.describe(name);
    }
    if (entry.startsWith("role:")) {
      try {
        Role.fromId("to", entry.substring(5));
        return null;
      } catch (InvalidInputException e) {
        return e.getMessage();
      }
    }
    if (Users.isEmail(entry)) {
      return null;
    }
    return "\"" + printable(entry) + "\" is not a recipient: write an e-mail address (ops@example.com, no display "
        + "name, spaces or line breaks), user:NAME or role:ID";
  }

  private static String secretProblem(Channel channel, String entry) {
    if (entry.contains("://")) {
      return "a " + channel.id() + " webhook's URL is a credential: keep it in a secret (gantry secret set NAME) and "
          + "name the secret here, not the URL";
    }
    if (!Names.isValid(entry)) {
      return "\"" + printable(entry) + "\" does not name a secret: " + Names.describe(printable(entry));
    }
    if (channel == Channel.WEBHOOK && entry.length() > 63 - "-signing".length()) {
      return "a webhook's secret name has at most " + (63 - "-signing".length()) + " characters, so that its "
          + "signing secret " + entry + "-signing is a name too";
    }
    return null;
  }

  /** The text with its control characters shown as escapes, so that an error message stays one line. */
  static String printable(String text) {
    StringBuilder out = new StringBuilder();
    text.codePoints().forEach(c -> {
      if (Character.isISOControl(c)) {
        out.append(String.format("\\u%04x", c));
      } else {
        out.appendCodePoint(c);
      }
    });
    return out.toString();
  }
}
