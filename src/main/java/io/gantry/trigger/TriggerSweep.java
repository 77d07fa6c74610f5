package io.gantry.trigger;

import io.gantry.catalog.Component;
import io.gantry.catalog.ComponentRef;
import io.gantry.catalog.ComponentVersion;
import io.gantry.catalog.Components;
import io.gantry.catalog.Library;
import io.gantry.deployment.Deployment;
import io.gantry.deployment.DeploymentRequests;
import io.gantry.deployment.Deployments;
import io.gantry.model.DeploymentModel;
import io.gantry.model.ModelDocuments;
import io.gantry.model.ModelVersion;
import io.gantry.model.Models;
import io.gantry.model.Stage;
import io.gantry.model.Trigger;
import io.gantry.shared.ConflictException;
import io.gantry.shared.Finding;
import io.gantry.shared.HaltPoint;
import io.gantry.shared.InvalidInputException;
import io.gantry.shared.NotFoundException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Finds what makes triggers fire and fires them, once per cause. Causes are read through their
 * owners: versions registered or approved since the last sweep (the library), deployments that
 * succeeded since then (the deployments), and the firing times of schedules. Each firing is recorded
 * in the transaction that requests its deployment, under a unique (model, trigger, cause) key, so a
 * second sweeper, a sweeper after a restart, or one that crashed mid-way never fires a cause twice.
 * The sweep is the source of truth: nudges after a deployment's end only make it come sooner.
 */
@org.springframework.stereotype.Component
class TriggerSweep {

  private static final Logger log = LoggerFactory.getLogger(TriggerSweep.class);

  /** The watermark of the causes read from the library and the deployments. */
  static final String CAUSES = "causes";

  /**
   * Each sweep looks this far behind its watermark again: a cause stamped before the last sweep may
   * have been committed after it read. What it finds twice is known by its key and skipped.
   */
  static final Duration LATE_COMMITS = Duration.ofMinutes(5);

  private final Models models;
  private final Components components;
  private final Library library;
  private final Deployments deployments;
  private final DeploymentRequests requests;
  private final Firings firings;
  private final TransactionTemplate tx;
  private final Clock clock;
  /** Since when each trigger of a model version has been declared; model versions never change. */
  private final Map<String, Instant> since = new ConcurrentHashMap<>();

  TriggerSweep(Models models, Components components, Library library, Deployments deployments,
      DeploymentRequests requests, Firings firings, TransactionTemplate tx, Clock clock) {
    this.models = models;
    this.components = components;
    this.library = library;
    this.deployments = deployments;
    this.requests = requests;
    this.firings = firings;
    this.tx = tx;
    this.clock = clock;
  }

  /** Looks for causes and fires the triggers they concern; answers how many firings it recorded. */
  synchronized int sweep() {
    Instant now = clock.instant();
    List<ActiveTrigger> active = active();
    if (active.isEmpty()) {
      return 0;
    }
    Tally tally = new Tally();
    sweepCauses(active, now, tally);
    active.stream().filter(a -> a.trigger() instanceof Trigger.Schedule).forEach(a -> sweepSchedule(a, now, tally));
    return tally.recorded;
  }

  /** The triggers of every model in force, each with the instant since which it has been declared. */
  private List<ActiveTrigger> active() {
    List<ActiveTrigger> out = new ArrayList<>();
    for (DeploymentModel model : models.all()) {
      if (model.retired() || model.definition() == null) {
        continue;
      }
      for (Trigger trigger : model.definition().spec().triggers()) {
        Optional<Stage> stage = model.definition().spec().stages().stream()
            .filter(s -> s.name().equals(trigger.stage())).findFirst();
        stage.ifPresent(s -> out.add(new ActiveTrigger(model, trigger, s, declaredSince(model, trigger))));
      }
    }
    return out;
  }

  /**
   * The creation of the oldest model version from which on every version, up to the current one,
   * declares this trigger: applying a model with a new trigger does not make it fire for what
   * happened before.
   */
  private Instant declaredSince(DeploymentModel model, Trigger trigger) {
    return since.computeIfAbsent(model.name() + "\n" + model.currentVersion() + "\n" + trigger, k -> {
      Instant from = model.updatedAt();
      for (ModelVersion v : models.versions(model.name())) {
        if (v.number() > model.currentVersion()) {
          continue;
        }
        if (v.text() == null || !ModelDocuments.parse(model.name(), v.text()).spec().triggers().contains(trigger)) {
          break;
        }
        from = v.createdAt();
      }
      return from;
    });
  }

