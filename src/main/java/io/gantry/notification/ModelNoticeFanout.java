package io.gantry.notification;

import io.gantry.events.Destination;
import io.gantry.events.Fanout;
import io.gantry.events.StoredEvent;
import io.gantry.identity.Users;
import io.gantry.model.ModelNotices;
import io.gantry.shared.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/**
 * Mails the notices of a model version that came into force (practice guide Table 3.2): one e-mail per person given a
 * notice of it ({@link ModelNotices}: its stakeholders and the owners of the services that use it) who is enabled and
 * has an e-mail address, each saying why that person is told. Whoever has no address reads the notice in their inbox
 * only; other systems subscribe to the event's type.
 */
@Component
class ModelNoticeFanout implements Fanout {

  /** The type of the event, without its version: {@code dev.cdeventsx.gantry-modelversion.effective.0.1.0}. */
  static final String TYPE = "dev.cdeventsx.gantry-modelversion.effective.";
  /** The settings of a delivery that name the notice it mails and the person it is for. */
  static final String NOTICE = "notice";
  static final String USER = "user";

  private final ModelNotices notices;
  private final Users users;

  ModelNoticeFanout(ModelNotices notices, Users users) {
    this.notices = notices;
    this.users = users;
  }

  static boolean tellsOf(StoredEvent event) {
    return event.type().startsWith(TYPE);
  }

  @Override
  public List<Destination> destinations(StoredEvent event) {
    if (!tellsOf(event)) {
      return List.of();
    }
    JsonNode model = Json.read(event.data(), JsonNode.class).path("customData").path("model");
    String name = model.path("name").asString(null);
    if (name == null || !model.path("version").canConvertToInt()) {
      return List.of();
    }
    Map<String, String> addresses = users.emails();
    List<Destination> out = new ArrayList<>();
    for (ModelNotices.Notice n : notices.ofVersion(name, model.path("version").asInt())) {
      String address = addresses.get(n.user());
      if (address != null) {
        out.add(new Destination(Channel.EMAIL.id(), null, address,
            Map.of(NOTICE, String.valueOf(n.id()), USER, n.user())));
      }
    }
    return out;
  }
}
