package io.gantry.deployment;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Size;
import io.gantry.shared.Page;
import io.gantry.shared.PageRequest;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.security.Principal;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.core.io.InputStreamResource;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import io.gantry.identity.Access;
import io.gantry.identity.Role;
import io.gantry.identity.Callers;
import io.gantry.identity.Scope;
import java.util.EnumSet;
import java.util.Set;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/deployments")
@Tag(name = "Deployments", description = "Deploy versions into environments and follow their record")
class DeploymentController {

  private final DeploymentRequests requests;
  private final Deployments deployments;
  private final DeploymentDecisions decisions;
  private final StepOutputs outputs;
  private final DeploymentAborts aborts;
  private final Access access;
  private final DeploymentCancellations cancellations;
  private final DeploymentStreams streams;
  private final Callers callers;

  DeploymentController(DeploymentRequests requests, Deployments deployments, DeploymentDecisions decisions,
      StepOutputs outputs, DeploymentAborts aborts, Access access, DeploymentCancellations cancellations,
      DeploymentStreams streams, Callers callers) {
    this.streams = streams;
    this.callers = callers;
    this.cancellations = cancellations;
    this.aborts = aborts;
    this.access = access;
    this.requests = requests;
    this.deployments = deployments;
    this.decisions = decisions;
    this.outputs = outputs;
  }

  /** {@code at} plans the start (ISO-8601 instant, e.g. 2026-12-01T22:00:00Z); {@code priority} -100..100. */
  record NewDeployment(@Size(max = 127) String component, @Size(max = 100) String version,
      @Size(max = 63) String environment, @Size(max = 63) String model, @Size(max = 2000) String reason,
      Instant at, Instant plannedEnd, Integer priority, @Size(max = 20) String kind) {}

  record DeploymentView(long id, String kind, String component, String version, String environment, String model,
      int modelVersion, String stage, String state, String requestedBy, Instant requestedAt, String reason,
      Instant plannedStart, Instant plannedEnd, int priority, Instant startedAt, Instant finishedAt, String outcome,
      List<TargetView> targets, CanaryView canary, List<AnalysisView> analyses) {
    static DeploymentView of(Deployment d, List<TargetRun> runs) {
      return of(d, runs, List.of());
    }

    static DeploymentView of(Deployment d, List<TargetRun> runs, List<StepRun> steps) {
      return of(d, runs, steps, null);
    }

    static DeploymentView of(Deployment d, List<TargetRun> runs, List<StepRun> steps, CanaryView canary) {
      return of(d, runs, steps, canary, null, null);
    }

    /** With the blue-green slots of the deployment's targets, when it has any ({@code records} non-null). */
    static DeploymentView of(Deployment d, List<TargetRun> runs, List<StepRun> steps, CanaryView canary,
        BlueGreenRecords records, List<AnalysisView> analyses) {
      Map<String, BlueGreenRecords.SlotRun> slots = new HashMap<>();
      Map<String, String> live = new HashMap<>();
      if (records != null) {
        records.slotRuns(d.id()).forEach(s -> slots.put(s.target(), s));
        if (!slots.isEmpty()) {
          records.live(d.component()).forEach(l -> live.put(l.target(), l.slot()));
        }
      }
      return new DeploymentView(d.id(), d.kind().id(), d.component().toString(), d.version(), d.environment(),
          d.model(), d.modelVersion(), d.stage(), d.state().name(), d.requestedBy(), d.requestedAt(), d.reason(),
          d.plannedStart(), d.plannedEnd(), d.priority(), d.startedAt(), d.finishedAt(), d.outcome(),
          runs == null ? null : runs.stream().map(r -> TargetView.of(d, r, steps, slots.get(r.target()),
              slots.containsKey(r.target()) ? live.get(r.target()) : null)).toList(), canary, analyses);
    }
  }

