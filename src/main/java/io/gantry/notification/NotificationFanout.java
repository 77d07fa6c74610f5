package io.gantry.notification;

import io.gantry.events.Destination;
import io.gantry.events.Fanout;
import io.gantry.events.StoredEvent;
import io.gantry.identity.Access;
import io.gantry.identity.Role;
import io.gantry.identity.Scope;
import io.gantry.identity.Users;
import io.gantry.model.ModelDocuments;
import io.gantry.model.Models;
import io.gantry.model.Stage;
import io.gantry.shared.Json;
import io.gantry.shared.NotFoundException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/**
 * Plans the notifications of an event that tells of a deployment's moment ({@link Moment}): for each notification
 * of the deployment's stage (in the model version it follows) that is {@code on} that moment, one delivery per
 * channel and recipient set; for a wait, an e-mail to the people waited for (the users holding one of the roles that
 * may act, in the deployment's service and environment, with an e-mail address), told that it is their turn; and an
 * e-mail to the users who subscribed to that moment there. A user is mailed only while it may read the deployment's
 * scope, and once per event whatever number of rules name it.
 */
@Component
class NotificationFanout implements Fanout {

  private static final Logger log = LoggerFactory.getLogger(NotificationFanout.class);

  /** Addresses of one e-mail delivery are written in its destination, which holds at most this many characters. */
  static final int MAX_ADDRESSES_LENGTH = 2000;

  /** The setting that marks an e-mail delivery to the people waited for (their text says it is their turn). */
  static final String TURN = "turn";

  private final Models models;
  private final Users users;
  private final Access access;
  private final UserSubscriptions subscriptions;

  NotificationFanout(Models models, Users users, Access access, UserSubscriptions subscriptions) {
    this.models = models;
    this.users = users;
    this.access = access;
    this.subscriptions = subscriptions;
  }

  @Override
  public List<Destination> destinations(StoredEvent event) {
    if (!event.type().startsWith("dev.cdevents.pipelinerun.") && !event.type().startsWith("dev.cdevents.service.")
        && !event.type().startsWith("dev.cdeventsx.gantry-deployment.")) {
      return List.of();
    }
    JsonNode cdevent = Json.read(event.data(), JsonNode.class);
    Optional<Moment> moment = Moment.of(event.type(), cdevent.path("subject").path("content").path("outcome")
        .asString(null));
    if (moment.isEmpty()) {
      return List.of();
    }
    Moment m = moment.get();
    JsonNode custom = cdevent.path("customData");
    Scope scope = new Scope(event.service(), event.environment());
    Set<String> turn = new TreeSet<>();
    Set<String> told = new TreeSet<>();
    List<Destination> out = new ArrayList<>();
    // one post per webhook, whatever number of the stage's notifications name it
    Set<String> posted = new LinkedHashSet<>();
    for (Stage.Notification n : stageNotifications(custom)) {
      if (n.on() == null || !n.on().contains(m.id())) {
        continue;
      }
      Channel channel = Channel.of(n.channel()).orElse(null);
      if (channel == null) {
        continue;
      }
      List<String> to = n.to() == null ? List.of() : n.to();
      if (channel == Channel.EMAIL) {
        if (m == Moment.WAITING) {
          turn.addAll(waitedFor(custom, scope));
        }
        for (String entry : to) {
          told.addAll(addresses(entry, scope));
        }
      } else {
        for (String secret : to) {
          if (posted.add(channel.id() + " " + secret)) {
            out.add(new Destination(channel.id(), null, secret, null));
          }
        }
      }
    }
    for (String user : subscriptions.subscribersOf(m, event.service(), event.environment())) {
      users.email(user).ifPresent(told::add);
    }
    told.removeAll(turn);
    out.addAll(mail(turn, true));
    out.addAll(mail(told, false));
    return out;
  }

