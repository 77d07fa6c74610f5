package io.gantry.metrics;

import io.gantry.deployment.DeploymentEvent;
import io.gantry.deployment.DeploymentState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A stretch of a deployment's time, between two cuts of its record: process time of an activity, or
 * waiting time of a kind of wait ({@code waitingFor}, a {@link DeploymentEvent.WaitKind} name or
 * {@code UNKNOWN}) in it. The one way the value stream map and the timeline both cut a record.
 *
 * @param open the last stretch of an unfinished deployment, which runs until now
 */
record Stretch(Activity activity, String waitingFor, DeploymentEvent start, Instant end, boolean open) {

  static final String UNKNOWN = "UNKNOWN";

  boolean waiting() {
    return waitingFor != null;
  }

  double seconds() {
    return Duration.between(start.at(), end).toNanos() / 1e9;
  }

  /**
   * Cuts a record (its entries in order) at each TRANSITION, WAIT and STEP entry. A stretch that
   * starts at a wait is waiting time of that wait's kind; any other is process time of the activity
   * of the state the deployment is in. The transition to a final state ends the deployment's time;
   * the last stretch of an unfinished deployment runs until {@code now}.
   */
  static List<Stretch> cut(List<DeploymentEvent> record, boolean ended, Instant now) {
    List<DeploymentEvent> cuts = record.stream()
        .filter(e -> e.kind() == DeploymentEvent.Kind.TRANSITION || e.kind() == DeploymentEvent.Kind.WAIT
            || e.kind() == DeploymentEvent.Kind.STEP)
        .toList();
    List<Stretch> stretches = new ArrayList<>();
    DeploymentState state = null;
    for (int i = 0; i < cuts.size(); i++) {
      DeploymentEvent e = cuts.get(i);
      if (e.kind() == DeploymentEvent.Kind.TRANSITION) {
        state = e.to();
      }
      Activity activity = state == null ? null : Activity.of(state);
      boolean last = i == cuts.size() - 1;
      if (activity == null || (last && ended)) {
        continue;
      }
      String waitingFor = e.kind() != DeploymentEvent.Kind.WAIT ? null
          : e.waitingFor() == null ? UNKNOWN : e.waitingFor().name();
      stretches.add(new Stretch(activity, waitingFor, e, last ? now : cuts.get(i + 1).at(), last));
    }
    return stretches;
  }
}
