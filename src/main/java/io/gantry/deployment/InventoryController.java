package io.gantry.deployment;

import io.gantry.identity.Access;
import io.gantry.identity.Scope;
import io.swagger.v3.oas.annotations.Operation;
import java.security.Principal;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Instant;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * What is where: the version of each component on each target, and the history of a target; each
 * caller sees the placements and deployments inside the scopes its roles reach.
 */
@RestController
@RequestMapping("/api/v1/inventory")
@Tag(name = "Inventory", description = "What runs where, from the deployment records")
class InventoryController {

  private final Deployments deployments;
  private final Access access;

  InventoryController(Deployments deployments, Access access) {
    this.deployments = deployments;
    this.access = access;
  }

  record PlacementView(String environment, String component, String target, String version, long deployment,
      Instant since) {}

  @GetMapping
  @Operation(summary = "The environment x component matrix: the version on each target and the deployment that put "
      + "it there; optionally for one environment or service")
  List<PlacementView> placements(@RequestParam(required = false) String environment,
      @RequestParam(required = false) String service, Principal principal) {
    Access.Reach reach = access.reach(principal.getName(), Access.INSIDERS);
    return deployments.placements().stream()
        .filter(p -> reach.sees(new Scope(p.component().service(), p.environment())))
        .filter(p -> environment == null || p.environment().equals(environment))
        .filter(p -> service == null || p.component().service().equals(service))
        .map(p -> new PlacementView(p.environment(), p.component().toString(), p.target(), p.version(),
            p.deployment(), p.since())).toList();
  }

  @GetMapping("/targets/{target}/history")
  @Operation(summary = "The deployments that worked on one target, newest first")
  List<DeploymentController.DeploymentView> targetHistory(@PathVariable String target,
      @RequestParam(defaultValue = "50") int limit, Principal principal) {
    io.gantry.shared.InvalidParameterException.within("limit", limit, 1, 1000);
    Access.Reach reach = access.reach(principal.getName(), Access.INSIDERS);
    return deployments.onTarget(target, limit).stream().filter(d -> reach.sees(d.scope()))
        .map(d -> DeploymentController.DeploymentView.of(d, deployments.targetRuns(d.id()).stream()
            .filter(r -> r.target().equals(target)).toList())).toList();
  }
}
