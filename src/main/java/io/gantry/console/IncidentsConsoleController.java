package io.gantry.console;

import io.gantry.metrics.Incident;
import io.gantry.metrics.IncidentDesk;
import io.gantry.shared.ConflictException;
import io.gantry.shared.InvalidInputException;
import io.gantry.shared.NotFoundException;
import io.gantry.shared.Page;
import io.gantry.shared.PageRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The incidents pages: the list of the incidents the user sees, one incident's page, and reporting,
 * resolving and marking remediations through the same service and checks as the incidents API.
 */
@Controller
class IncidentsConsoleController {

  static final int PAGE_SIZE = 50;

  private final IncidentDesk desk;
  private final Clock clock;

  IncidentsConsoleController(IncidentDesk desk, Clock clock) {
    this.desk = desk;
    this.clock = clock;
  }

  @GetMapping("/console/incidents")
  String list(@RequestParam(required = false) String service, @RequestParam(required = false) String environment,
      @RequestParam(required = false) String open, @RequestParam(defaultValue = "0") String page,
      Authentication signedIn, Model model, HttpServletResponse response) {
    IncidentsPage.IncidentForm form = new IncidentsPage.IncidentForm(blankToNull(service), blankToNull(environment),
        "3", "", "", now(), "", "");
    return list(blankToNull(service), blankToNull(environment), blankToNull(open), page, null, form, signedIn, model,
        response);
  }

  private String list(String service, String environment, String open, String page, String problem,
      IncidentsPage.IncidentForm form, Authentication signedIn, Model model, HttpServletResponse response) {
    int number = 0;
    Page<Incident> items = new Page<>(java.util.List.of(), 0, PAGE_SIZE, 0);
    try {
      number = parsePage(page);
      Boolean onlyOpen = open == null ? null : switch (open) {
        case "true" -> Boolean.TRUE;
        case "false" -> Boolean.FALSE;
        default -> throw InvalidInputException.of("open", "\"" + open + "\" is not true or false");
      };
      items = desk.list(signedIn.getName(), service, environment, onlyOpen, new PageRequest(number, PAGE_SIZE));
    } catch (RuntimeException e) {
      problem = problem != null ? problem : problem(e, response);
    }
    model.addAttribute("page", new IncidentsPage(service, environment, open, items.items(), number, items.total(),
        items.hasNext(), problem, form));
    return "incidents";
  }

  @PostMapping("/console/incidents")
  String report(@RequestParam(required = false) String service, @RequestParam(required = false) String environment,
      @RequestParam(required = false) String severity, @RequestParam(required = false) String title,
      @RequestParam(required = false) String reference, @RequestParam(required = false) String detectedAt,
      @RequestParam(required = false) String resolvedAt, @RequestParam(required = false) String deployment,
      Authentication signedIn, Model model, HttpServletResponse response) {
    var form = new IncidentsPage.IncidentForm(service, environment, severity, title, reference, detectedAt,
        resolvedAt, deployment);
    try {
      Incident i = desk.report(signedIn.getName(), new IncidentDesk.NewIncident(service, environment, severity,
          limit("title", title, 500), limit("reference", reference, 200), instant("detectedAt", detectedAt),
          instant("resolvedAt", resolvedAt), id("deployment", deployment)));
      return "redirect:/console/incidents/" + i.id() + "?done=reported";
    } catch (RuntimeException e) {
      String problem = problem(e, response);
      return list(null, null, null, "0", "The incident was not recorded: " + problem, form, signedIn, model, response);
    }
  }

  @GetMapping("/console/incidents/{id}")
  String incident(@PathVariable String id, @RequestParam(required = false) String done, Authentication signedIn,
      Model model, HttpServletResponse response) {
    String message = done == null ? null : switch (done) {
      case "reported" -> "The incident was recorded.";
      case "resolved" -> "The incident was resolved.";
      case "remediation" -> "The deployment was marked as its remediation.";
      default -> null;
    };
    return show(id, message, null, "", "", signedIn, model, response);
  }

  private String show(String id, String done, String problem, String resolvedAt, String remediation,
      Authentication signedIn, Model model, HttpServletResponse response) {
    try {
      long number = id("incident", id);
      Incident i = desk.get(signedIn.getName(), number);
      model.addAttribute("page", new IncidentPage(i, desk.mayHandle(signedIn.getName(), i), done, problem,
          resolvedAt, remediation));
      return "incident";
    } catch (RuntimeException e) {
      model.addAttribute("title", "Incident");
      model.addAttribute("problem", problem(e, response));
      return "incidents-problem";
    }
  }

  @PostMapping("/console/incidents/{id}/resolve")
  String resolve(@PathVariable String id, @RequestParam(required = false) String resolvedAt, Authentication signedIn,
      Model model, HttpServletResponse response) {
    try {
      desk.resolve(signedIn.getName(), id("incident", id), instant("resolvedAt", resolvedAt));
      return "redirect:/console/incidents/" + id + "?done=resolved";
    } catch (RuntimeException e) {
      String problem = problem(e, response);
      int status = response.getStatus();
      String page = show(id, null, "Not resolved: " + problem, resolvedAt, "", signedIn, model, response);
      response.setStatus(status);
      return page;
    }
  }

  @PostMapping("/console/incidents/{id}/remediation")
  String remediation(@PathVariable String id, @RequestParam(required = false) String deployment,
      Authentication signedIn, Model model, HttpServletResponse response) {
    try {
      Long fix = id("deployment", deployment);
      if (fix == null) {
        throw InvalidInputException.of("deployment", "name the deployment that remediates the incident");
      }
      desk.remediate(signedIn.getName(), id("incident", id), fix);
      return "redirect:/console/incidents/" + id + "?done=remediation";
    } catch (RuntimeException e) {
      String problem = problem(e, response);
      int status = response.getStatus();
      String page = show(id, null, "Not marked: " + problem, "", deployment, signedIn, model, response);
      response.setStatus(status);
      return page;
    }
  }

  /** The message of a refusal, setting the status the API answers it with; anything else is not ours to hide. */
  static String problem(RuntimeException e, HttpServletResponse response) {
    if (e instanceof InvalidInputException) {
      response.setStatus(422);
    } else if (e instanceof AccessDeniedException) {
      response.setStatus(403);
    } else if (e instanceof NotFoundException) {
      response.setStatus(404);
    } else if (e instanceof ConflictException) {
      response.setStatus(409);
    } else {
      throw e;
    }
    return e.getMessage();
  }

  private String now() {
    return clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
  }

  private static int parsePage(String page) {
    try {
      int n = Integer.parseInt(page.strip());
      if (n < 0 || n > 100_000) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw InvalidInputException.of("page", "\"" + page + "\" is not a page number");
    }
  }

  /** An ISO-8601 instant, or a date and time without zone (a datetime-local field) read as UTC; blank is none. */
  static Instant instant(String field, String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    String value = text.strip();
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      try {
        return LocalDateTime.parse(value).toInstant(ZoneOffset.UTC);
      } catch (DateTimeParseException again) {
        throw InvalidInputException.of(field, "\"" + text + "\" is not a time: write e.g. 2026-03-02T15:00:00Z");
      }
    }
  }

  static Long id(String field, String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    String value = text.strip().replaceFirst("^#", "");
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw InvalidInputException.of(field, "\"" + text + "\" is not a number");
    }
  }

  private static String limit(String field, String text, int max) {
    if (text != null && text.length() > max) {
      throw InvalidInputException.of(field, "longer than " + max + " characters");
    }
    return text;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }
}
