package io.gantry.console;

import io.gantry.deployment.Deployments;
import io.gantry.environment.Environment;
import io.gantry.environment.Environments;
import io.gantry.environment.Target;
import io.gantry.environment.Targets;
import io.gantry.identity.Access;
import io.gantry.identity.Scope;
import io.gantry.shared.NotFoundException;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;

/**
 * Environments and targets in the console, with what runs where. A reader sees an environment and its
 * targets from any scope that overlaps the environment (as the environments API), and a placement or a
 * deployment only inside the scopes of its roles (as the inventory API).
 */
@Controller
class EnvironmentPages {

  /** As many deployments of a target's history as the inventory API returns by default. */
  static final int HISTORY = 50;

  private final Environments environments;
  private final Targets targets;
  private final Deployments deployments;
  private final Access access;

  EnvironmentPages(Environments environments, Targets targets, Deployments deployments, Access access) {
    this.environments = environments;
    this.targets = targets;
    this.deployments = deployments;
    this.access = access;
  }

  private Access.Reach reach(Authentication signedIn) {
    return access.reach(signedIn.getName(), Access.INSIDERS);
  }

  private static boolean sees(Access.Reach reach, String environment) {
    return reach.sees(new Scope(null, environment));
  }

  private static void requireSees(Access.Reach reach, String environment) {
    if (!sees(reach, environment)) {
      throw new AccessDeniedException("environment " + environment + " is outside the scopes of your roles");
    }
  }

  /** What runs where, as far as the reader may see: the inventory API's placements. */
  private static List<EnvironmentPage.Placement> placements(List<Deployments.Placement> all, Access.Reach reach,
      java.util.function.Predicate<Deployments.Placement> which) {
    return all.stream().filter(p -> reach.sees(new Scope(p.component().service(), p.environment())))
        .filter(which)
        .sorted(Comparator.comparing((Deployments.Placement p) -> p.component().toString())
            .thenComparing(Deployments.Placement::target, Comparator.nullsFirst(Comparator.naturalOrder())))
        .map(p -> new EnvironmentPage.Placement(p.component().toString(), p.target(), p.version(), p.deployment(),
            p.since()))
        .toList();
  }

  @GetMapping("/console/environments")
  String environments(Authentication signedIn, Model model) {
    Access.Reach reach = reach(signedIn);
    Map<String, Long> targetCounts = targets.all().stream()
        .collect(Collectors.groupingBy(t -> t.definition().environment(), Collectors.counting()));
    List<Deployments.Placement> all = deployments.placements();
    List<EnvironmentsPage.Row> rows = environments.all().stream().filter(e -> sees(reach, e.name()))
        .map(e -> {
          var d = e.definition();
          return new EnvironmentsPage.Row(d.name(), d.description(), d.purpose().id(), d.controlled(), d.owner(),
              d.promotesTo(), targetCounts.getOrDefault(d.name(), 0L).intValue(),
              placements(all, reach, p -> p.environment().equals(d.name())).size());
        })
        .toList();
    model.addAttribute("page", new EnvironmentsPage(rows));
    return "catalog/environments";
  }

  @GetMapping("/console/environments/{name}")
  String environment(@PathVariable String name, Authentication signedIn, Model model,
      HttpServletResponse response) {
    return CatalogRefusals.show(model, response, () -> {
      Access.Reach reach = reach(signedIn);
      requireSees(reach, name);
      Environment e = environments.find(name).orElseThrow(() -> new NotFoundException("environment", name));
      var d = e.definition();
      model.addAttribute("page", new EnvironmentPage(d.name(), d.description(), d.purpose().id(), d.controlled(),
          d.owner(), d.promotesTo(), d.labels(),
          targets.in(name).stream().sorted(Comparator.comparing(Target::name)).map(t -> {
            var td = t.definition();
            return new EnvironmentPage.TargetRow(td.name(), td.description(), td.kind().id(), td.location(),
                td.facts(), td.tags());
          }).toList(),
          placements(deployments.placements(), reach, p -> p.environment().equals(name))));
      return "catalog/environment";
    });
  }

  @GetMapping("/console/targets/{name}")
  String target(@PathVariable String name, Authentication signedIn, Model model, HttpServletResponse response) {
    return CatalogRefusals.show(model, response, () -> {
      Target t = targets.find(name).orElseThrow(() -> new NotFoundException("target", name));
      Access.Reach reach = reach(signedIn);
      requireSees(reach, t.definition().environment());
      var d = t.definition();
      List<TargetPage.HistoryRow> history = deployments.onTarget(name, HISTORY).stream()
          .filter(x -> reach.sees(x.scope()))
          .map(x -> {
            var run = deployments.targetRuns(x.id()).stream().filter(r -> r.target().equals(name)).findFirst();
            return new TargetPage.HistoryRow(x.id(), x.component().toString(), x.version(), x.kind().id(),
                words(x.state().name()), run.map(r -> words(r.state().name())).orElse(""), x.requestedBy(),
                run.map(r -> r.startedAt()).orElse(x.startedAt()), run.map(r -> r.finishedAt()).orElse(x.finishedAt()));
          }).toList();
      model.addAttribute("page", new TargetPage(d.name(), d.description(), d.environment(), d.kind().id(), d.path(),
          d.location(), d.facts(), d.tags(), d.labels(),
          placements(deployments.placements(), reach, p -> name.equals(p.target())), history));
      return "catalog/target";
    });
  }

  private static String words(String constant) {
    return constant.toLowerCase(Locale.ROOT).replace('_', ' ');
  }
}
