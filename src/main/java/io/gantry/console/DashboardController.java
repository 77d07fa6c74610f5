package io.gantry.console;

import io.gantry.catalog.ComponentRef;
import io.gantry.catalog.Components;
import io.gantry.deployment.DeploymentEvent;
import io.gantry.deployment.DeploymentMatrix;
import io.gantry.deployment.DeploymentState;
import io.gantry.environment.Environment;
import io.gantry.environment.Environments;
import io.gantry.identity.Access;
import io.gantry.identity.Scope;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The dashboard: the matrix of components and environments with the version running in each, the last
 * deployment's outcome and what is under way. The page polls its matrix ({@code /console/dashboard/matrix},
 * the same filters) to stay current. It shows what the API's list of deployments would show the reader:
 * the places inside the scopes its roles reach.
 */
@Controller
class DashboardController {

  private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
      .withZone(ZoneOffset.UTC);

  private final DeploymentMatrix matrix;
  private final Components components;
  private final Environments environments;
  private final Access access;
  private final Clock clock;

  DashboardController(DeploymentMatrix matrix, Components components, Environments environments, Access access,
      Clock clock) {
    this.matrix = matrix;
    this.components = components;
    this.environments = environments;
    this.access = access;
    this.clock = clock;
  }

  @GetMapping("/console/dashboard")
  String page(@RequestParam(required = false) String service, @RequestParam(required = false) String environment,
      Authentication signedIn, Model model) {
    model.addAttribute("page", read(signedIn.getName(), blankIsNull(service), blankIsNull(environment)));
    return "dashboard/page";
  }

  /** The matrix alone, for the page to replace its own with every few seconds. */
  @GetMapping("/console/dashboard/matrix")
  String matrix(@RequestParam(required = false) String service, @RequestParam(required = false) String environment,
      Authentication signedIn, Model model) {
    model.addAttribute("page", read(signedIn.getName(), blankIsNull(service), blankIsNull(environment)));
    return "dashboard/matrix";
  }

