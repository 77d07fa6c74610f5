package io.gantry.console;

import io.gantry.events.EventLog;
import java.util.List;
import java.util.Map;

/**
 * The events page: delivery counts, the dead deliveries (a deployment manager queues them again), and the latest
 * events of a type prefix with how their deliveries stand. Public for the compiled templates only.
 *
 * @param problem why the page shows nothing, or why a retry was refused, or null
 * @param done what was just done, or null
 */
public record EventsPage(String type, Map<String, Long> counts, List<EventLog.DeliveryView> dead,
    List<EventLog.EventSummary> events, Long nextBefore, String problem, String done) {

  public long count(String state) {
    return counts == null ? 0 : counts.getOrDefault(state, 0L);
  }

  public String older() {
    return "/console/events?before=" + nextBefore + (type == null ? "" : "&type="
        + java.net.URLEncoder.encode(type, java.nio.charset.StandardCharsets.UTF_8));
  }
}