  /**
   * A canary's analysis once it has started: its rounds, each with the results of its checks (their step
   * runs are in the targets' steps, phase {@code analysis-N}) and the share passed so far; null otherwise.
   */
  record CanaryView(List<String> targets, Instant startedAt, Instant endedAt, Boolean passed, String outcome,
      List<RoundView> rounds) {
    static CanaryView of(List<TargetRun> runs, AnalysisRecords.Analysis analysis, List<AnalysisRecords.Round> rounds,
        List<AnalysisRecords.Measurement> measurements) {
      return new CanaryView(runs.stream().filter(r -> r.batch() == 0).map(TargetRun::target).toList(),
          analysis.startedAt(), analysis.endedAt(), analysis.passed(), analysis.outcome(),
          RoundView.of(rounds, measurements));
    }
  }

  /**
   * An analysis other than the canary's, once it has started: {@code kind} {@code switch} (a blue-green
   * target's idle slot before its switch; {@code target} names it) or {@code verification} (the stage's
   * verification analysis over the deployment's targets), with its rounds as a canary's.
   */
  record AnalysisView(String kind, String target, Instant startedAt, Instant endedAt, Boolean passed,
      String outcome, List<RoundView> rounds) {
    static AnalysisView of(AnalysisRecords.Analysis analysis, List<AnalysisRecords.Round> rounds,
        List<AnalysisRecords.Measurement> measurements) {
      String target = AnalysisRecords.targetOf(analysis.scope());
      return new AnalysisView(target == null ? analysis.scope() : "switch", target, analysis.startedAt(),
          analysis.endedAt(), analysis.passed(), analysis.outcome(), RoundView.of(rounds, measurements));
    }
  }

  /**
   * One round of a canary's analysis; {@code ratio} is the share of all results so far that passed;
   * {@code measurements} the queries of the analysis's metrics in the round.
   */
  record RoundView(int round, Instant startedAt, int passed, int total, String results, int passedSoFar,
      int totalSoFar, Double ratio, List<MeasurementView> measurements) {
    static List<RoundView> of(List<AnalysisRecords.Round> rounds, List<AnalysisRecords.Measurement> measurements) {
      List<RoundView> views = new java.util.ArrayList<>();
      int passed = 0;
      int total = 0;
      for (AnalysisRecords.Round r : rounds) {
        passed += r.passed();
        total += r.total();
        views.add(new RoundView(r.round(), r.startedAt(), r.passed(), r.total(), r.results(), passed, total,
            total == 0 ? null : (double) passed / total, measurements.stream().filter(m -> m.round() == r.round())
            .map(m -> new MeasurementView(m.metric(), m.query(), m.answer(), m.sampledAt(), m.measuredAt(),
                m.verdict(), m.countedPassed(), m.reason())).toList()));
      }
      return views;
    }
  }

  /**
   * One query of a metric: as sent to Prometheus, what it answered (each series and its number), the time of
   * the numbers, the verdict (PASSED, FAILED, INCONCLUSIVE), whether it counted as passed, and why.
   */
  record MeasurementView(String metric, String query, String answer, Instant sampledAt, Instant measuredAt,
      String verdict, boolean countedPassed, String reason) {}

  /**
   * One target of a deployment. For a blue-green deployment, {@code slot} is the slot it installed into,
   * {@code previousSlot} the one that served before it, and {@code liveSlot} the one that serves the
   * component on the target now (null for other strategies).
   */
  record TargetView(String target, int batch, String state, String previousVersion, Instant startedAt,
      Instant finishedAt, String outcome, List<StepView> steps, String slot, String previousSlot, String liveSlot) {
    static TargetView of(Deployment d, TargetRun r, List<StepRun> steps, BlueGreenRecords.SlotRun slot,
        String liveSlot) {
      return new TargetView(r.target(), r.batch(), r.state().name(), r.previousVersion(), r.startedAt(),
          r.finishedAt(), r.outcome(), steps.stream().filter(s -> s.targetRun() == r.id())
              .map(s -> StepView.of(d, s)).toList(), slot == null ? null : slot.slot(),
          slot == null ? null : slot.previousSlot(), liveSlot);
    }
  }

