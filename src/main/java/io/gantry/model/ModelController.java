package io.gantry.model;

import io.gantry.identity.Access;
import io.gantry.identity.Scope;
import io.gantry.shared.InvalidInputException;
import io.gantry.shared.Page;
import io.gantry.shared.PageRequest;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.security.Principal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/models")
@Tag(name = "Deployment models", description = "Deployment models, their versions and diffs")
class ModelController {

  private final Models models;
  private final ModelServices services;
  private final Access access;

  ModelController(Models models, ModelServices services, Access access) {
    this.models = models;
    this.services = services;
    this.access = access;
  }

  /** The model, when the caller's roles reach a service that uses it; refused otherwise. */
  private DeploymentModel visible(String name, Principal principal) {
    DeploymentModel model = models.get(name);
    Access.Reach reach = access.reach(principal.getName(), Access.INSIDERS);
    if (!reach.everywhere()) {
      reach.requireSees("deployment model " + name, services.of(model).stream().map(s -> Scope.service(s))
          .toList());
    }
    return model;
  }

  record ModelView(String name, String description, Map<String, String> labels, int currentVersion, boolean retired,
      DeploymentModelSpec spec, Instant updatedAt, long rowVersion) {
    static ModelView of(DeploymentModel m) {
      var d = m.definition();
      return new ModelView(m.name(), d == null ? null : d.description(), d == null ? Map.of() : d.labels(),
          m.currentVersion(), m.retired(), d == null ? null : d.spec(), m.updatedAt(), m.rowVersion());
    }
  }

  record VersionSummary(int number, String author, String reason, Instant createdAt, String specDigest) {
    static VersionSummary of(ModelVersion v) {
      return new VersionSummary(v.number(), v.author(), v.reason(), v.createdAt(), v.digest());
    }
  }

  record VersionView(String model, int number, String author, String reason, Instant createdAt, String specDigest,
      String spec, String diff) {}

  record DiffView(String model, int from, int to, String diff) {}

  @GetMapping
  @Operation(summary = "List deployment models (those used by a service the caller's roles reach)")
  Page<ModelView> models(@RequestParam(defaultValue = "0") int page, @RequestParam(defaultValue = "50") int size,
      Principal principal) {
    PageRequest request = new PageRequest(page, size);
    Access.Reach reach = access.reach(principal.getName(), Access.INSIDERS);
    if (reach.everywhere()) {
      return models.page(request).map(ModelView::of);
    }
    List<DeploymentModel> all = models.all();
    Map<String, Set<String>> used = services.of(all);
    return Page.of(all.stream().filter(m -> used.get(m.name()).stream().anyMatch(reach::seesService)).toList(),
        request).map(ModelView::of);
  }

  @GetMapping("/{name}")
  @Operation(summary = "One deployment model at its current version")
  ModelView model(@PathVariable String name, Principal principal) {
    return ModelView.of(visible(name, principal));
  }

  @GetMapping("/{name}/versions")
  @Operation(summary = "The history of a model: every version with author, reason and time, newest first")
  List<VersionSummary> versions(@PathVariable String name, Principal principal) {
    visible(name, principal);
    return models.versions(name).stream().map(VersionSummary::of).toList();
  }

  @GetMapping("/{name}/versions/{number}")
  @Operation(summary = "One version of a model with its text and its diff from the version before")
  VersionView version(@PathVariable String name, @PathVariable int number, Principal principal) {
    visible(name, principal);
    ModelVersion v = models.version(name, number);
    return new VersionView(v.model(), v.number(), v.author(), v.reason(), v.createdAt(), v.digest(), v.text(),
        v.diff());
  }

  @GetMapping("/{name}/diff")
  @Operation(summary = "Unified diff between two versions (default: the previous and the current)")
  DiffView diff(@PathVariable String name, @RequestParam(required = false) Integer from,
      @RequestParam(required = false) Integer to, Principal principal) {
    int current = visible(name, principal).currentVersion();
    int b = to == null ? current : to;
    int a = from == null ? Math.max(1, b - 1) : from;
    if (a < 1 || b < 1 || a > current || b > current) {
      throw InvalidInputException.of(from != null && (a < 1 || a > current) ? "from" : "to",
          "versions of model " + name + " run from 1 to " + current);
    }
    return new DiffView(name, a, b, models.diff(name, a, b));
  }
}
