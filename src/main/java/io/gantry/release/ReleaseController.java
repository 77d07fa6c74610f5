package io.gantry.release;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Size;
import io.gantry.shared.InvalidParameterException;

import io.gantry.deployment.Deployment;
import io.gantry.identity.Access;
import io.gantry.identity.Role;
import io.gantry.identity.Scope;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.security.Principal;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Tag(name = "Releases", description = "Named sets of component versions deployed as one, in dependency order")
class ReleaseController {

  /** Those who record, deploy and cancel releases, in every service (and environment) a release touches. */
  private static final Set<Role> DEPLOYERS = EnumSet.of(Role.DEPLOYMENT_MANAGER, Role.DEPLOYMENT_PRACTITIONER,
      Role.SERVICE_OWNER, Role.TECHNICAL_SPECIALIST);

  /** The most releases or runs one list holds. */
  private static final int MOST = 1000;

  private final Releases releases;
  private final Access access;

  ReleaseController(Releases releases, Access access) {
    this.releases = releases;
    this.access = access;
  }

  /** Where a release lies: the services of its members, in no environment. */
  private static List<Scope> scopes(Release r) {
    return r.items().stream().map(i -> i.component().service()).distinct().map(Scope::service).toList();
  }

  /** Where a run acts: each service of its release in the run's environment. */
  private static List<Scope> scopes(Release r, String environment) {
    return scopes(r).stream().map(s -> new Scope(s.service(), environment)).toList();
  }

  private Access.Reach reach(Principal principal) {
    return access.reach(principal.getName(), Access.INSIDERS);
  }

  /** The run, when the caller's roles reach one of its services in its environment; refused otherwise. */
  private Releases.RunView visible(long id, Principal principal) {
    Releases.RunView view = releases.run(id);
    reach(principal).requireSees("release run #" + id, scopes(releases.get(view.run().release()),
        view.run().environment()));
    return view;
  }

  /** {@code members}: SERVICE/COMPONENT@VERSION, in any order; the release keeps them in dependency order. */
  record NewRelease(@Size(max = 63) String name, @Size(max = 2000) String description,
      @Size(max = 200) List<@Size(max = 200) String> members) {}

  record ItemView(int position, String component, String version) {}

  record ReleaseView(long id, String name, String description, String createdBy, Instant createdAt,
      List<ItemView> members, List<RunSummary> runs) {
    static ReleaseView of(Release r, List<ReleaseRun> runs) {
      return new ReleaseView(r.id(), r.name(), r.description(), r.createdBy(), r.createdAt(), r.items().stream()
          .map(i -> new ItemView(i.position(), i.component().toString(), i.version())).toList(),
          runs == null ? null : runs.stream().map(RunSummary::of).toList());
    }
  }

  record RunSummary(long id, String release, String environment, String state, String requestedBy,
      Instant requestedAt, Instant endedAt, String outcome) {
    static RunSummary of(ReleaseRun r) {
      return new RunSummary(r.id(), r.release(), r.environment(), r.state().id(), r.requestedBy(), r.requestedAt(),
          r.endedAt(), r.outcome());
    }
  }

  /** {@code at} plans the first member's start (ISO-8601 instant); {@code priority} -100..100. */
  record NewRun(@Size(max = 63) String environment, @Size(max = 2000) String reason, Instant at, Integer priority) {}

  record MemberView(int position, String purpose, Long deployment, Long rollsBack, String component, String version,
      String kind, String state, Instant startedAt, Instant finishedAt, String outcome, String note) {
    static MemberView of(Releases.Member m) {
      Deployment d = m.deployment();
      ReleaseRun.Member x = m.member();
      return new MemberView(x.position(), x.purpose().name().toLowerCase(), x.deployment(), x.rollsBack(),
          d == null ? null : d.component().toString(), d == null ? null : d.version(),
          d == null ? null : d.kind().id(), d == null ? null : d.state().name(), d == null ? null : d.startedAt(),
          d == null ? null : d.finishedAt(), d == null ? null : d.outcome(), x.note());
    }
  }

  record EntryView(Instant at, String actor, String state, String message) {}

  record RunView(long id, String release, String environment, String state, String requestedBy, Instant requestedAt,
      String reason, String cancelRequested, Instant endedAt, String outcome, List<MemberView> members,
      List<EntryView> history) {
    static RunView of(Releases.RunView v) {
      ReleaseRun r = v.run();
      return new RunView(r.id(), r.release(), r.environment(), r.state().id(), r.requestedBy(), r.requestedAt(),
          r.reason(), r.cancelRequested(), r.endedAt(), r.outcome(), v.members().stream().map(MemberView::of).toList(),
          v.history().stream().map(e -> new EntryView(e.at(), e.actor(), e.state() == null ? null : e.state().id(),
              e.message())).toList());
    }
  }