  /**
   * One step run. {@code output} is the last bytes the step printed ({@code gantry.engine.output-tail});
   * {@code outputSize} and {@code outputSha256} are of all of it, which {@code outputUrl} downloads.
   */
  record StepView(long id, String phase, int index, String name, String type, int attempt, String state,
      Instant startedAt, Instant finishedAt, String outcome, String output, Long outputSize, boolean outputTruncated,
      String outputSha256, String outputFile, String outputUrl) {
    static StepView of(Deployment d, StepRun s) {
      boolean truncated = s.outputSize() != null && s.output() != null
          && s.outputSize() > s.output().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
      return new StepView(s.id(), s.phase(), s.index(), s.name(), s.type(), s.attempt(), s.state().name(),
          s.startedAt(), s.finishedAt(), s.outcome(), s.output(), s.outputSize(), truncated, s.outputSha256(),
          s.outputFile(), s.outputFile() == null ? null
              : "/api/v1/deployments/" + d.id() + "/steps/" + s.id() + "/output");
    }
  }

  record EventView(long id, Instant at, String kind, String from, String to, String target, String step, String actor,
      String message, String waitingFor) {
    static EventView of(DeploymentEvent e) {
      return new EventView(e.id(), e.at(), e.kind().name(), e.from() == null ? null : e.from().name(),
          e.to() == null ? null : e.to().name(), e.target(), e.step(), e.actor(), e.message(),
          e.waitingFor() == null ? null : e.waitingFor().id());
    }
  }

  /** Those who request, cancel and abort deployments, in the deployment's service and environment. */
  static final Set<Role> REQUESTERS = EnumSet.of(Role.DEPLOYMENT_MANAGER, Role.DEPLOYMENT_PRACTITIONER,
      Role.SERVICE_OWNER, Role.TECHNICAL_SPECIALIST);

  @PostMapping
  @Operation(summary = "Request a deployment of SERVICE/COMPONENT@VERSION into an environment, or with kind "
      + "undeploy the removal of a component from it (version optional: the one that runs there); needs one of the "
      + "roles deployment-manager, deployment-practitioner, service-owner, technical-specialist in the component's "
      + "service and the environment")
  ResponseEntity<DeploymentView> deploy(@Valid @RequestBody NewDeployment body, Principal principal) {
    String service = body.component() == null || body.component().indexOf('/') <= 0 ? null
        : body.component().substring(0, body.component().indexOf('/'));
    if (service != null && body.environment() != null) {
      access.require(principal.getName(), REQUESTERS, new Scope(service, body.environment()),
          "requesting a deployment");
    }
    Deployment d = requests.request(new DeploymentRequests.Request(body.component(), body.version(),
        body.environment(), body.model(), body.reason(), kind(body.kind()), body.at(), body.plannedEnd(),
        body.priority()), principal.getName());
    return ResponseEntity.status(HttpStatus.CREATED).body(DeploymentView.of(d, List.of()));
  }

  private static Deployment.Kind kind(String kind) {
    if (kind == null || kind.isBlank()) {
      return Deployment.Kind.DEPLOY;
    }
    return Arrays.stream(Deployment.Kind.values()).filter(k -> k != Deployment.Kind.EXTERNAL)
        .filter(k -> k.id().equals(kind)).findFirst()
        .orElseThrow(() -> io.gantry.shared.InvalidInputException.of("kind", "\"" + kind
            + "\" is not a kind of deployment; use deploy or undeploy"));
  }

  record Cancellation(@Size(max = 2000) String reason) {}

  record DecisionBody(@Size(max = 63) String target, @Size(max = 100) String step, @Size(max = 20) String decision,
      @Size(max = 4000) String note, @Size(max = 200) List<@Size(max = 500) String> checklist) {}

  record DecisionView(long id, String target, String step, String decision, String actor, String note,
      List<String> checklist, Instant at) {}

