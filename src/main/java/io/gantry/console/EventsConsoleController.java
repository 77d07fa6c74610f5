package io.gantry.console;

import io.gantry.events.EventLog;
import io.gantry.shared.InvalidInputException;
import jakarta.servlet.http.HttpServletResponse;
import java.util.List;
import java.util.Map;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The events pages: the CDEvents written, where each went, the dead deliveries and their requeueing, through
 * {@link EventLog} with its checks (deployment managers and auditors read; deployment managers queue again).
 */
@Controller
class EventsConsoleController {

  static final int PAGE_SIZE = 50;
  private static final JsonMapper PRETTY = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

  private final EventLog log;

  EventsConsoleController(EventLog log) {
    this.log = log;
  }

  @GetMapping("/console/events")
  String list(@RequestParam(required = false) String type, @RequestParam(required = false) String before,
      @RequestParam(required = false) String done, Authentication signedIn, Model model,
      HttpServletResponse response) {
    return list(blankToNull(type), before, null, done, signedIn, model, response);
  }

  private String list(String type, String before, String problem, String done, Authentication signedIn, Model model,
      HttpServletResponse response) {
    Map<String, Long> counts = Map.of();
    List<EventLog.DeliveryView> dead = List.of();
    List<EventLog.EventSummary> events = List.of();
    try {
      Long beforeId = number("before", before);
      counts = log.counts(signedIn.getName());
      dead = log.deliveries(signedIn.getName(), "dead", PAGE_SIZE);
      events = log.events(signedIn.getName(), type, null, beforeId, PAGE_SIZE);
    } catch (RuntimeException e) {
      problem = problem != null ? problem : IncidentsConsoleController.problem(e, response);
    }
    Long next = events.size() == PAGE_SIZE ? events.getLast().sequence() : null;
    model.addAttribute("page", new EventsPage(type, counts, dead, events, next, problem, doneText(done)));
    return "events";
  }

  @GetMapping("/console/events/{id}")
  String show(@PathVariable String id, @RequestParam(required = false) String done, Authentication signedIn,
      Model model, HttpServletResponse response) {
    try {
      EventLog.EventDetail event = log.event(signedIn.getName(), id);
      model.addAttribute("page", new EventPage(event, PRETTY.writeValueAsString(event.cdevent()), null,
          doneText(done)));
      return "event";
    } catch (RuntimeException e) {
      String problem = IncidentsConsoleController.problem(e, response);
      int status = response.getStatus();
      String page = list(null, null, problem, null, signedIn, model, response);
      response.setStatus(status);
      return page;
    }
  }

  @PostMapping("/console/deliveries/{id}/retry")
  String retry(@PathVariable String id, Authentication signedIn, Model model, HttpServletResponse response) {
    try {
      EventLog.DeliveryView d = log.retry(signedIn.getName(), number("delivery", id));
      return "redirect:/console/events/" + d.event() + "?done=queued";
    } catch (RuntimeException e) {
      String problem = IncidentsConsoleController.problem(e, response);
      int status = response.getStatus();
      String page = list(null, null, "Not queued again: " + problem, null, signedIn, model, response);
      response.setStatus(status);
      return page;
    }
  }

  private static String doneText(String done) {
    return "queued".equals(done) ? "The delivery is queued again; it is sent within a second." : null;
  }

  private static Long number(String field, String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    try {
      return Long.parseLong(text.strip());
    } catch (NumberFormatException e) {
      throw InvalidInputException.of(field, "\"" + text + "\" is not a number");
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }
}
