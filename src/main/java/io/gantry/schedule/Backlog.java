package io.gantry.schedule;

import io.gantry.catalog.ComponentRef;
import io.gantry.deployment.Deployment;
import io.gantry.deployment.DeploymentEvent;
import io.gantry.deployment.Deployments;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.stereotype.Service;

/**
 * The deployment backlog: for each environment and component with unfinished deployments, those
 * deployments in the order the lock lets them run (started first, then by priority, then first come),
 * each with its position, age and what it waits for; deployments planned for later follow, unranked.
 */
@Service
class Backlog {

  private final ScheduleRows rows;
  private final Deployments deployments;

  Backlog(ScheduleRows rows, Deployments deployments) {
    this.rows = rows;
    this.deployments = deployments;
  }

  record Item(Integer position, long id, String version, String kind, String state, int priority, String requestedBy,
      Instant requestedAt, long ageSeconds, String age, Instant plannedStart, String waitingFor, String what,
      Instant waitingSince) {}

  record Queue(String environment, String component, List<Item> items) {}

  List<Queue> queues(String environment, ComponentRef component, Instant now) {
    List<Queue> out = new ArrayList<>();
    for (ScheduleRows.Place place : rows.places(environment, component)) {
      List<Deployment> ordered = deployments.queue(place.environment(), place.component(), now);
      Set<Long> ranked = ordered.stream().map(Deployment::id).collect(Collectors.toSet());
      List<Item> items = new ArrayList<>();
      for (int i = 0; i < ordered.size(); i++) {
        items.add(item(i + 1, ordered.get(i), now));
      }
      deployments.unfinished(place.environment(), place.component()).stream()
          .filter(d -> !ranked.contains(d.id()))
          .sorted(java.util.Comparator.comparing(Deployment::plannedStart).thenComparing(Deployment::id))
          .forEach(d -> items.add(item(null, d, now)));
      out.add(new Queue(place.environment(), place.component().toString(), items));
    }
    return out;
  }

  private Item item(Integer position, Deployment d, Instant now) {
    Duration age = Duration.between(d.requestedAt(), now);
    Optional<DeploymentEvent> wait = rows.currentWait(d.id());
    return new Item(position, d.id(), d.version(), d.kind().id(), d.state().name(), d.priority(), d.requestedBy(),
        d.requestedAt(), Math.max(0, age.toSeconds()), age(age), d.plannedStart(),
        wait.map(e -> e.waitingFor() == null ? null : e.waitingFor().id()).orElse(null),
        wait.map(e -> e.message().startsWith("waiting for ") ? e.message().substring(12) : e.message()).orElse(null),
        wait.map(DeploymentEvent::at).orElse(null));
  }

  /** {@code 2d 3h}, {@code 5h 12m}, {@code 4m 3s}. */
  static String age(Duration age) {
    long s = Math.max(0, age.toSeconds());
    if (s >= 86_400) {
      return s / 86_400 + "d " + s % 86_400 / 3600 + "h";
    }
    if (s >= 3600) {
      return s / 3600 + "h " + s % 3600 / 60 + "m";
    }
    return s / 60 + "m " + s % 60 + "s";
  }
}
