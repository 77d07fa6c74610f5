package io.gantry.notification;

import io.gantry.deployment.Deployments;
import io.gantry.events.DeliveryFailure;
import io.gantry.events.StoredEvent;
import io.gantry.shared.Json;
import tools.jackson.databind.JsonNode;

/** What the sinks share: the moment a planned event tells of, and its notice. */
final class NotificationSinks {

  private NotificationSinks() {}

  /** The notice of an event, completed from the deployment it is about (read through the deployment module). */
  static Notice notice(StoredEvent event, Deployments deployments) throws DeliveryFailure {
    Moment moment = moment(event);
    Notice bare = Notice.of(moment, event);
    if ((bare.component() == null || bare.version() == null) && bare.deployment() != null) {
      return Notice.of(moment, event, deployments.find(bare.deployment()).orElse(null));
    }
    return bare;
  }

  /** The moment of an event a notification was planned for; it cannot change, so a failure here is final. */
  static Moment moment(StoredEvent event) throws DeliveryFailure {
    JsonNode cdevent = Json.read(event.data(), JsonNode.class);
    return Moment.of(event.type(), cdevent.path("subject").path("content").path("outcome").asString(null))
        .orElseThrow(() -> new DeliveryFailure("event type " + event.type() + " tells of no moment of a "
            + "deployment", false));
  }
}
