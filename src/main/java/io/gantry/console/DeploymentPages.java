package io.gantry.console;

import io.gantry.change.DeploymentChanges;
import io.gantry.deployment.AwaitedActions;
import io.gantry.deployment.Deployment;
import io.gantry.deployment.DeploymentAborts;
import io.gantry.deployment.DeploymentCancellations;
import io.gantry.deployment.DeploymentDecisions;
import io.gantry.deployment.DeploymentEvent;
import io.gantry.deployment.DeploymentRecords;
import io.gantry.deployment.Deployments;
import io.gantry.deployment.Evidence;
import io.gantry.deployment.StepRun;
import io.gantry.deployment.TargetRun;
import io.gantry.identity.Access;
import io.gantry.metrics.DeploymentTimelines;
import io.gantry.metrics.ValueStreamMap;
import io.gantry.shared.ConflictException;
import io.gantry.shared.InvalidInputException;
import io.gantry.shared.NotFoundException;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.core.io.InputStreamResource;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The page of one deployment, the live part it polls while the deployment runs, its files, and the actions
 * people take on it. Each read is refused as {@code GET /api/v1/deployments/{id}} refuses it; each action
 * goes through the service the API calls, which checks roles and the moment and records it.
 */
@Controller
class DeploymentPages {

  /** How many entries of the record and how many step outputs the live log shows. */
  static final int LOG_ENTRIES = 200;
  static final int OUTPUTS = 5;
  static final int RUNNING_TAIL = 8 * 1024;

  private final Deployments deployments;
  private final DeploymentRecords records;
  private final DeploymentDecisions decisions;
  private final DeploymentAborts aborts;
  private final DeploymentCancellations cancellations;
  private final AwaitedActions awaited;
  private final DeploymentTimelines timelines;
  private final DeploymentChanges changes;
  private final Access access;

  DeploymentPages(Deployments deployments, DeploymentRecords records, DeploymentDecisions decisions,
      DeploymentAborts aborts, DeploymentCancellations cancellations, AwaitedActions awaited,
      DeploymentTimelines timelines, DeploymentChanges changes, Access access) {
    this.deployments = deployments;
    this.records = records;
    this.decisions = decisions;
    this.aborts = aborts;
    this.cancellations = cancellations;
    this.awaited = awaited;
    this.timelines = timelines;
    this.changes = changes;
    this.access = access;
  }

  @GetMapping("/console/deployments/{id}")
  String page(@PathVariable String id, Authentication signedIn, Model model, HttpServletResponse response) {
    Deployment d;
    try {
      d = visible(id, signedIn.getName());
    } catch (NotFoundException | AccessDeniedException e) {
      return refused(e, model, response);
    }
    String user = signedIn.getName();
    ValueStreamMap.Timeline timeline = timelines.of(d.id());
    List<AwaitedActions.Awaited> waits = awaited.of(d, user);
    DeploymentLive live = live(d, d.state().name());
    List<DeploymentPage.Action> actions = waits.stream().filter(AwaitedActions.Awaited::allowed)
        .map(a -> new DeploymentPage.Action(a.kind().name().toLowerCase().replace('_', '-'), a.target(), a.step(),
            a.instructions(), a.checklist(), a.evidenceRequired(), String.join(", ", a.roles())))
        .toList();
    model.addAttribute("page", new DeploymentPage(header(d), activities(d, timeline), live.waitingNow(), live,
        actions, awaited.mayCancel(d, user), awaited.mayAbort(d, user),
        records.conflicts(d.id()).stream().map(e -> new DeploymentPage.Conflict(DeploymentTimes.of(e.at()), e.message()))
            .toList(),
        changes.of(d.id()).stream().map(c -> new DeploymentPage.ChangeLink(c.key(), c.title(),
            c.state().name())).toList(),
        deployments.evidence(d.id()).stream().map(e -> new DeploymentPage.EvidenceFile(e.id(), e.target(),
            e.step(), e.fileName(), e.size(), e.digest().hex(), e.uploadedBy(), DeploymentTimes.of(e.at()))).toList()));
    return "deployment";
  }

  /** The live part alone, for the page's polling: it stops asking once the deployment has finished. */
  @GetMapping("/console/deployments/{id}/live")
  String live(@PathVariable String id, @RequestParam(required = false) String loaded, Authentication signedIn,
      Model model, HttpServletResponse response) {
    Deployment d;
    try {
      d = visible(id, signedIn.getName());
    } catch (NotFoundException | AccessDeniedException e) {
      return refused(e, model, response);
    }
    model.addAttribute("live", live(d, java.util.Arrays.stream(io.gantry.deployment.DeploymentState.values())
        .map(Enum::name).filter(n -> n.equals(loaded)).findFirst().orElse(null)));
    // the header's state follows too (out of band), while the rest of the header stays as loaded
    model.addAttribute("polled", true);
    return "deployment-live";
  }