  @PostMapping("/{id}/decisions")
  @Operation(summary = "Sign off a manual step (every checklist item ticked) or approve or reject an approval step "
      + "that the deployment waits for")
  ResponseEntity<DecisionView> decide(@PathVariable long id, @Valid @RequestBody DecisionBody body, Principal principal) {
    Decision d = decisions.decide(id, new DeploymentDecisions.Request(body.target(), body.step(), body.decision(),
        body.note(), body.checklist()), principal.getName());
    return ResponseEntity.status(HttpStatus.CREATED).body(new DecisionView(d.id(), d.target(), d.step(),
        d.kind().name().toLowerCase(), d.actor(), d.note(), d.checklist(), d.at()));
  }

  record ConfirmationBody(@Size(max = 100) String criterion, @Size(max = 20) String decision,
      @Size(max = 4000) String note) {}

  @PostMapping("/{id}/confirmations")
  @Operation(summary = "Confirm (or reject) the manual entry or exit criterion the deployment waits for, as a holder "
      + "of its role; 409 when it waits for none, or for another than the one named")
  ResponseEntity<DecisionView> confirm(@PathVariable long id, @Valid @RequestBody ConfirmationBody body, Principal principal) {
    Decision d = decisions.confirm(id, new DeploymentDecisions.Confirmation(body.criterion(), body.decision(),
        body.note()), principal.getName());
    return ResponseEntity.status(HttpStatus.CREATED).body(new DecisionView(d.id(), d.target(), d.step(),
        d.kind().name().toLowerCase(), d.actor(), d.note(), d.checklist(), d.at()));
  }

  record Resumption(@Size(max = 2000) String reason) {}

  @PostMapping("/{id}/resume")
  @Operation(summary = "End the pause between batches of a rolling deployment now (the stage's pauseBetweenBatches), "
      + "or a canary's pause (its analysis starts); 409 when it is not in such a pause")
  ResponseEntity<DecisionView> resume(@PathVariable long id, @Valid @RequestBody Resumption body, Principal principal) {
    Decision d = decisions.resume(id, body.reason(), principal.getName());
    return ResponseEntity.status(HttpStatus.CREATED).body(new DecisionView(d.id(), d.target(), d.step(),
        d.kind().name().toLowerCase(), d.actor(), d.note(), d.checklist(), d.at()));
  }

  record EvidenceView(long id, String target, String step, String fileName, String digest, long size,
      String uploadedBy, Instant at) {
    static EvidenceView of(Evidence e) {
      return new EvidenceView(e.id(), e.target(), e.step(), e.fileName(), e.digest().value(), e.size(), e.uploadedBy(),
          e.at());
    }
  }

  @PostMapping(path = "/{id}/evidence", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
  @Operation(summary = "Attach a file (photo, signed form, report) to a manual step the deployment waits for on a "
      + "target; parts: target, step, file")
  ResponseEntity<EvidenceView> attach(@PathVariable long id, @RequestPart("target") String target,
      @RequestPart("step") String step, @RequestPart("file") MultipartFile file, Principal principal)
      throws java.io.IOException {
    try (var in = file.getInputStream()) {
      Evidence e = decisions.attach(id, target, step, file.getOriginalFilename(), in, principal.getName());
      return ResponseEntity.status(HttpStatus.CREATED).body(EvidenceView.of(e));
    }
  }

  @GetMapping("/{id}/evidence")
  @Operation(summary = "The files attached to the deployment's manual steps")
  List<EvidenceView> evidence(@PathVariable long id, Principal principal) {
    visible(id, principal);
    return deployments.evidence(id).stream().map(EvidenceView::of).toList();
  }

  @GetMapping("/{id}/evidence/{evidenceId}")
  @Operation(summary = "Download one attached file; its bytes are checked against their SHA-256 as they are sent")
  ResponseEntity<InputStreamResource> evidenceFile(@PathVariable long id, @PathVariable long evidenceId,
      Principal principal) {
    visible(id, principal);
    Evidence e = deployments.evidence(id).stream().filter(x -> x.id() == evidenceId).findFirst()
        .orElseThrow(() -> new io.gantry.shared.NotFoundException("evidence of deployment #" + id,
            String.valueOf(evidenceId)));
    return ResponseEntity.ok().contentType(MediaType.APPLICATION_OCTET_STREAM).contentLength(e.size())
        .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment().filename(e.fileName()).build()
            .toString())
        .header("Digest", "sha-256=" + e.digest().hex())
        .body(new InputStreamResource(decisions.open(e)));
  }