  /** The notifications of the stage the event's deployment follows, in the model version it follows. */
  private List<Stage.Notification> stageNotifications(JsonNode custom) {
    // as the emission writes it, model: {name, version}; flat model and modelVersion are read too
    JsonNode m = custom.path("model");
    String model = m.isObject() ? m.path("name").asString(null) : m.asString(null);
    JsonNode version = m.isObject() ? m.path("version") : custom.path("modelVersion");
    String stage = custom.path("stage").asString(null);
    if (model == null || stage == null || !version.canConvertToInt()) {
      return List.of();
    }
    try {
      return stages(model, version.asInt()).getOrDefault(stage, List.of());
    } catch (NotFoundException e) {
      log.warn("model {} version {} of a deployment's event is not known; its notifications are not sent", model,
          version);
      return List.of();
    }
  }

  /**
   * The notifications of each stage of a model version, parsed once per text (the version's digest): every event of
   * a deployment asks for its version's. At most {@link #PARSED_VERSIONS} are kept (then forgotten at once).
   */
  private Map<String, List<Stage.Notification>> stages(String model, int version) {
    var v = models.version(model, version);
    if (v.text() == null) {
      return Map.of();
    }
    String key = model + "\n" + v.digest();
    Map<String, List<Stage.Notification>> known = parsed.get(key);
    if (known != null) {
      return known;
    }
    Map<String, List<Stage.Notification>> stages = new java.util.HashMap<>();
    for (Stage s : ModelDocuments.parse(model, v.text()).spec().stages()) {
      stages.putIfAbsent(s.name(), s.notifications());
    }
    if (parsed.size() >= PARSED_VERSIONS) {
      parsed.clear();
    }
    parsed.put(key, Map.copyOf(stages));
    return stages;
  }

  private static final int PARSED_VERSIONS = 256;
  private final Map<String, Map<String, List<Stage.Notification>>> parsed =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** The addresses of the people a wait is for: holders of its roles in the scope who may read it and set one. */
  private Set<String> waitedFor(JsonNode custom, Scope scope) {
    Set<Role> roles = EnumSet.noneOf(Role.class);
    custom.path("roles").forEach(r -> {
      try {
        roles.add(Role.fromId(r.asString()));
      } catch (RuntimeException e) {
        log.warn("a wait names the role \"{}\", which Gantry does not know; its holders are not told", r.asString());
      }
    });
    Set<String> out = new TreeSet<>();
    if (roles.isEmpty()) {
      return out;
    }
    for (Map.Entry<String, String> u : users.emails().entrySet()) {
      Set<Role> held = access.rolesIn(u.getKey(), scope);
      if (held.stream().anyMatch(roles::contains) && subscriptions.mayRead(u.getKey(), scope)) {
        out.add(u.getValue());
      }
    }
    return out;
  }

  /** What an e-mail recipient of a stage's notification names, as addresses. */
  private Set<String> addresses(String entry, Scope scope) {
    Set<String> out = new TreeSet<>();
    if (entry.startsWith("user:")) {
      String user = entry.substring(5);
      if (subscriptions.mayRead(user, scope)) {
        users.email(user).ifPresent(out::add);
      }
    } else if (entry.startsWith("role:")) {
      Role role;
      try {
        role = Role.fromId(entry.substring(5));
      } catch (RuntimeException e) {
        return out;
      }
      for (Map.Entry<String, String> u : users.emails().entrySet()) {
        if (access.rolesIn(u.getKey(), scope).contains(role) && subscriptions.mayRead(u.getKey(), scope)) {
          out.add(u.getValue());
        }
      }
    } else if (Users.isEmail(entry)) {
      out.add(entry);
    }
    return out;
  }

  /** E-mail deliveries to the addresses, as few as fit in a destination. */
  private static List<Destination> mail(Set<String> addresses, boolean turn) {
    List<Destination> out = new ArrayList<>();
    StringBuilder batch = new StringBuilder();
    for (String a : addresses) {
      if (batch.length() > 0 && batch.length() + 1 + a.length() > MAX_ADDRESSES_LENGTH) {
        out.add(destination(batch.toString(), turn));
        batch.setLength(0);
      }
      batch.append(batch.length() == 0 ? "" : ",").append(a);
    }
    if (batch.length() > 0) {
      out.add(destination(batch.toString(), turn));
    }
    return out;
  }

  private static Destination destination(String addresses, boolean turn) {
    return new Destination(Channel.EMAIL.id(), null, addresses, turn ? Map.of(TURN, "true") : null);
  }
}
