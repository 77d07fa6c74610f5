package io.gantry.environment;

import io.gantry.shared.NotFoundException;
import io.gantry.shared.Page;
import io.gantry.shared.PageRequest;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import java.util.Map;
import io.gantry.identity.Access;
import io.gantry.identity.Scope;
import java.security.Principal;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1")
@Tag(name = "Environments", description = "Environments and their targets")
class EnvironmentController {

  private final Environments environments;
  private final Targets targets;
  private final Access access;

  EnvironmentController(Environments environments, Targets targets, Access access) {
    this.environments = environments;
    this.targets = targets;
    this.access = access;
  }

  /** Where the caller's roles reach: an environment (and its targets) is read from a scope that overlaps it. */
  private Access.Reach reach(Principal principal) {
    return access.reach(principal.getName(), Access.INSIDERS);
  }

  private static boolean sees(Access.Reach reach, String environment) {
    return reach.sees(new Scope(null, environment));
  }

  record EnvironmentView(String name, String description, String purpose, boolean controlled, String owner,
      List<String> promotesTo, Map<String, String> labels, long rowVersion) {
    static EnvironmentView of(Environment e) {
      var d = e.definition();
      return new EnvironmentView(d.name(), d.description(), d.purpose().id(), d.controlled(), d.owner(),
          d.promotesTo(), d.labels(), e.rowVersion());
    }
  }

  record TargetView(String name, String description, String environment, String kind, String path, String location,
      Map<String, String> facts, List<String> tags, Map<String, String> labels, long rowVersion) {
    static TargetView of(Target t) {
      var d = t.definition();
      return new TargetView(d.name(), d.description(), d.environment(), d.kind().id(), d.path(), d.location(),
          d.facts(), d.tags(), d.labels(), t.rowVersion());
    }
  }

  @GetMapping("/environments")
  @Operation(summary = "List environments")
  Page<EnvironmentView> environments(@RequestParam(defaultValue = "0") int page,
      @RequestParam(defaultValue = "50") int size, Principal principal) {
    PageRequest request = new PageRequest(page, size);
    Access.Reach reach = reach(principal);
    if (reach.everywhere()) {
      return environments.page(request).map(EnvironmentView::of);
    }
    return Page.of(environments.all().stream().filter(e -> sees(reach, e.name())).toList(), request)
        .map(EnvironmentView::of);
  }

  @GetMapping("/environments/{name}")
  @Operation(summary = "One environment")
  EnvironmentView environment(@PathVariable String name, Principal principal) {
    requireSees(name, principal);
    return EnvironmentView.of(environments.find(name).orElseThrow(() -> new NotFoundException("environment", name)));
  }

  @GetMapping("/targets")
  @Operation(summary = "List targets, optionally of one environment")
  Page<TargetView> targets(@RequestParam(required = false) String environment,
      @RequestParam(defaultValue = "0") int page, @RequestParam(defaultValue = "50") int size, Principal principal) {
    PageRequest request = new PageRequest(page, size);
    if (environment != null) {
      requireSees(environment, principal);
    }
    if (environment != null && environments.find(environment).isEmpty()) {
      throw new NotFoundException("environment", environment);
    }
    Access.Reach reach = reach(principal);
    if (reach.everywhere() || environment != null) {
      return targets.page(environment, request).map(TargetView::of);
    }
    return Page.of(targets.all().stream().filter(t -> sees(reach, t.definition().environment())).toList(), request)
        .map(TargetView::of);
  }

  private void requireSees(String environment, Principal principal) {
    if (!sees(reach(principal), environment)) {
      throw new AccessDeniedException("environment " + environment + " is outside the scopes of your roles");
    }
  }

  @GetMapping("/targets/{name}")
  @Operation(summary = "One target")
  TargetView target(@PathVariable String name, Principal principal) {
    Target t = targets.find(name).orElseThrow(() -> new NotFoundException("target", name));
    requireSees(t.definition().environment(), principal);
    return TargetView.of(t);
  }
}
