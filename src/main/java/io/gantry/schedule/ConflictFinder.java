package io.gantry.schedule;

import io.gantry.catalog.ComponentDefinition;
import io.gantry.catalog.ComponentRef;
import io.gantry.catalog.Components;
import io.gantry.catalog.Version;
import io.gantry.catalog.VersionRange;
import io.gantry.deployment.Deployment;
import io.gantry.deployment.Deployments;
import io.gantry.deployment.TargetRun;
import io.gantry.environment.Targets;
import io.gantry.model.WindowRules.Span;
import io.gantry.release.ReleaseRun;
import io.gantry.release.Releases;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Finds the conflicts of a deployment (practice guide 4.1.1): another unfinished deployment at the
 * same time on the same environment and service or on the same target; a freeze over its time; a
 * component it requires, in a version range, that its environment does not have.
 */
@Component
class ConflictFinder {

  private final ScheduleRows rows;
  private final Deployments deployments;
  private final Freezes freezes;
  private final Components components;
  private final Targets targets;
  private final ScheduleSettings settings;
  private final Function<Long, Optional<ReleaseRun.Members>> releases;

  @Autowired
  ConflictFinder(ScheduleRows rows, Deployments deployments, Freezes freezes, Components components, Targets targets,
      ScheduleSettings settings, Releases releases) {
    this(rows, deployments, freezes, components, targets, settings, releases::membership);
  }

  /** With the release memberships of the caller's choosing (tests). */
  ConflictFinder(ScheduleRows rows, Deployments deployments, Freezes freezes, Components components, Targets targets,
      ScheduleSettings settings, Function<Long, Optional<ReleaseRun.Members>> releases) {
    this.releases = releases;
    this.rows = rows;
    this.deployments = deployments;
    this.freezes = freezes;
    this.components = components;
    this.targets = targets;
    this.settings = settings;
  }

  /** Everything in the way of a deployment just requested, placed in time as it is planned. */
  List<Conflict.Found> atRequest(Deployment d, Instant now) {
    Span span = Placement.of(d, now, settings.defaultDuration);
    List<Conflict.Found> found = new ArrayList<>(overlaps(d, span, now));
    found.addAll(inFreezes(d, span));
    found.addAll(unmetRequirements(d));
    return found;
  }

  /** Other unfinished deployments overlapping {@code span} on the deployment's environment and service or targets. */
  List<Conflict.Found> overlaps(Deployment d, Span span, Instant now) {
    List<Conflict.Found> found = new ArrayList<>();
    int more = 0;
    Set<String> mine = null;
    // the deployments of one release run one after the other by design: they do not collide
    Set<Long> sameRelease = releases.apply(d.id()).map(ReleaseRun.Members::deployments).orElse(Set.of());
    for (Deployment other : rows.unfinished(d.environment())) {
      if (other.id() == d.id() || sameRelease.contains(other.id())
          || !Placement.of(other, now, settings.defaultDuration).overlaps(span)) {
        continue;
      }
      String where;
      if (other.component().service().equals(d.component().service())) {
        where = other.component().equals(d.component())
            ? "on the same component (the lock runs them one after the other)"
            : "on service " + d.component().service();
      } else {
        if (mine == null) {
          mine = targetsOf(d);
        }
        Set<String> shared = new TreeSet<>(targetsOf(other));
        shared.retainAll(mine);
        if (shared.isEmpty()) {
          continue;
        }
        where = "on target" + (shared.size() == 1 ? " " : "s ") + String.join(", ", shared);
      }
      if (found.size() == MAX_OVERLAPS) {
        // a burst of deployments into one environment would otherwise record every pair: name the
        // first few, count the others
        more++;
        continue;
      }
      found.add(new Conflict.Found(Conflict.Kind.OVERLAP, "deployment:" + other.id(), other.id(), null,
          describe(d) + " overlaps " + describe(other) + " " + where));
    }
    if (more > 0) {
      Conflict.Found last = found.removeLast();
      found.add(new Conflict.Found(last.kind(), last.subject(), last.otherDeployment(), last.freeze(),
          last.message() + " (and " + more + " more overlapping deployment" + (more == 1 ? "" : "s") + ")"));
    }
    return found;
  }