  @GetMapping("/console/deployments/{id}/evidence/{evidenceId}")
  ResponseEntity<InputStreamResource> evidence(@PathVariable long id, @PathVariable long evidenceId,
      Authentication signedIn) {
    visible(String.valueOf(id), signedIn.getName());
    Evidence e = deployments.evidence(id).stream().filter(x -> x.id() == evidenceId).findFirst()
        .orElseThrow(() -> new NotFoundException("evidence of deployment #" + id, String.valueOf(evidenceId)));
    return ResponseEntity.ok().contentType(MediaType.APPLICATION_OCTET_STREAM).contentLength(e.size())
        .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment().filename(e.fileName()).build()
            .toString())
        .header("Digest", "sha-256=" + e.digest().hex())
        .body(new InputStreamResource(decisions.open(e)));
  }

  @GetMapping("/console/deployments/{id}/steps/{stepRun}/output")
  ResponseEntity<InputStreamResource> output(@PathVariable long id, @PathVariable long stepRun,
      Authentication signedIn) throws IOException {
    visible(String.valueOf(id), signedIn.getName());
    InputStream in = records.output(id, stepRun);
    return ResponseEntity.ok().contentType(new MediaType(MediaType.TEXT_PLAIN, java.nio.charset.StandardCharsets.UTF_8))
        .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.inline()
            .filename("deployment-" + id + "-step-" + stepRun + ".log").build().toString())
        .body(new InputStreamResource(in));
  }

  // --- actions: each through the service the API calls, then back to the page with what happened

  /**
   * Signs off a manual step: the evidence file first (when one is given), then the sign-off with the checklist; or,
   * with {@code decision=reject}, rejects it (the items ticked do not count: a rejection ticks none).
   */
  @PostMapping("/console/deployments/{id}/signoff")
  String signoff(@PathVariable long id, @RequestParam(required = false) String target,
      @RequestParam(required = false) String step, @RequestParam(required = false) String note,
      @RequestParam(required = false) List<String> checklist, @RequestParam(required = false) String decision,
      @RequestParam(required = false) MultipartFile file, Authentication signedIn, RedirectAttributes flash) {
    return act(id, signedIn, flash, user -> {
      String attached = "";
      if (file != null && !file.isEmpty()) {
        try (InputStream in = file.getInputStream()) {
          decisions.attach(id, target, step, file.getOriginalFilename(), in, user);
        } catch (IOException e) {
          throw InvalidInputException.of("file", "the file could not be read: " + e.getMessage());
        }
        attached = " with " + file.getOriginalFilename();
      }
      if ("reject".equals(decision)) {
        decisions.decide(id, new DeploymentDecisions.Request(target, step, "reject", note, List.of()), user);
        return "Step " + step + " on " + target + " rejected" + attached + ": the stage's failure policy runs.";
      }
      decisions.decide(id, new DeploymentDecisions.Request(target, step, "signoff", note,
          checklist == null ? List.of() : checklist), user);
      return "Step " + step + " on " + target + " signed off" + attached + ".";
    });
  }

  @PostMapping("/console/deployments/{id}/approval")
  String approval(@PathVariable long id, @RequestParam(required = false) String target,
      @RequestParam(required = false) String step, @RequestParam(required = false) String decision,
      @RequestParam(required = false) String note, Authentication signedIn, RedirectAttributes flash) {
    return act(id, signedIn, flash, user -> {
      String kind = "reject".equals(decision) ? "reject" : "approve";
      decisions.decide(id, new DeploymentDecisions.Request(target, step, kind, note, List.of()), user);
      return "Step " + step + " on " + target + (kind.equals("reject") ? " rejected." : " approved.");
    });
  }

  @PostMapping("/console/deployments/{id}/confirmation")
  String confirmation(@PathVariable long id, @RequestParam(required = false) String criterion,
      @RequestParam(required = false) String decision, @RequestParam(required = false) String note,
      Authentication signedIn, RedirectAttributes flash) {
    return act(id, signedIn, flash, user -> {
      String kind = "reject".equals(decision) ? "reject" : "confirm";
      decisions.confirm(id, new DeploymentDecisions.Confirmation(criterion, kind, note), user);
      return "Criterion " + criterion + (kind.equals("reject") ? " rejected." : " confirmed.");
    });
  }

  /** Retry, skip or abort after a failure, when the stage's failure policy asks a person. */
  @PostMapping("/console/deployments/{id}/failure")
  String failure(@PathVariable long id, @RequestParam(required = false) String target,
      @RequestParam(required = false) String decision, @RequestParam(required = false) String note,
      Authentication signedIn, RedirectAttributes flash) {
    return act(id, signedIn, flash, user -> {
      decisions.decide(id, new DeploymentDecisions.Request(target, null, decision, note, List.of()), user);
      return "Decided for " + target + ": " + decision + ".";
    });
  }

  @PostMapping("/console/deployments/{id}/resume")
  String resume(@PathVariable long id, @RequestParam(required = false) String reason, Authentication signedIn,
      RedirectAttributes flash) {
    return act(id, signedIn, flash, user -> {
      decisions.resume(id, reason, user);
      return "The pause ends now; the deployment goes on shortly.";
    });
  }

  @PostMapping("/console/deployments/{id}/cancel")
  String cancel(@PathVariable long id, @RequestParam(required = false) String reason, Authentication signedIn,
      RedirectAttributes flash) {
    return act(id, signedIn, flash, user -> {
      cancellations.cancel(id, reason, user);
      return "Deployment #" + id + " cancelled.";
    });
  }

  @PostMapping("/console/deployments/{id}/abort")
  String abort(@PathVariable long id, @RequestParam(required = false) String reason, Authentication signedIn,
      RedirectAttributes flash) {
    return act(id, signedIn, flash, user -> {
      aborts.abort(id, reason, user);
      return "Abort of deployment #" + id + " recorded; its running steps are being stopped.";
    });
  }

  private interface Act {
    String run(String user);
  }

  /**
   * Runs an action as the signed-in person and goes back to the page (post/redirect/get) with what happened,
   * or with why it was refused.
   */
  private String act(long id, Authentication signedIn, RedirectAttributes flash, Act action) {
    try {
      visible(String.valueOf(id), signedIn.getName());
      flash.addFlashAttribute("notice", action.run(signedIn.getName()));
    } catch (NotFoundException | AccessDeniedException | ConflictException | InvalidInputException e) {
      // a stale update is a conflict, an invalid parameter invalid input: each is said on the page
      flash.addFlashAttribute("refusal", e.getMessage());
    }
    return "redirect:/console/deployments/" + id;
  }

  /** The deployment, when the person's roles reach its service and environment, as the API decides it. */
  private Deployment visible(String id, String user) {
    long number;
    try {
      number = Long.parseLong(id);
    } catch (NumberFormatException e) {
      throw new NotFoundException("deployment", id);
    }
    Deployment d = deployments.find(number).orElseThrow(() -> new NotFoundException("deployment", id));
    if (!access.reach(user, Access.INSIDERS).sees(d.scope())) {
      throw new AccessDeniedException("deployment #" + number + " is in " + d.scope()
          + ", which none of your roles reaches");
    }
    return d;
  }

  private static String refused(RuntimeException e, Model model, HttpServletResponse response) {
    boolean missing = e instanceof NotFoundException;
    response.setStatus(missing ? 404 : 403);
    model.addAttribute("title", missing ? "No such deployment" : "Not yours to see");
    model.addAttribute("message", e.getMessage());
    return "deployment-refused";
  }

  // --- building the page

  private static DeploymentPage.Header header(Deployment d) {
    return new DeploymentPage.Header(d.id(), d.kind().id(), d.component().service(), d.component().component(),
        d.version(), d.environment(), d.model(), d.modelVersion(), d.stage(), d.state().name(), d.state().isFinal(),
        d.requestedBy(), DeploymentTimes.of(d.requestedAt()), d.reason(), DeploymentTimes.of(d.plannedStart()), DeploymentTimes.of(d.plannedEnd()),
        DeploymentTimes.of(d.startedAt()), DeploymentTimes.of(d.finishedAt()),
        d.startedAt() == null ? null : DeploymentTimes.duration(d.startedAt(), d.finishedAt() == null ? java.time.Instant.now()
            : d.finishedAt()), d.outcome());
  }

  /** The practice's five activities (and a rollback, when there was one), from the value stream's timeline. */
  private static List<DeploymentPage.Activity> activities(Deployment d, ValueStreamMap.Timeline timeline) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("planning", "Deployment planning");
    labels.put("component-verification", "Verification of components");
    labels.put("environment-verification", "Verification of the target environment");
    labels.put("execution", "Deployment execution");
    labels.put("deployment-verification", "Deployment verification");
    labels.put("rollback", "Rollback");
    Map<String, double[]> times = new HashMap<>();
    Map<String, List<DeploymentPage.Wait>> waits = new HashMap<>();
    String current = null;
    for (ValueStreamMap.Segment s : timeline.segments()) {
      // waiting to start executing (a window, a freeze, a change, the queue) belongs to execution
      String activity = s.activity().equals("execution-start") ? "execution" : s.activity();
      double[] t = times.computeIfAbsent(activity, k -> new double[2]);
      t[s.type().equals("wait") ? 1 : 0] += s.seconds();
      if (s.type().equals("wait")) {
        waits.computeIfAbsent(activity, k -> new ArrayList<>()).add(new DeploymentPage.Wait(
            s.waitingFor() == null ? "unknown" : s.waitingFor().toLowerCase().replace('_', ' '), s.what(),
            DeploymentTimes.of(s.from()), DeploymentTimes.seconds(s.seconds()), s.open()));
      }
      if (s.open()) {
        current = activity;
      }
    }
    List<DeploymentPage.Activity> activities = new ArrayList<>();
    for (Map.Entry<String, String> e : labels.entrySet()) {
      double[] t = times.get(e.getKey());
      if (e.getKey().equals("rollback") && t == null) {
        continue;
      }
      activities.add(new DeploymentPage.Activity(e.getKey(), e.getValue(), t == null ? null : DeploymentTimes.seconds(t[0]),
          t == null ? null : DeploymentTimes.seconds(t[1]), e.getKey().equals(current),
          waits.getOrDefault(e.getKey(), List.of())));
    }
    return activities;
  }

  /** The live part: one query for the target runs, one for the step runs (without output), two for the log. */
  private DeploymentLive live(Deployment d, String loadedState) {
    List<TargetRun> runs = deployments.targetRuns(d.id());
    List<StepRun> steps = records.stepRunsWithoutOutput(d.id());
    Map<String, String> columns = new LinkedHashMap<>();
    Map<Long, Map<String, StepRun>> latest = new HashMap<>();
    for (StepRun s : steps) {
      String column = s.phase() + "\u0000" + s.name();
      columns.putIfAbsent(column, s.phase().equals("execute") ? s.name() : s.phase() + ": " + s.name());
      latest.computeIfAbsent(s.targetRun(), k -> new HashMap<>()).put(column, s);
    }
    List<DeploymentLive.TargetRow> rows = new ArrayList<>();
    for (TargetRun r : runs) {
      Map<String, StepRun> mine = latest.getOrDefault(r.id(), Map.of());
      List<DeploymentLive.Cell> cells = new ArrayList<>();
      for (String column : columns.keySet()) {
        StepRun s = mine.get(column);
        cells.add(s == null ? null : new DeploymentLive.Cell(s.id(), s.state().name(), s.attempt(),
            DeploymentTimes.of(s.startedAt()), DeploymentTimes.of(s.finishedAt()), s.startedAt() == null ? null
                : DeploymentTimes.duration(s.startedAt(), s.finishedAt() == null ? java.time.Instant.now() : s.finishedAt()),
            s.outputFile() != null));
      }
      rows.add(new DeploymentLive.TargetRow(r.target(), r.batch(), r.state().name(), r.outcome(), cells));
    }
    Map<Long, String> targetOf = new HashMap<>();
    runs.forEach(r -> targetOf.put(r.id(), r.target()));
    List<DeploymentEvent> log = records.latestEvents(d.id(), LOG_ENTRIES);
    String waitingNow = null;
    if (!d.state().isFinal()) {
      DeploymentEvent last = log.isEmpty() ? null : log.getLast();
      if (last != null && last.kind() == DeploymentEvent.Kind.WAIT) {
        waitingNow = last.message();
      }
    }
    return new DeploymentLive(d.id(), d.state().name(), loadedState, d.state().isFinal(), waitingNow,
        List.copyOf(columns.values()), rows,
        log.stream().map(e -> new DeploymentLive.LogLine(e.id(), DeploymentTimes.of(e.at()), e.kind().name().toLowerCase(),
            e.target(), e.step(), e.actor(), e.message())).toList(),
        outputs(d, steps, targetOf));
  }

  /**
   * The output of the latest steps: first what the steps running now on this server have printed so far (their
   * last {@value #RUNNING_TAIL} bytes), then the recorded output of the latest finished ones; {@value #OUTPUTS}
   * in all.
   */
  private List<DeploymentLive.Output> outputs(Deployment d, List<StepRun> steps, Map<Long, String> targetOf) {
    List<DeploymentLive.Output> shown = new ArrayList<>();
    for (StepRun s : steps.reversed()) {
      if (shown.size() == OUTPUTS) {
        break;
      }
      records.outputSoFar(s, RUNNING_TAIL).filter(text -> !text.isEmpty()).ifPresent(text -> shown.add(
          new DeploymentLive.Output(s.id(), targetOf.get(s.targetRun()), s.name(), s.state().name(), text, false)));
    }
    for (StepRun s : records.latestOutputs(d.id(), OUTPUTS - shown.size())) {
      shown.add(new DeploymentLive.Output(s.id(), targetOf.get(s.targetRun()), s.name(), s.state().name(),
          s.output(), s.outputFile() != null));
    }
    return shown;
  }
}
