package io.gantry.release;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Size;
import io.gantry.shared.InvalidParameterException;

import io.gantry.deployment.Deployment;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.security.Principal;
import java.time.Instant;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Tag(name = "Releases", description = "Named sets of component versions deployed as one, in dependency order")
class ReleaseController {

  private static final String DEPLOYERS =
      "hasAnyRole('DEPLOYMENT_MANAGER','DEPLOYMENT_PRACTITIONER','SERVICE_OWNER','TECHNICAL_SPECIALIST')";

  private final Releases releases;

  ReleaseController(Releases releases) {
    this.releases = releases;
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
  @PreAuthorize(DEPLOYERS)
  @Operation(summary = "Record a release: a named set of component versions, kept in dependency order, never changed")
  ResponseEntity<ReleaseView> create(@Valid @RequestBody NewRelease body, Principal principal) {
    Release r = releases.create(body.name(), body.description(), body.members(), principal.getName());
    return ResponseEntity.status(HttpStatus.CREATED).body(ReleaseView.of(r, List.of()));
  }

  @GetMapping("/api/v1/releases")
  @Operation(summary = "Releases, newest first")
  List<ReleaseView> list(@RequestParam(defaultValue = "100") int limit) {
    return releases.list(InvalidParameterException.within("limit", limit, 1, 1000)).stream().map(r -> ReleaseView.of(r, null)).toList();
  }

  @GetMapping("/api/v1/releases/{name}")
  @Operation(summary = "A release with its runs (its deployments into environments), newest first")
  ReleaseView get(@PathVariable String name) {
    return ReleaseView.of(releases.get(name), releases.runsOf(name));
  }

  @PostMapping("/api/v1/releases/{name}/runs")
  @PreAuthorize(DEPLOYERS)
  @Operation(summary = "Deploy a release into an environment: one deployment per member, run one at a time in "
      + "dependency order, under the stage's authorization and failure policy")
  ResponseEntity<RunView> deploy(@PathVariable String name, @Valid @RequestBody NewRun body, Principal principal) {
    ReleaseRun run = releases.deploy(name, body.environment(), body.reason(), body.at(), body.priority(),
        principal.getName());
    return ResponseEntity.status(HttpStatus.CREATED).body(RunView.of(releases.run(run.id())));
  }

  @GetMapping("/api/v1/release-runs")
  @Operation(summary = "Release runs, newest first; environment filters")
  List<RunSummary> runs(@RequestParam(required = false) String environment,
      @RequestParam(defaultValue = "100") int limit) {
    return releases.runs(environment == null || environment.isBlank() ? null : environment,
        InvalidParameterException.within("limit", limit, 1, 1000)).stream().map(RunSummary::of).toList();
  }

  @GetMapping("/api/v1/release-runs/{id}")
  @Operation(summary = "A release run: its members and rollbacks with their deployments' states, and its history")
  RunView run(@PathVariable long id) {
    return RunView.of(releases.run(id));
  }

  @PostMapping("/api/v1/release-runs/{id}/cancel")
  @PreAuthorize(DEPLOYERS)
  @Operation(summary = "Cancel a release run: members not started are cancelled, deployed ones stay; 409 once ended")
  RunView cancel(@PathVariable long id, @Valid @RequestBody Cancellation body, Principal principal) {
    releases.cancel(id, body == null ? null : body.reason(), principal.getName());
    return RunView.of(releases.run(id));
  }
}
