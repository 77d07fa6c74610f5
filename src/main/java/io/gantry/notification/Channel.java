package io.gantry.notification;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** How a notification is sent; each is the channel of one sink. */
public enum Channel {
  /** E-mail over SMTP, to addresses, users and the holders of roles. */
  EMAIL,
  /** A Slack incoming webhook, whose URL a secret holds. */
  SLACK,
  /** A Microsoft Teams incoming webhook (or workflow), whose URL a secret holds. */
  TEAMS,
  /** A generic JSON webhook, whose URL a secret holds, signed with another ({@code NAME-signing}). */
  WEBHOOK;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Channel> of(String id) {
    return Arrays.stream(values()).filter(c -> c.id().equals(id)).findFirst();
  }

  public static String ids() {
    return Arrays.stream(values()).map(Channel::id).collect(Collectors.joining(", "));
  }

  /** The channel name of its deliveries ({@code io.gantry.events.Destination#channel}). */
  String sink() {
    return id();
  }
}