  @PostMapping("/{id}/cancel")
  @Operation(summary = "Cancel a deployment that has not started executing; 409 once it has")
  DeploymentView cancel(@PathVariable long id, @Valid @RequestBody Cancellation body, Principal principal) {
    return DeploymentView.of(cancellations.cancel(id, body.reason(), principal.getName()), deployments.targetRuns(id));
  }

  record Abort(@Size(max = 2000) String reason) {}

  @PostMapping("/{id}/abort")
  @Operation(summary = "Abort a deployment that is executing or verifying: the steps running on its targets are "
      + "stopped and the stage's failure policy runs (ask counts as stop); 202 once the abort is recorded, 409 when "
      + "it is not executing (one that has not started is cancelled instead)")
  ResponseEntity<DeploymentView> abort(@PathVariable long id, @Valid @RequestBody Abort body, Principal principal) {
    Deployment d = aborts.abort(id, body == null ? null : body.reason(), principal.getName());
    return ResponseEntity.status(HttpStatus.ACCEPTED).body(DeploymentView.of(d, deployments.targetRuns(id)));
  }

  @GetMapping
  @Operation(summary = "List deployments, newest first")
  Page<DeploymentView> list(@RequestParam(required = false) String environment,
      @RequestParam(required = false) String service, @RequestParam(required = false) String component,
      @RequestParam(required = false) String state, @RequestParam(defaultValue = "0") int page,
      @RequestParam(defaultValue = "50") int size, Principal principal) {
    DeploymentState filter = null;
    if (state != null) {
      filter = Arrays.stream(DeploymentState.values()).filter(s -> s.name().equalsIgnoreCase(state)).findFirst()
          .orElseThrow(() -> io.gantry.shared.InvalidInputException.of("state", "\"" + state
              + "\" is not a deployment state; use one of: " + Arrays.toString(DeploymentState.values())));
    }
    Access.Reach reach = access.reach(principal.getName(), Access.INSIDERS);
    return deployments.page(new Deployments.Filter(environment, service, component, filter,
        reach.everywhere() ? null : reach.scopes()),
        new PageRequest(page, size)).map(d -> DeploymentView.of(d, null));
  }

  @GetMapping("/{id}")
  @Operation(summary = "One deployment with the state of each target and its step runs (the tail of each step's "
      + "output, and the size and SHA-256 of all of it)")
  DeploymentView get(@PathVariable long id, Principal principal) {
    Deployment deployment = visible(id, principal);
    List<TargetRun> runs = deployments.targetRuns(id);
    AnalysisRecords records = deployments.analyses();
    CanaryView canary = null;
    List<AnalysisView> analyses = new java.util.ArrayList<>();
    for (AnalysisRecords.Analysis a : records.analyses(id)) {
      List<AnalysisRecords.Round> rounds = records.rounds(id, a.scope());
      List<AnalysisRecords.Measurement> measurements = records.measurements(id, a.scope());
      if (a.scope().equals(AnalysisRecords.CANARY)) {
        canary = CanaryView.of(runs, a, rounds, measurements);
      } else {
        analyses.add(AnalysisView.of(a, rounds, measurements));
      }
    }
    return DeploymentView.of(deployment, runs, deployments.stepRuns(id), canary,
        new BlueGreenRecords(deployments.jdbc()), analyses);
  }