  // --- versions registered or approved, deployments that succeeded

  private void sweepCauses(List<ActiveTrigger> active, Instant now, Tally tally) {
    List<ActiveTrigger> registered = of(active, Trigger.VersionRegistered.class);
    List<ActiveTrigger> approved = of(active, Trigger.VersionApproved.class);
    List<ActiveTrigger> succeeded = of(active, Trigger.StageSucceeded.class);
    List<ActiveTrigger> all = new ArrayList<>(registered);
    all.addAll(approved);
    all.addAll(succeeded);
    if (all.isEmpty()) {
      return;
    }
    Instant earliest = all.stream().map(ActiveTrigger::since).min(Instant::compareTo).orElseThrow();
    Instant from = firings.watermark(CAUSES).map(w -> w.minus(LATE_COMMITS)).filter(w -> w.isAfter(earliest))
        .orElse(earliest);
    boolean complete = true;
    if (!registered.isEmpty()) {
      for (ComponentVersion v : library.registeredSince(from)) {
        for (ActiveTrigger a : registered) {
          if (v.createdAt().isAfter(a.since())) {
            complete &= onVersion(a, v, v.component() + "@" + v.version() + " registered",
                v.component() + "@" + v.version() + " was registered in the library by " + v.createdBy(), now, tally);
          }
        }
      }
    }
    if (!approved.isEmpty()) {
      for (ComponentVersion v : library.approvedSince(from)) {
        for (ActiveTrigger a : approved) {
          if (v.statusChangedAt().isAfter(a.since())) {
            complete &= onVersion(a, v, v.component() + "@" + v.version() + " approved",
                v.component() + "@" + v.version() + " was approved by " + v.statusChangedBy()
                    + (v.statusReason() == null ? "" : " (" + v.statusReason() + ")"), now, tally);
          }
        }
      }
    }
    if (!succeeded.isEmpty()) {
      for (Deployment d : deployments.succeededSince(from)) {
        for (ActiveTrigger a : succeeded) {
          Trigger.StageSucceeded s = (Trigger.StageSucceeded) a.trigger();
          if (d.model().equals(a.model().name()) && d.stage().equals(s.after()) && d.finishedAt().isAfter(a.since())) {
            complete &= fire(a, "deployment #" + d.id(), d.component(), d.version(), d.component() + "@" + d.version()
                + " succeeded in " + s.after() + " (deployment #" + d.id() + ")", now, tally);
          }
        }
      }
    }
    if (complete) {
      firings.advance(CAUSES, now);
    }
  }

  private boolean onVersion(ActiveTrigger a, ComponentVersion v, String cause, String reason, Instant now,
      Tally tally) {
    Optional<Component> component = components.find(v.component());
    if (component.isEmpty() || !follows(component.get(), a)) {
      return true;
    }
    return fire(a, cause, v.component(), v.version().value(), reason, now, tally);
  }

  /** Whether a request for the component that names no model would follow the trigger's model. */
  private boolean follows(Component component, ActiveTrigger a) {
    return requests.modelFor(component, a.environment()).map(DeploymentModel::name)
        .filter(a.model().name()::equals).isPresent();
  }

  // --- schedules

  private void sweepSchedule(ActiveTrigger a, Instant now, Tally tally) {
    Trigger.Schedule schedule = (Trigger.Schedule) a.trigger();
    String mark = ActiveTrigger.bounded("schedule " + a.model().name() + " " + a.identity());
    TriggerCron cron;
    try {
      cron = TriggerCron.parse(schedule.cron(), schedule.timeZone());
    } catch (IllegalArgumentException e) {
      log.error("trigger {} of model {} is not usable: {}", a.identity(), a.model().name(), e.getMessage());
      return;
    }
    Instant after = firings.watermark(mark).filter(w -> w.isAfter(a.since())).orElse(a.since());
    Optional<Instant> due = cron.latest(after, now);
    if (due.isEmpty()) {
      return;
    }
    Instant at = due.get();
    boolean complete = true;
    for (Component component : components.all()) {
      if (!follows(component, a)) {
        continue;
      }
      ComponentRef ref = component.ref();
      Optional<ComponentVersion> newest = library.newest(ref);
      if (newest.isEmpty()) {
        continue;
      }
      String version = newest.get().version().value();
      Collection<String> running = new TreeSet<>(deployments.currentVersions(a.environment(), ref).values());
      if (running.equals(java.util.Set.of(version)) || deployments.unfinished(a.environment(), ref).stream()
          .anyMatch(d -> d.kind() == Deployment.Kind.DEPLOY && d.version().equals(version))) {
        continue;
      }
      complete &= fire(a, at + " " + ref, ref, version, "the schedule \"" + schedule.cron() + "\" ("
          + (schedule.timeZone() == null ? "UTC" : schedule.timeZone()) + ") fired at " + at + ": " + ref + "@"
          + version + " is the newest version and " + a.environment() + (running.isEmpty() ? " does not run "
          + ref : " runs " + String.join(", ", running)), now, tally);
    }
    if (complete) {
      firings.advance(mark, at);
    }
  }

