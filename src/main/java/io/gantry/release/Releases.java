package io.gantry.release;

import io.gantry.catalog.Component;
import io.gantry.catalog.ComponentDefinition;
import io.gantry.catalog.ComponentRef;
import io.gantry.catalog.ComponentVersion;
import io.gantry.catalog.Components;
import io.gantry.catalog.Library;
import io.gantry.catalog.Version;
import io.gantry.catalog.VersionRange;
import io.gantry.catalog.VersionStatus;
import io.gantry.deployment.Deployment;
import io.gantry.deployment.DeploymentRequests;
import io.gantry.deployment.DeploymentState;
import io.gantry.deployment.Deployments;
import io.gantry.deployment.TargetRun;
import io.gantry.environment.Environments;
import io.gantry.model.ModelDocuments;
import io.gantry.model.Models;
import io.gantry.model.Stage;
import io.gantry.shared.ConflictException;
import io.gantry.shared.Finding;
import io.gantry.shared.InvalidInputException;
import io.gantry.shared.NotFoundException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Records releases, deploys them into environments and carries each run to its end: when every
 * member has ended, the run succeeded, or the failure policy of the stage where a member failed
 * decides for the whole set: {@code rollback} redeploys the previous version of every member deployed
 * before the failure, dependents first; {@code stop} and {@code ask} leave them and end the run failed.
 * Members after a failed one never run (the release gate cancels them).
 *
 * <p>{@link #reconcile} is idempotent and takes the run's row lock: the gate calls it when a member
 * ends, and the sweep calls it for every unfinished run, so a server stopped at any point carries
 * the run on when it starts again.
 */
@Service
public class Releases {

  private static final Logger log = LoggerFactory.getLogger(Releases.class);
  static final String SYSTEM = "gantry";
  private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9._-]{0,98}[a-z0-9])?");

  private final ReleaseRecords records;
  private final Components components;
  private final Library library;
  private final Environments environments;
  private final Models models;
  private final Deployments deployments;
  private final DeploymentRequests requests;
  private final TransactionTemplate tx;
  private final Clock clock;

  public Releases(ReleaseRecords records, Components components, Library library, Environments environments,
      Models models, Deployments deployments, DeploymentRequests requests, TransactionTemplate tx, Clock clock) {
    this.records = records;
    this.components = components;
    this.library = library;
    this.environments = environments;
    this.models = models;
    this.deployments = deployments;
    this.requests = requests;
    this.tx = tx;
    this.clock = clock;
  }

  // --- releases

  /**
   * Records a release of the given versions ({@code service/component@version}), put in dependency
   * order. Refused as a whole, naming each member that is wrong: an unknown component or version, a
   * withdrawn version, a component twice, a requirement among members that the release's own version
   * does not meet, a cycle of requirements.
   */
  public Release create(String name, String description, List<String> members, String actor) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw InvalidInputException.of("name", "a release name is 1 to 100 lowercase letters, digits, '.', '_' or "
          + "'-', starting and ending with a letter or digit" + (name == null ? "; give one" : ", not '" + name + "'"));
    }
    if (members == null || members.isEmpty()) {
      throw InvalidInputException.of("members", "a release holds at least one component version "
          + "(service/component@version)");
    }
    List<Finding> findings = new ArrayList<>();
    Map<ComponentRef, Integer> seen = new HashMap<>();
    List<Candidate> candidates = new ArrayList<>();
    for (int i = 0; i < members.size(); i++) {
      String field = "members[" + i + "]";
      String text = members.get(i) == null ? "" : members.get(i).trim();
      int at = text.lastIndexOf('@');
      if (at <= 0 || at == text.length() - 1) {
        findings.add(Finding.of(field, "'" + text + "' is not service/component@version"));
        continue;
      }
      ComponentRef ref;
      try {
        ref = ComponentRef.parse(text.substring(0, at));
      } catch (IllegalArgumentException e) {
        findings.add(Finding.of(field, e.getMessage()));
        continue;
      }
      String version = text.substring(at + 1);
      Optional<Component> component = components.find(ref);
      if (component.isEmpty()) {
        findings.add(Finding.of(field, "there is no component " + ref));
        continue;
      }
      Integer twice = seen.putIfAbsent(ref, i);
      if (twice != null) {
        findings.add(Finding.of(field, ref + " is already in the release (members[" + twice + "]); a release "
            + "holds one version of each component"));
        continue;
      }
      ComponentVersion found;
      try {
        found = library.get(ref, version);
      } catch (NotFoundException e) {
        findings.add(Finding.of(field, "there is no version " + version + " of " + ref + " in the library"));
        continue;
      }
      if (found.status() == VersionStatus.WITHDRAWN) {
        findings.add(Finding.of(field, ref + "@" + version + " is withdrawn and goes nowhere"));
        continue;
      }
      candidates.add(new Candidate(i, ref, found.version().value(), component.get().definition()));
    }
    if (findings.isEmpty()) {
      findings.addAll(requirementsAmong(candidates));
    }
    List<Candidate> ordered = findings.isEmpty() ? dependencyOrder(candidates, findings) : List.of();
    if (!findings.isEmpty()) {
      throw new InvalidInputException("release " + name + " cannot be recorded: " + findings.stream()
          .map(f -> f.field() + ": " + f.message()).collect(Collectors.joining("; ")), findings);
    }
    List<Release.Item> items = new ArrayList<>();
    for (Candidate c : ordered) {
      items.add(new Release.Item(items.size(), c.ref(), c.version()));
    }
    String text = description == null || description.isBlank() ? null : description.strip();
    return tx.execute(s -> {
      if (records.find(name).isPresent()) {
        throw new ConflictException("release " + name + " exists; a release never changes: record the new set of "
            + "versions under a new name");
      }
      return records.insert(name, text, items, actor, clock.instant());
    });
  }

  private record Candidate(int index, ComponentRef ref, String version, ComponentDefinition definition) {}

  /** Members requiring another member in a version range that the release's version of it is outside. */
  private static List<Finding> requirementsAmong(List<Candidate> candidates) {
    Map<ComponentRef, Candidate> byRef = candidates.stream()
        .collect(Collectors.toMap(Candidate::ref, Function.identity()));
    List<Finding> findings = new ArrayList<>();
    for (Candidate c : candidates) {
      for (ComponentDefinition.Requirement r : c.definition().requires()) {
        Candidate required = byRef.get(ComponentRef.parse(r.component()));
        if (required == null) {
          continue;
        }
        VersionRange range = VersionRange.parse(r.version());
        if (!Version.isValid(required.version()) || !range.allows(new Version(required.version()))) {
          findings.add(Finding.of("members[" + c.index() + "]", c.ref() + "@" + c.version() + " requires "
              + required.ref() + " " + range + ", but the release has " + required.ref() + "@" + required.version()
              + " (members[" + required.index() + "])"));
        }
      }
    }
    return findings;
  }

  /**
   * The members with every component after the members it requires, otherwise in the order given;
   * a cycle among them is a finding.
   */
  private static List<Candidate> dependencyOrder(List<Candidate> candidates, List<Finding> findings) {
    Map<ComponentRef, Candidate> byRef = candidates.stream()
        .collect(Collectors.toMap(Candidate::ref, Function.identity()));
    List<Candidate> ordered = new ArrayList<>();
    List<Candidate> left = new ArrayList<>(candidates);
    while (!left.isEmpty()) {
      Optional<Candidate> ready = left.stream().filter(c -> c.definition().requires().stream()
          .map(r -> byRef.get(ComponentRef.parse(r.component())))
          .allMatch(required -> required == null || ordered.contains(required))).findFirst();
      if (ready.isEmpty()) {
        findings.add(Finding.of("members", "the requirements of " + left.stream().map(c -> c.ref().toString())
            .collect(Collectors.joining(", ")) + " form a cycle, so no order deploys each after what it requires"));
        return List.of();
      }
      ordered.add(ready.get());
      left.remove(ready.get());
    }
    return ordered;
  }

  public Release get(String name) {
    return records.find(name).orElseThrow(() -> new NotFoundException("release", name));
  }

  public List<Release> list(int limit) {
    return records.releases(limit);
  }

  // --- runs

  /** What a release run is and how far its deployments have come. */
  public record RunView(ReleaseRun run, List<Member> members, List<ReleaseRun.Entry> history) {}

  /** A member or rollback of a run with its deployment as it is now (null when none could be requested). */
  public record Member(ReleaseRun.Member member, Deployment deployment) {}

  /**
   * Deploys a release into an environment: one deployment per member, requested together (all or
   * none: a member refused, e.g. with no model for the environment, refuses the whole run), run one
   * after the other in dependency order.
   */
  public ReleaseRun deploy(String name, String environment, String reason, Instant plannedStart, Integer priority,
      String actor) {
    Release release = get(name);
    if (environment == null || environment.isBlank()) {
      throw InvalidInputException.of("environment", "say which environment to deploy release " + name + " to");
    }
    environments.find(environment).orElseThrow(() -> new NotFoundException("environment", environment));
    String why = reason == null || reason.isBlank()
        ? "deploy release " + name + " (" + release.items().stream().map(Release.Item::toString)
            .collect(Collectors.joining(", ")) + ") to " + environment
        : reason.strip();
    return tx.execute(s -> {
      Optional<ReleaseRun> running = records.runsOf(release.id()).stream()
          .filter(r -> r.environment().equals(environment) && !r.state().isFinal()).findFirst();
      if (running.isPresent()) {
        throw new ConflictException("release " + name + " is already being deployed to " + environment + " (run #"
            + running.get().id() + ", " + running.get().state().id() + ")");
      }
      ReleaseRun run = records.insertRun(release, environment, actor, why, clock.instant());
      for (Release.Item item : release.items()) {
        String memberReason = "release " + name + " to " + environment + ", member " + (item.position() + 1) + " of "
            + release.items().size() + ": " + why;
        try {
          requests.request(new DeploymentRequests.Request(item.component().toString(), item.version(), environment,
              null, memberReason, Deployment.Kind.DEPLOY, plannedStart, null, priority), actor,
              d -> records.addMember(run.id(), item.position(), ReleaseRun.Purpose.DEPLOY, d.id(), null, null));
        } catch (InvalidInputException e) {
          throw new InvalidInputException("release " + name + " cannot be deployed to " + environment + ": member "
              + item + ": " + e.getMessage(), e.findings().stream().map(f -> Finding.of("members[" + item.position()
                  + "]." + f.field(), f.message())).toList());
        } catch (NotFoundException | ConflictException e) {
          throw new ConflictException("release " + name + " cannot be deployed to " + environment + ": member "
              + item + ": " + e.getMessage());
        }
      }
      return records.run(run.id());
    });
  }

  public RunView run(long id) {
    ReleaseRun run = records.run(id);
    List<Member> members = records.members(id).stream()
        .map(m -> new Member(m, m.deployment() == null ? null : deployments.get(m.deployment()))).toList();
    return new RunView(run, members, records.history(id));
  }

  public List<ReleaseRun> runsOf(String name) {
    return records.runsOf(get(name).id());
  }

  public List<ReleaseRun> runs(String environment, int limit) {
    return records.runs(environment, limit);
  }

  /**
   * Cancels a run: members that have not started are cancelled, the one executing ends as it would,
   * members already deployed stay. Refused once the run has ended.
   */
  public ReleaseRun cancel(long id, String reason, String actor) {
    if (reason == null || reason.isBlank()) {
      throw InvalidInputException.of("reason", "say why the release run is cancelled (the reason is recorded)");
    }
    List<Long> unfinished = tx.execute(s -> {
      ReleaseRun run = records.lockRun(id);
      if (run.state().isFinal()) {
        throw new ConflictException("release run #" + id + " has ended (" + run.state().id() + ")");
      }
      if (run.state() == ReleaseRun.State.ROLLING_BACK) {
        throw new ConflictException("release run #" + id + " is rolling back; a rollback is not cancelled");
      }
      records.cancelRequested(run, reason.strip(), actor, clock.instant());
      return records.members(id).stream().filter(m -> m.purpose() == ReleaseRun.Purpose.DEPLOY)
          .map(ReleaseRun.Member::deployment).toList();
    });
    for (Long member : unfinished) {
      Deployment d = deployments.get(member);
      if (d.state().canBecome(DeploymentState.CANCELLED)) {
        try {
          requests.cancel(member, "release run #" + id + " cancelled: " + reason.strip(), actor);
        } catch (ConflictException e) {
          // it moved on meanwhile: the release gate cancels it when it is next looked at, or it ends
          log.debug("member {} of release run {} moved while being cancelled", member, id, e);
        }
      }
    }
    reconcile(id);
    return records.run(id);
  }

  /** The run a deployment is a member (or a rollback) of, with every deployment of the run. */
  public Optional<ReleaseRun.Members> membership(long deployment) {
    return records.runOf(deployment).map(run -> new ReleaseRun.Members(records.run(run), records.members(run)));
  }

  // --- carrying runs to their end

  /** Carries every unfinished run on: what the sweep does. */
  public void reconcileAll() {
    for (long run : records.unfinishedRuns()) {
      try {
        reconcile(run);
      } catch (RuntimeException e) {
        log.error("release run {} could not be carried on; it is tried again at the next sweep", run, e);
      }
    }
  }

  /** Moves a run on as far as its deployments allow now: its end, or its rollback. */
  public void reconcile(long id) {
    List<Integer> toRollBack = tx.execute(s -> decide(id));
    if (toRollBack == null) {
      return;
    }
    for (int position : toRollBack) {
      requestRollback(id, position);
    }
    tx.executeWithoutResult(s -> decide(id));
  }

  /**
   * Under the run's lock: ends the run when its deployments have all ended, or starts its rollback;
   * answers the positions of the members still to be rolled back (dependents first), or null.
   */
  private List<Integer> decide(long id) {
    ReleaseRun run = records.lockRun(id);
    if (run.state().isFinal()) {
      return null;
    }
    List<ReleaseRun.Member> all = records.members(id);
    List<ReleaseRun.Member> members = all.stream().filter(m -> m.purpose() == ReleaseRun.Purpose.DEPLOY).toList();
    Map<Long, Deployment> byId = new LinkedHashMap<>();
    for (ReleaseRun.Member m : all) {
      if (m.deployment() != null) {
        byId.put(m.deployment(), deployments.get(m.deployment()));
      }
    }
    Instant now = clock.instant();
    if (run.state() == ReleaseRun.State.RUNNING) {
      if (members.stream().anyMatch(m -> !byId.get(m.deployment()).state().isFinal())) {
        return null;
      }
      Optional<ReleaseRun.Member> failed = members.stream()
          .filter(m -> byId.get(m.deployment()).state() != DeploymentState.SUCCEEDED).findFirst();
      if (failed.isEmpty()) {
        records.transition(run, ReleaseRun.State.SUCCEEDED, SYSTEM, "every member deployed: "
            + describe(members, byId), now);
        return null;
      }
      Deployment first = byId.get(failed.get().deployment());
      List<ReleaseRun.Member> deployed = members.stream().filter(m -> m.position() < failed.get().position())
          .toList();
      if (first.state() == DeploymentState.CANCELLED) {
        records.transition(run, ReleaseRun.State.CANCELLED, SYSTEM, "cancelled: " + (run.cancelRequested() != null
            ? run.cancelRequested() : "deployment #" + first.id() + " (" + label(first) + ") was " + first.outcome())
            + (deployed.isEmpty() ? "; no member had been deployed"
                : "; deployed before that and left as they are: " + describe(deployed, byId)), now);
        return null;
      }
      String cause = "deployment #" + first.id() + " (" + label(first) + ") ended " + state(first) + ": "
          + first.outcome();
      Stage.FailurePolicy.Action policy = policy(first);
      if (policy == Stage.FailurePolicy.Action.ROLLBACK && !deployed.isEmpty()) {
        records.transition(run, ReleaseRun.State.ROLLING_BACK, SYSTEM, cause + "; the failure policy of stage "
            + first.stage() + " is rollback: rolling back " + describe(deployed, byId) + ", dependents first", now);
        return deployed.reversed().stream().map(ReleaseRun.Member::position).toList();
      }
      ReleaseRun.State end = first.state() == DeploymentState.ROLLED_BACK && deployed.isEmpty()
          ? ReleaseRun.State.ROLLED_BACK : ReleaseRun.State.FAILED;
      records.transition(run, end, SYSTEM, cause + (members.size() > deployed.size() + 1
          ? "; the members after it did not run" : "") + (deployed.isEmpty() ? ""
          : "; the failure policy of stage " + first.stage() + " is " + policy.name().toLowerCase()
              + ", so " + describe(deployed, byId) + " stay deployed"), now);
      return null;
    }
    // rolling back: the members deployed before the failure, each rolled back once
    List<Integer> pending = members.stream()
        .filter(m -> byId.get(m.deployment()).state() == DeploymentState.SUCCEEDED)
        .filter(m -> !rolledBack(all, m))
        .map(ReleaseRun.Member::position).sorted(Comparator.reverseOrder()).toList();
    if (!pending.isEmpty()) {
      return pending;
    }
    List<ReleaseRun.Member> rollbacks = all.stream().filter(m -> m.purpose() == ReleaseRun.Purpose.ROLLBACK)
        .toList();
    if (rollbacks.stream().anyMatch(r -> r.deployment() != null && !byId.get(r.deployment()).state().isFinal())) {
      return null;
    }
    List<String> problems = new ArrayList<>();
    for (ReleaseRun.Member r : rollbacks) {
      if (r.deployment() == null) {
        problems.add(r.note());
      } else if (byId.get(r.deployment()).state() != DeploymentState.SUCCEEDED) {
        Deployment d = byId.get(r.deployment());
        problems.add("deployment #" + d.id() + " (" + label(d) + ") ended " + state(d) + ": " + d.outcome());
      }
    }
    if (problems.isEmpty()) {
      records.transition(run, ReleaseRun.State.ROLLED_BACK, SYSTEM, "rolled back: " + rollbacks.stream()
          .map(r -> byId.get(r.deployment())).map(d -> label(d) + " (#" + d.id() + ")")
          .collect(Collectors.joining(", ")), now);
    } else {
      records.transition(run, ReleaseRun.State.FAILED, SYSTEM, "rollback incomplete: " + String.join("; ", problems),
          now);
    }
    return null;
  }

  /**
   * Requests the rollback of the member at {@code position}: its previous version again, or its
   * removal when it had none. What cannot be requested is recorded as a rollback without deployment.
   */
  private void requestRollback(long id, int position) {
    try {
      tx.executeWithoutResult(s -> rollbackSlot(id, position).ifPresent(slot -> {
        Deployment d = slot.member();
        String previous = previousVersion(d);
        String reason = "release " + slot.run().release() + " to " + slot.run().environment() + " rolled back (run #"
            + id + "): " + label(d) + " goes back to " + (previous == null ? "not being deployed" : previous);
        Deployment rollback = requests.request(new DeploymentRequests.Request(d.component().toString(), previous,
            d.environment(), d.model(), reason, previous == null ? Deployment.Kind.UNDEPLOY : Deployment.Kind.DEPLOY,
            null, null, null), SYSTEM,
            created -> records.addMember(id, slot.position(), ReleaseRun.Purpose.ROLLBACK, created.id(), d.id(), null));
        records.history(id, clock.instant(), SYSTEM, null, "deployment #" + rollback.id() + " rolls back "
            + label(d) + " (#" + d.id() + ")");
      }));
    } catch (RuntimeException e) {
      tx.executeWithoutResult(s -> rollbackSlot(id, position).ifPresent(slot -> {
        Deployment d = slot.member();
        String note = label(d) + " (#" + d.id() + ") could not be rolled back: " + e.getMessage();
        records.addMember(id, slot.position(), ReleaseRun.Purpose.ROLLBACK, null, d.id(), note);
        records.history(id, clock.instant(), SYSTEM, null, note);
      }));
    }
  }

  /** Where the rollback of a member goes: the run, the member's deployment and the rollback's position. */
  private record RollbackSlot(ReleaseRun run, Deployment member, int position) {}

  /**
   * Under the run's lock: the member at {@code position} and the place of its rollback, unless the run
   * no longer rolls back or the member's rollback is already recorded.
   */
  private Optional<RollbackSlot> rollbackSlot(long id, int position) {
    ReleaseRun run = records.lockRun(id);
    List<ReleaseRun.Member> all = records.members(id);
    ReleaseRun.Member member = all.stream().filter(m -> m.position() == position).findFirst().orElseThrow();
    if (run.state() != ReleaseRun.State.ROLLING_BACK || rolledBack(all, member)) {
      return Optional.empty();
    }
    int next = all.stream().mapToInt(ReleaseRun.Member::position).max().orElse(-1) + 1;
    return Optional.of(new RollbackSlot(run, deployments.get(member.deployment()), next));
  }

  /** Whether the member's rollback is recorded (requested, or noted as impossible). */
  private static boolean rolledBack(List<ReleaseRun.Member> all, ReleaseRun.Member member) {
    return all.stream().anyMatch(r -> r.purpose() == ReleaseRun.Purpose.ROLLBACK
        && member.deployment().equals(r.rollsBack()));
  }

  /** The version most of the member's targets ran before it; null when none ran any. */
  private String previousVersion(Deployment d) {
    return deployments.targetRuns(d.id()).stream().map(TargetRun::previousVersion).filter(v -> v != null)
        .collect(Collectors.groupingBy(v -> v, LinkedHashMap::new, Collectors.counting())).entrySet().stream()
        .max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(null);
  }

  /** The failure policy of the stage the deployment followed, as its model was when it was requested. */
  private Stage.FailurePolicy.Action policy(Deployment d) {
    var model = ModelDocuments.parse(d.model(), models.version(d.model(), d.modelVersion()).text());
    return model.spec().stages().stream().filter(s -> s.name().equals(d.stage())).findFirst()
        .map(s -> s.failurePolicy().action()).orElse(Stage.FailurePolicy.Action.STOP);
  }

  private static String describe(List<ReleaseRun.Member> members, Map<Long, Deployment> byId) {
    return members.stream().map(m -> byId.get(m.deployment())).map(d -> label(d) + " (#" + d.id() + ")")
        .collect(Collectors.joining(", "));
  }

  static String label(Deployment d) {
    return d.component() + "@" + d.version();
  }

  static String state(Deployment d) {
    return d.state().name().toLowerCase().replace('_', ' ');
  }
}