  private static String blankIsNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }

  DashboardPage read(String user, String service, String environment) {
    Instant now = clock.instant();
    Access.Reach reach = access.reach(user, Access.INSIDERS);
    String query = query(service, environment);
    String readAt = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC).format(now) + " UTC";
    if (!reach.everywhere() && reach.scopes().isEmpty()) {
      return new DashboardPage(service, environment, List.of(), List.of(), List.of(), List.of(),
          "None of your roles reaches a service or an environment, so there is no deployment you may see. "
              + "An administrator can bind you a role in a service or an environment.", query, readAt);
    }
    Map<DeploymentMatrix.Place, DeploymentMatrix.Cell> cells = matrix.cells(new DeploymentMatrix.Filter(service,
        environment, reach.everywhere() ? null : reach.scopes()));

    List<Environment> seenEnvironments = environments.all().stream()
        .filter(e -> reach.sees(new Scope(null, e.name()))).toList();
    List<String> ordered = PromotionOrder.of(seenEnvironments);
    List<String> columns = new ArrayList<>(ordered.stream().filter(e -> environment == null || e.equals(environment))
        .toList());
    // environments deployed to that configuration no longer declares keep their column
    cells.keySet().stream().map(DeploymentMatrix.Place::environment).filter(e -> !columns.contains(e)).distinct()
        .sorted().forEach(columns::add);

    List<ComponentRef> catalog = components.all().stream().map(c -> c.definition().ref()).toList();
    TreeMap<String, TreeSet<String>> rows = new TreeMap<>();
    catalog.stream()
        .filter(ref -> service == null || ref.service().equals(service))
        .filter(ref -> reach.seesService(ref.service()))
        .forEach(ref -> rows.computeIfAbsent(ref.service(), s -> new TreeSet<>()).add(ref.component()));
    // (the matrix reads the catalog's places only; this keeps every cell it answers in a row all the same)
    cells.keySet().forEach(p -> rows.computeIfAbsent(p.component().service(), s -> new TreeSet<>())
        .add(p.component().component()));

    List<DashboardPage.Group> groups = new ArrayList<>();
    rows.forEach((svc, names) -> groups.add(new DashboardPage.Group(svc, names.stream().map(name -> {
      ComponentRef ref = new ComponentRef(svc, name);
      return new DashboardPage.Row(name, columns.stream().map(env -> cell(reach, env, ref,
          cells.get(new DeploymentMatrix.Place(env, ref)), now)).toList());
    }).toList())));

    List<String> serviceChoices = new ArrayList<>(new TreeSet<>(catalog.stream().map(ComponentRef::service)
        .filter(reach::seesService).toList()));
    String empty = null;
    if (columns.isEmpty() || groups.isEmpty()) {
      empty = service != null || environment != null
          ? "Nothing matches these filters among the services and environments you may see."
          : "No component or environment yet: apply configuration that declares them, then deploy.";
    }
    return new DashboardPage(service, environment, serviceChoices, ordered, columns, groups, empty, query, readAt);
  }

  private static String query(String service, String environment) {
    List<String> parts = new ArrayList<>();
    if (service != null) {
      parts.add("service=" + URLEncoder.encode(service, StandardCharsets.UTF_8));
    }
    if (environment != null) {
      parts.add("environment=" + URLEncoder.encode(environment, StandardCharsets.UTF_8));
    }
    return parts.isEmpty() ? "" : "?" + String.join("&", parts);
  }

  static DashboardPage.Cell cell(Access.Reach reach, String environment, ComponentRef component,
      DeploymentMatrix.Cell cell, Instant now) {
    if (!reach.sees(new Scope(component.service(), environment))) {
      return new DashboardPage.Cell(environment, false, null, null, "none", null, null, null, List.of());
    }
    if (cell == null) {
      return new DashboardPage.Cell(environment, true, null, null, "none", null, null, null, List.of());
    }
    DeploymentMatrix.Entry last = cell.last();
    String version = cell.deployedVersion();
    String lastVersion = last.version().equals(version) ? null : last.kind().id().equals("undeploy")
        ? "remove " + last.version() : last.version();
    Instant at = last.finishedAt() != null ? last.finishedAt() : last.requestedAt();
    List<DashboardPage.Marker> markers = new ArrayList<>();
    cell.running().stream().limit(3).forEach(a -> markers.add(new DashboardPage.Marker("running",
        "Running #" + a.id() + " " + a.version() + " (" + words(a.state()) + ")", a.id())));
    cell.waiting().stream().limit(3).forEach(a -> markers.add(new DashboardPage.Marker("waiting",
        "Waiting #" + a.id() + " " + a.version() + " for " + waitingFor(a.waitingFor()), a.id())));
    int more = Math.max(0, cell.running().size() - 3) + Math.max(0, cell.waiting().size() - 3);
    if (more > 0) {
      markers.add(new DashboardPage.Marker("waiting", "and " + more + " more under way", null));
    }
    // planned for a later time (deploy --at): not in the queue until then
    cell.queued().stream().filter(a -> a.plannedStart() != null && a.plannedStart().isAfter(now)).limit(3)
        .forEach(a -> markers.add(new DashboardPage.Marker("queued", "Planned #" + a.id() + " " + a.version()
            + " for " + MINUTE.format(a.plannedStart()), a.id())));
    List<DeploymentMatrix.Active> queued = cell.queued().stream()
        .filter(a -> a.plannedStart() == null || !a.plannedStart().isAfter(now)).toList();
    if (!queued.isEmpty()) {
      markers.add(new DashboardPage.Marker("queued", "Queued: " + queued.size(),
          queued.size() == 1 ? queued.getFirst().id() : null));
    }
    return new DashboardPage.Cell(environment, true, version, status(last.state(), cell, now), tone(last.state()),
        lastVersion, last.id(), ago(Duration.between(at, now)), markers);
  }

  /** The last deployment's state for the reader; one not ended says what it does now. */
  private static String status(DeploymentState state, DeploymentMatrix.Cell cell, Instant now) {
    if (state.isFinal()) {
      return words(state);
    }
    return cell.active().stream().filter(a -> a.id() == cell.last().id()).findFirst()
        .map(a -> a.waiting() ? "Waiting" : !a.queued() ? "In progress"
            : a.plannedStart() != null && a.plannedStart().isAfter(now) ? "Planned" : "Queued")
        .orElse("In progress");
  }

  private static String tone(DeploymentState state) {
    return switch (state) {
      case SUCCEEDED -> "succeeded";
      case FAILED -> "failed";
      case ROLLED_BACK -> "rolled-back";
      case CANCELLED -> "cancelled";
      default -> "under-way";
    };
  }

  /** {@code ROLLED_BACK} as {@code Rolled back}. */
  static String words(DeploymentState state) {
    String s = state.name().replace('_', ' ').toLowerCase(java.util.Locale.ROOT);
    return Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }

  /** What a kind of wait is for, in the reader's words. */
  static String waitingFor(DeploymentEvent.WaitKind kind) {
    if (kind == null) {
      return "something";
    }
    return switch (kind) {
      case LOCK -> "its turn in the queue";
      case SCHEDULE -> "its planned start";
      case CHANGE -> "an authorized change";
      case APPROVAL -> "an approval";
      case WINDOW -> "an allowed window";
      case MANUAL -> "a manual task";
      case DECISION -> "a decision after a failure";
      case RETRY -> "a retry";
      case RELEASE -> "its release";
      case PAUSE -> "the pause between batches";
      case ENTRY_CONFIRMATION -> "an entry confirmation";
      case EXIT_CONFIRMATION -> "an exit confirmation";
      case CANARY_PAUSE -> "the canary's pause";
      case CANARY_ANALYSIS -> "the canary's analysis";
      case TARGET_BUSY -> "a busy target";
      case SWITCH_ANALYSIS -> "the analysis of an idle slot before its switch";
      case VERIFY_ANALYSIS -> "the verification analysis";
    };
  }

  /** {@code 40s ago}, {@code 5m ago}, {@code 3h ago}, {@code 2d ago}. */
  static String ago(Duration d) {
    long s = Math.max(0, d.toSeconds());
    if (s < 60) {
      return s + "s ago";
    }
    if (s < 3600) {
      return s / 60 + "m ago";
    }
    if (s < 86_400) {
      return s / 3600 + "h ago";
    }
    return s / 86_400 + "d ago";
  }

  /**
   * Environments in the order versions move through them: an environment before those it promotes to,
   * and among those free to come next, by purpose (development first, production last), then by name.
   */
  static final class PromotionOrder {

    static List<String> of(List<Environment> environments) {
      Map<String, Environment> byName = new TreeMap<>();
      environments.forEach(e -> byName.put(e.name(), e));
      Map<String, Integer> before = new TreeMap<>();
      byName.keySet().forEach(n -> before.put(n, 0));
      byName.values().forEach(e -> e.definition().promotesTo().stream().filter(byName::containsKey).distinct()
          .forEach(t -> before.merge(t, 1, Integer::sum)));
      Comparator<Environment> next = Comparator.comparing((Environment e) -> e.definition().purpose())
          .thenComparing(Environment::name);
      java.util.PriorityQueue<Environment> free = new java.util.PriorityQueue<>(next);
      byName.values().stream().filter(e -> before.get(e.name()) == 0).forEach(free::add);
      List<String> out = new ArrayList<>();
      while (!free.isEmpty()) {
        Environment e = free.poll();
        out.add(e.name());
        e.definition().promotesTo().stream().filter(byName::containsKey).distinct().forEach(t -> {
          if (before.merge(t, -1, Integer::sum) == 0) {
            free.add(byName.get(t));
          }
        });
      }
      // a promotion cycle leaves some out: they follow by purpose and name
      byName.values().stream().filter(e -> !out.contains(e.name())).sorted(next).forEach(e -> out.add(e.name()));
      return out;
    }
  }
}