  // --- firing

  /**
   * Fires a trigger for a cause, unless it has fired for it already: records the firing and requests
   * the deployment in one transaction, or records why the request was refused. Answers false when
   * something unforeseen went wrong: nothing of the firing is then kept and the cause is tried again.
   */
  private boolean fire(ActiveTrigger a, String cause, ComponentRef component, String version, String reason,
      Instant now, Tally tally) {
    String trigger = a.identity();
    String key = ActiveTrigger.bounded(cause);
    if (firings.exists(a.model().name(), trigger, key)) {
      return true;
    }
    Firings.NewFiring firing = new Firings.NewFiring(a.model().name(), a.model().currentVersion(), trigger, key,
        component.toString(), version, a.stage().name(), a.environment(), a.requester(), reason);
    try {
      Deployment d = tx.execute(t -> {
        // another trigger of the stage may have requested the same version already (a version approved
        // while its success in the stage before was still to be swept): one deployment of it is enough
        deployments.lockQueue(a.environment(), component);
        Optional<Deployment> already = deployments.unfinished(a.environment(), component).stream()
            .filter(x -> x.kind() == Deployment.Kind.DEPLOY && x.version().equals(version)).findFirst();
        if (already.isPresent()) {
          throw new AlreadyRequested(already.get());
        }
        long id = firings.insert(firing, Firing.Status.REQUESTED, null, now);
        Deployment requested = requests.request(new DeploymentRequests.Request(component.toString(), version,
            a.environment(), a.model().name(), reason), a.requester());
        HaltPoint.reached(HaltPoint.TRIGGER_FIRING);
        firings.requested(id, requested.id());
        return requested;
      });
      tally.recorded++;
      log.info("{} of model {} requested deployment #{} of {}@{} to {}: {}", trigger, a.model().name(), d.id(),
          component, version, a.environment(), reason);
      return true;
    } catch (DuplicateKeyException e) {
      return true;
    } catch (AlreadyRequested e) {
      return refuse(firing, "deployment #" + e.deployment.id() + " of " + component + "@" + version + " to "
          + a.environment() + " is requested already (by " + e.deployment.requestedBy() + ") and has not ended; "
          + "a second one is not requested", now, tally);
    } catch (InvalidInputException | ConflictException | NotFoundException e) {
      return refuse(firing, message(e), now, tally);
    } catch (RuntimeException e) {
      log.error("{} of model {} could not fire for {}; the next sweep tries again", trigger, a.model().name(), cause, e);
      return false;
    }
  }

  private boolean refuse(Firings.NewFiring firing, String why, Instant now, Tally tally) {
    try {
      tx.executeWithoutResult(t -> firings.insert(firing, Firing.Status.REFUSED, why, now));
      tally.recorded++;
      log.info("{} of model {} did not request {}@{} to {}: {}", firing.trigger(), firing.model(),
          firing.component(), firing.version(), firing.environment(), why);
    } catch (DuplicateKeyException e) {
      // another sweeper recorded it first
    }
    return true;
  }

  private static String message(RuntimeException e) {
    if (e instanceof InvalidInputException invalid && !invalid.findings().isEmpty()) {
      String findings = invalid.findings().stream().map(Finding::message).distinct().collect(Collectors.joining("; "));
      return findings.equals(e.getMessage()) ? findings : e.getMessage() + ": " + findings;
    }
    return e.getMessage();
  }

  private static List<ActiveTrigger> of(List<ActiveTrigger> active, Class<? extends Trigger> type) {
    return active.stream().filter(a -> type.isInstance(a.trigger())).toList();
  }

  /** An unfinished deployment of the version a trigger would request, to the same environment. */
  private static final class AlreadyRequested extends RuntimeException {
    final transient Deployment deployment;

    AlreadyRequested(Deployment deployment) {
      super(null, null, false, false);
      this.deployment = deployment;
    }
  }

  private static final class Tally {
    int recorded;
  }
}
