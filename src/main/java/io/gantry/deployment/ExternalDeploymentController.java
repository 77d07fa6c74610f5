package io.gantry.deployment;

import io.gantry.identity.Access;
import io.gantry.identity.Role;
import io.gantry.identity.Scope;
import io.gantry.shared.InvalidInputException;
import io.gantry.shared.NotFoundException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.security.Principal;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** Deployments done by other tools, recorded after the fact (see {@link ExternalDeployments}). */
@RestController
@RequestMapping("/api/v1/external-deployments")
@Tag(name = "Deployments", description = "Deploy versions into environments and follow their record")
class ExternalDeploymentController {

  /** Those who record a deployment done elsewhere, in the component's service and the environment. */
  static final Set<Role> RECORDERS = EnumSet.of(Role.DEPLOYMENT_MANAGER, Role.DEPLOYMENT_PRACTITIONER);

  private static final JsonMapper STRICT = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  private final ExternalDeployments external;
  private final Access access;

  ExternalDeploymentController(ExternalDeployments external, Access access) {
    this.external = external;
    this.access = access;
  }

  record CommitBody(String sha, Instant committedAt) {}

  record ReportBody(String component, String version, String environment, Instant startedAt, Instant finishedAt,
      String outcome, String tool, String url, String reason, List<CommitBody> commits) {}

  record ExternalView(long id, String kind, String component, String version, String environment, String state,
      String outcome, Instant startedAt, Instant finishedAt, String reason, String tool, String url,
      String recordedBy, Instant recordedAt, List<CommitBody> commits) {
    static ExternalView of(ExternalDeployments.Recorded r) {
      Deployment d = r.deployment();
      return new ExternalView(d.id(), d.kind().id(), d.component().toString(), d.version(), d.environment(),
          d.state().name(), d.outcome(), d.startedAt(), d.finishedAt(), d.reason(), r.tool(), r.url(),
          r.recordedBy(), r.recordedAt(),
          r.commits().stream().map(c -> new CommitBody(c.sha(), c.committedAt())).toList());
    }
  }

  @PostMapping
  @Operation(summary = "Record a deployment another tool did (component, version, environment, start and end, "
      + "outcome succeeded|failed|rolled-back, tool, url, commits with their times); it counts in the inventory, "
      + "the history and the measures as an external deployment; needs the role deployment-manager or "
      + "deployment-practitioner in the component's service and the environment")
  ResponseEntity<ExternalView> record(@RequestBody String json, Principal principal) {
    ReportBody body;
    try {
      body = STRICT.readValue(json, ReportBody.class);
    } catch (JacksonException e) {
      throw InvalidInputException.of("body", "not a valid external deployment: " + e.getOriginalMessage());
    }
    if (body == null) {
      throw InvalidInputException.of("body", "the request body must be a JSON object");
    }
    String service = body.component() == null || body.component().indexOf('/') <= 0 ? null
        : body.component().substring(0, body.component().indexOf('/'));
    // who may record is checked before what is recorded is looked at, so nobody learns what exists
    // outside their scopes from the errors
    access.require(principal.getName(), RECORDERS, new Scope(service, body.environment()),
        "recording an external deployment");
    ExternalDeployments.Recorded recorded = external.record(new ExternalDeployments.Report(body.component(),
        body.version(), body.environment(), body.startedAt(), body.finishedAt(), body.outcome(), body.tool(),
        body.url(), body.reason(), body.commits() == null ? null : body.commits().stream()
            .map(c -> c == null ? null : new ExternalDeployments.Commit(c.sha(), c.committedAt())).toList()),
        principal.getName());
    return ResponseEntity.status(HttpStatus.CREATED).body(ExternalView.of(recorded));
  }

  @GetMapping("/{id}")
  @Operation(summary = "One external deployment with its tool, link and commits")
  ExternalView get(@PathVariable long id, Principal principal) {
    ExternalDeployments.Recorded r = external.find(id)
        .orElseThrow(() -> new NotFoundException("external deployment", String.valueOf(id)));
    if (!access.reach(principal.getName(), Access.INSIDERS).sees(r.deployment().scope())) {
      throw new NotFoundException("external deployment", String.valueOf(id));
    }
    return ExternalView.of(r);
  }
}
