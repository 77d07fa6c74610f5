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
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
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

  private final ModelAgreements agreements;
  private final ModelNotices notices;

  ModelController(Models models, ModelServices services, Access access, ModelAgreements agreements,
      ModelNotices notices) {
    this.models = models;
    this.services = services;
    this.access = access;
    this.agreements = agreements;
    this.notices = notices;
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

  /**
   * A version in the history: who proposed it, when and why, its state, the users whose agreement it awaited, their
   * decisions with comments, and when it came into force (and why then).
   */
  record VersionSummary(int number, String author, String reason, Instant createdAt, String specDigest,
      String state, Instant inForceAt, String inForceNote, List<String> awaits, List<DecisionView> decisions,
      Instant endedAt) {
    static VersionSummary of(ModelVersion v, List<ModelAgreements.Agreement> decisions) {
      return new VersionSummary(v.number(), v.author(), v.reason(), v.createdAt(), v.digest(), v.state().id(),
          v.inForceAt(), v.inForceNote(), v.signers(), decisions.stream().map(DecisionView::of).toList(),
          v.endedAt());
    }
  }

  /** One owner's or reviewer's decision on a proposal. */
  record DecisionView(String user, String decision, String comment, Instant decidedAt) {
    static DecisionView of(ModelAgreements.Agreement a) {
      return new DecisionView(a.user(), a.decision().id(), a.comment(), a.decidedAt());
    }
  }

  record VersionView(String model, int number, String author, String reason, Instant createdAt, String specDigest,
      String spec, String diff, String state, Instant inForceAt, String inForceNote, List<String> awaits,
      List<DecisionView> decisions, Instant endedAt) {}

  /** A decision on a proposal: {@code agree} or {@code reject}, with why. */
  record DecisionRequest(String decision, String comment) {}

  /** Who was told of a version coming into force, why, and when each read it (null: not yet). */
  record NoticeReceipt(long id, String user, String why, Instant createdAt, Instant readAt) {}

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
  @Operation(summary = "The history of a model: every version with author, reason, time, state (proposed, in-force, "
      + "superseded, rejected, withdrawn), whose agreement it awaits and their decisions, newest first")
  List<VersionSummary> versions(@PathVariable String name, Principal principal) {
    visible(name, principal);
    return models.versions(name).stream().map(v -> VersionSummary.of(v, agreements.of(name, v.number()))).toList();
  }

  @PostMapping("/{name}/versions/{number}/agreement")
  @Operation(summary = "Agree or reject a proposed version, with a comment: only the owner and reviewers it awaits, "
      + "each for themselves, never its proposer; the last agreement brings it into force, one rejection ends it")
  VersionSummary agreement(@PathVariable String name, @PathVariable int number,
      @RequestBody DecisionRequest body, Principal principal) {
    String user = principal.getName();
    ModelVersion v = models.version(name, number);
    if (!v.signers().contains(user)) {
      visible(name, principal);
    }
    ModelAgreements.Decision decision = ModelAgreements.Decision.fromId("decision",
        body == null ? null : body.decision());
    ModelVersion after = agreements.decide(name, number, user, decision, body.comment());
    return VersionSummary.of(after, agreements.of(name, number));
  }

  @GetMapping("/{name}/versions/{number}/notices")
  @Operation(summary = "Who was told that a version came into force, why, and who has read it: for the model's "
      + "owner and for deployment managers reaching a service that uses it")
  List<NoticeReceipt> notices(@PathVariable String name, @PathVariable int number, Principal principal) {
    DeploymentModel model = models.get(name);
    models.version(name, number);
    String user = principal.getName();
    boolean owner = model.definition() != null && user.equals(model.definition().spec().owner());
    if (!owner) {
      Access.Reach reach = access.reach(user, java.util.EnumSet.of(io.gantry.identity.Role.DEPLOYMENT_MANAGER));
      if (!reach.everywhere()) {
        reach.requireSees("who read the notices of model " + name + " (for its owner and deployment managers)",
            services.of(model).stream().map(Scope::service).toList());
      }
    }
    return notices.ofVersion(name, number).stream()
        .map(n -> new NoticeReceipt(n.id(), n.user(), n.why(), n.createdAt(), n.readAt())).toList();
  }

  @GetMapping("/{name}/versions/{number}")
  @Operation(summary = "One version of a model with its text and its diff from the version before")
  VersionView version(@PathVariable String name, @PathVariable int number, Principal principal) {
    visible(name, principal);
    ModelVersion v = models.version(name, number);
    return new VersionView(v.model(), v.number(), v.author(), v.reason(), v.createdAt(), v.digest(), v.text(),
        v.diff(), v.state().id(), v.inForceAt(), v.inForceNote(), v.signers(),
        agreements.of(name, number).stream().map(DecisionView::of).toList(), v.endedAt());
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