  @GetMapping("/{id}/steps/{stepRunId}/output")
  @Operation(summary = "Download everything one step run printed, as it was written while the step ran; the "
      + "Digest header carries the SHA-256 kept in the record")
  ResponseEntity<InputStreamResource> stepOutput(@PathVariable long id, @PathVariable long stepRunId,
      Principal principal) throws java.io.IOException {
    visible(id, principal);
    StepRun run = deployments.stepRuns(id).stream().filter(s -> s.id() == stepRunId).findFirst()
        .orElseThrow(() -> new io.gantry.shared.NotFoundException("step run of deployment #" + id,
            String.valueOf(stepRunId)));
    if (run.outputFile() == null) {
      throw io.gantry.shared.NotFoundException.because("step run " + stepRunId + " of deployment #" + id
          + " has no full output file: it is still running, ran before output files were kept, or its file could "
          + "not be written (its output in the record says so)");
    }
    java.io.InputStream in;
    try {
      in = outputs.open(run);
    } catch (java.nio.file.NoSuchFileException e) {
      throw io.gantry.shared.NotFoundException.because("the full output of step run " + stepRunId
          + " of deployment #" + id + " was kept as " + run.outputFile() + " under the data folder, and that file "
          + "is gone");
    }
    ResponseEntity.BodyBuilder ok = ResponseEntity.ok()
        .contentType(new MediaType(MediaType.TEXT_PLAIN, java.nio.charset.StandardCharsets.UTF_8))
        .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment()
            .filename("deployment-" + id + "-step-" + stepRunId + ".log").build().toString());
    if (run.outputSha256() != null) {
      ok.header("Digest", "sha-256=" + run.outputSha256());
    }
    return ok.body(new InputStreamResource(in));
  }

  @GetMapping("/{id}/events")
  @Operation(summary = "The deployment's record: transitions, waits, steps and log lines, after an entry id")
  List<EventView> events(@PathVariable long id, @RequestParam(defaultValue = "0") long after, Principal principal) {
    visible(id, principal);
    return deployments.events(id, after).stream().map(EventView::of).toList();
  }

  @GetMapping(path = "/{id}/events/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
  @Operation(summary = "The deployment's record as server-sent events: each entry after an entry id (or after the "
      + "Last-Event-ID header, which wins) as soon as it is recorded, the entry's id as the event's id; then an event "
      + "end with the deployment's final state and outcome, and the stream ends. A stream also ends after "
      + "gantry.deployments.stream.max-duration (1 hour): reconnect with Last-Event-ID")
  @io.swagger.v3.oas.annotations.responses.ApiResponse(responseCode = "200", description = "The stream",
      content = @io.swagger.v3.oas.annotations.media.Content(mediaType = MediaType.TEXT_EVENT_STREAM_VALUE,
          schema = @io.swagger.v3.oas.annotations.media.Schema(type = "string", description = "Events: each entry "
              + "as id: (the entry's id) and data: (the entry as GET /deployments/{id}/events answers it); at the "
              + "end event: end and data: {deployment, state, outcome}; comment lines (:) as a heartbeat")))
  SseEmitter stream(@PathVariable long id, @RequestParam(defaultValue = "0") long after,
      @RequestHeader(name = "Last-Event-ID", required = false) String lastEventId, Principal principal) {
    Scope scope = visible(id, principal).scope();
    long from = after;
    if (lastEventId != null && !lastEventId.isBlank()) {
      try {
        from = Long.parseLong(lastEventId.strip());
      } catch (NumberFormatException e) {
        throw new io.gantry.shared.InvalidParameterException("Last-Event-ID", "\"" + lastEventId
            + "\" is not an entry id of the record");
      }
    }
    // the stream may stay open for an hour: the caller's rights are checked again at each heartbeat
    return streams.follow(id, from, () -> {
      String refused = callers.refusal(principal);
      if (refused != null) {
        return refused;
      }
      return access.reach(principal.getName(), Access.INSIDERS).sees(scope) ? null
          : "deployment #" + id + " is in " + scope + ", which none of " + principal.getName() + "'s roles reaches now";
    });
  }

  /** The deployment, when the caller's roles reach its service and environment; refused otherwise. */
  private Deployment visible(long id, Principal principal) {
    Deployment d = deployments.get(id);
    if (!access.reach(principal.getName(), Access.INSIDERS).sees(d.scope())) {
      throw new AccessDeniedException("deployment #" + id + " is in " + d.scope()
          + ", which none of your roles reaches");
    }
    return d;
  }
}