  record Cancellation(@Size(max = 2000) String reason) {}

  @PostMapping("/api/v1/releases")
  @Operation(summary = "Record a release: a named set of component versions, kept in dependency order, never "
      + "changed; needs one of the roles deployment-manager, deployment-practitioner, service-owner, "
      + "technical-specialist in each of its members' services")
  ResponseEntity<ReleaseView> create(@Valid @RequestBody NewRelease body, Principal principal) {
    List<Scope> named = body.members() == null ? List.of() : body.members().stream()
        .filter(m -> m != null && m.strip().indexOf('/') > 0).map(m -> m.strip().substring(0, m.strip().indexOf('/')))
        .distinct().map(Scope::service).toList();
    access.require(principal.getName(), DEPLOYERS, named, "recording a release");
    Release r = releases.create(body.name(), body.description(), body.members(), principal.getName());
    return ResponseEntity.status(HttpStatus.CREATED).body(ReleaseView.of(r, List.of()));
  }

  @GetMapping("/api/v1/releases")
  @Operation(summary = "Releases, newest first (those with a member in a service the caller's roles reach)")
  List<ReleaseView> list(@RequestParam(defaultValue = "100") int limit, Principal principal) {
    int most = InvalidParameterException.within("limit", limit, 1, MOST);
    Access.Reach reach = reach(principal);
    if (reach.everywhere()) {
      return releases.list(most).stream().map(r -> ReleaseView.of(r, null)).toList();
    }
    // the latest the caller sees among the latest kept
    return releases.list(MOST).stream().filter(r -> reach.seesAny(scopes(r))).limit(most)
        .map(r -> ReleaseView.of(r, null)).toList();
  }

  @GetMapping("/api/v1/releases/{name}")
  @Operation(summary = "A release with its runs (its deployments into environments), newest first")
  ReleaseView get(@PathVariable String name, Principal principal) {
    Release r = releases.get(name);
    Access.Reach reach = reach(principal);
    reach.requireSees("release " + name, scopes(r));
    return ReleaseView.of(r, releases.runsOf(name).stream()
        .filter(run -> reach.seesAny(scopes(r, run.environment()))).toList());
  }

  @PostMapping("/api/v1/releases/{name}/runs")
  @Operation(summary = "Deploy a release into an environment: one deployment per member, run one at a time in "
      + "dependency order, under the stage's authorization and failure policy; needs one of the roles "
      + "deployment-manager, deployment-practitioner, service-owner, technical-specialist in each of its services "
      + "in that environment")
  ResponseEntity<RunView> deploy(@PathVariable String name, @Valid @RequestBody NewRun body, Principal principal) {
    if (body.environment() != null && !body.environment().isBlank()) {
      access.require(principal.getName(), DEPLOYERS, scopes(releases.get(name), body.environment().strip()),
          "deploying release " + name);
    }
    ReleaseRun run = releases.deploy(name, body.environment(), body.reason(), body.at(), body.priority(),
        principal.getName());
    return ResponseEntity.status(HttpStatus.CREATED).body(RunView.of(releases.run(run.id())));
  }

  @GetMapping("/api/v1/release-runs")
  @Operation(summary = "Release runs, newest first; environment filters")
  List<RunSummary> runs(@RequestParam(required = false) String environment,
      @RequestParam(defaultValue = "100") int limit, Principal principal) {
    int most = InvalidParameterException.within("limit", limit, 1, MOST);
    String in = environment == null || environment.isBlank() ? null : environment;
    Access.Reach reach = reach(principal);
    if (reach.everywhere()) {
      return releases.runs(in, most).stream().map(RunSummary::of).toList();
    }
    Map<String, Release> byName = new HashMap<>();
    return releases.runs(in, MOST).stream()
        .filter(run -> reach.seesAny(scopes(byName.computeIfAbsent(run.release(), releases::get), run.environment())))
        .limit(most).map(RunSummary::of).toList();
  }

  @GetMapping("/api/v1/release-runs/{id}")
  @Operation(summary = "A release run: its members and rollbacks with their deployments' states, and its history")
  RunView run(@PathVariable long id, Principal principal) {
    return RunView.of(visible(id, principal));
  }

  @PostMapping("/api/v1/release-runs/{id}/cancel")
  @Operation(summary = "Cancel a release run: members not started are cancelled, deployed ones stay; 409 once ended; "
      + "needs one of the deploying roles in each of its services in its environment")
  RunView cancel(@PathVariable long id, @Valid @RequestBody Cancellation body, Principal principal) {
    ReleaseRun run = releases.run(id).run();
    access.require(principal.getName(), DEPLOYERS, scopes(releases.get(run.release()), run.environment()),
        "cancelling release run #" + id);
    releases.cancel(id, body == null ? null : body.reason(), principal.getName());
    return RunView.of(releases.run(id));
  }
}