  /** At most this many overlaps are recorded for one deployment; the last one says how many more there are. */
  static final int MAX_OVERLAPS = 10;

  /** Freezes covering the deployment that hold at some time within {@code span}. */
  List<Conflict.Found> inFreezes(Deployment d, Span span) {
    List<Conflict.Found> found = new ArrayList<>();
    for (Freeze f : freezes.covering(d.environment(), d.component().service())) {
      List<Span> held = f.recurrence().occurrences(span.start(), span.end());
      if (!held.isEmpty()) {
        found.add(inFreeze(d, f, held.getFirst()));
      }
    }
    return found;
  }

  static Conflict.Found inFreeze(Deployment d, Freeze f, Span held) {
    return new Conflict.Found(Conflict.Kind.FREEZE, "freeze:" + f.id(), null, f.id(), describe(d)
        + " is planned inside " + f.label() + " (" + f.scope() + ", " + held.start() + " to " + held.end() + "): "
        + f.reason() + " (declared by " + f.declaredBy() + ")");
  }

  /** Requirements of the deployment's component on others that its environment does not meet now. */
  List<Conflict.Found> unmetRequirements(Deployment d) {
    return unmet(d).stream().map(Unmet::found).toList();
  }

  /**
   * An unmet requirement, and the unfinished deployments of the required component into the same
   * environment, requested before this one, that would meet it.
   */
  record Unmet(Conflict.Found found, List<Deployment> earlier) {}

  List<Unmet> unmet(Deployment d) {
    if (d.kind() == Deployment.Kind.UNDEPLOY) {
      return List.of();
    }
    List<ComponentDefinition.Requirement> requires = components.find(d.component())
        .map(c -> c.definition().requires()).orElse(List.of());
    List<Unmet> found = new ArrayList<>();
    for (ComponentDefinition.Requirement requirement : requires) {
      ComponentRef required = ComponentRef.parse(requirement.component());
      VersionRange range = VersionRange.parse(requirement.version());
      Map<String, String> deployed = rows.deployedVersions(d.environment(), required);
      String missing;
      if (deployed.isEmpty()) {
        missing = "no version of " + required + " is deployed there";
      } else {
        List<String> outside = deployed.entrySet().stream()
            .filter(e -> !Version.isValid(e.getValue()) || !range.allows(new Version(e.getValue())))
            .map(e -> e.getKey() + " runs " + e.getValue()).toList();
        if (outside.isEmpty()) {
          continue;
        }
        missing = String.join(", ", outside);
      }
      List<Deployment> comingOnes = rows.unfinished(d.environment()).stream()
          .filter(o -> o.component().equals(required) && o.kind() == Deployment.Kind.DEPLOY
              && Version.isValid(o.version()) && range.allows(new Version(o.version())))
          .toList();
      String coming = comingOnes.stream()
          .map(o -> "deployment #" + o.id() + " of " + required + " " + o.version() + " is " + o.state().name()
              .toLowerCase())
          .collect(Collectors.joining("; "));
      found.add(new Unmet(new Conflict.Found(Conflict.Kind.DEPENDENCY, "requires:" + required, null, null,
          describe(d) + " requires " + required + " " + range + ", which " + d.environment() + " does not have: "
              + missing + (coming.isEmpty() ? "" : " (" + coming + ")")),
          comingOnes.stream().filter(o -> o.id() < d.id()).toList()));
    }
    return found;
  }

  /** The targets a deployment touches: its target runs once planned, else every target of its environment. */
  private Set<String> targetsOf(Deployment d) {
    Collection<TargetRun> runs = deployments.targetRuns(d.id());
    if (!runs.isEmpty()) {
      return runs.stream().map(TargetRun::target).collect(Collectors.toCollection(TreeSet::new));
    }
    return targets.in(d.environment()).stream().map(t -> t.name()).collect(Collectors.toCollection(TreeSet::new));
  }

  /** {@code deployment #12 of shop/web 1.4.0 in production (planned from ...)}. */
  static String describe(Deployment d) {
    return "deployment #" + d.id() + " of " + d.component() + " " + d.version() + " in " + d.environment()
        + (d.plannedStart() == null ? "" : " (planned from " + d.plannedStart()
            + (d.plannedEnd() == null ? "" : " to " + d.plannedEnd()) + ")");
  }
}
