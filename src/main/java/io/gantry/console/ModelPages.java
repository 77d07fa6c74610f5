package io.gantry.console;

import io.gantry.identity.Access;
import io.gantry.identity.Scope;
import io.gantry.model.DeploymentModel;
import io.gantry.model.ModelServices;
import io.gantry.model.ModelVersion;
import io.gantry.model.Models;
import io.gantry.shared.InvalidInputException;
import jakarta.servlet.http.HttpServletResponse;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * Deployment models in the console: the models a reader's roles reach (those used by a service it sees, as
 * the models API shows them), a model's versions and two of its versions side by side.
 */
@Controller
class ModelPages {

  private final Models models;
  private final ModelServices services;
  private final Access access;

  ModelPages(Models models, ModelServices services, Access access) {
    this.models = models;
    this.services = services;
    this.access = access;
  }

  @GetMapping("/console/models")
  String models(Authentication signedIn, Model model) {
    Access.Reach reach = access.reach(signedIn.getName(), Access.INSIDERS);
    List<DeploymentModel> all = models.all();
    Map<String, Set<String>> used = services.of(all);
    List<ModelsPage.Row> rows = all.stream()
        .filter(m -> reach.everywhere() || used.get(m.name()).stream().anyMatch(reach::seesService))
        .sorted(java.util.Comparator.comparing(DeploymentModel::name))
        .map(m -> new ModelsPage.Row(m.name(), m.definition() == null ? null : m.definition().description(),
            m.currentVersion(), m.retired(), List.copyOf(used.get(m.name())), m.updatedAt()))
        .toList();
    model.addAttribute("page", new ModelsPage(rows));
    return "catalog/models";
  }

  /** The model, when the reader's roles reach a service that uses it (as the API's); refused otherwise. */
  private DeploymentModel visible(String name, String user) {
    DeploymentModel model = models.get(name);
    Access.Reach reach = access.reach(user, Access.INSIDERS);
    if (!reach.everywhere()) {
      reach.requireSees("deployment model " + name, services.of(model).stream().map(Scope::service).toList());
    }
    return model;
  }

  @GetMapping("/console/models/{name}")
  String model(@PathVariable String name, @RequestParam(required = false) Integer from,
      @RequestParam(required = false) Integer to, Authentication signedIn, Model model,
      HttpServletResponse response) {
    return CatalogRefusals.show(model, response, () -> {
      DeploymentModel m = visible(name, signedIn.getName());
      int current = m.currentVersion();
      int b = to == null ? current : to;
      int a = from == null ? Math.max(1, b - 1) : from;
      if (a < 1 || b < 1 || a > current || b > current) {
        throw InvalidInputException.of(from != null && (a < 1 || a > current) ? "from" : "to",
            "versions of model " + name + " run from 1 to " + current);
      }
      List<ModelVersion> history = models.versions(name);
      ModelVersion left = models.version(name, a);
      ModelVersion right = models.version(name, b);
      model.addAttribute("page", new ModelPage(name, m.definition() == null ? null : m.definition().description(),
          current, m.retired(), List.copyOf(services.of(m)),
          history.stream().map(v -> new ModelPage.VersionRow(v.number(), v.author(), v.reason(), v.createdAt(),
              v.digest())).toList(),
          a, b, right.text(), a == b ? List.of() : SideBySide.of(left.text(), right.text()),
          java.util.Objects.equals(left.text(), right.text())));
      return "catalog/model";
    });
  }
}
