package io.gantry.agent;

import io.gantry.execution.AgentWork;
import io.gantry.secret.Secrets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * The secrets a piece of work names, read from the store when its agent leases it and sent only in the answer to
 * that lease: the work itself holds the references, never the values. Each value sent is recorded in the
 * secrets' history as {@code sent} to {@code agent NAME}.
 */
@Component
class WorkSecrets {

  private final Secrets secrets;
  private final WorkQueue work;

  WorkSecrets(Secrets secrets, WorkQueue work) {
    this.secrets = secrets;
    this.work = work;
  }

  /**
   * The values of the secrets {@code item} names, for the agent {@code claimer} gives, which just claimed it; empty when it may not
   * have them (it is not the approved agent of the work's target) or one cannot be given, and then the work fails
   * saying why, before the agent ever starts it.
   */
  Optional<Map<String, String>> forLease(java.util.function.Supplier<Agent> claimer, WorkQueue.Item item) {
    Set<String> names = AgentWork.secretNames(item.payload());
    if (names.isEmpty()) {
      return Optional.of(Map.of());
    }
    Agent agent = claimer.get(); // as it is now, read only when there are secrets to send
    if (agent.state() != AgentState.APPROVED || !item.agent().equals(agent.name())
        || !item.target().equals(agent.target())) {
      work.fail(item.id(), "agent " + agent.name() + " does not work for target " + item.target()
          + ": the step's secrets are not sent to it");
      return Optional.empty();
    }
    Map<String, String> values = new LinkedHashMap<>();
    try {
      for (String name : names) {
        values.put(name, secrets.sendTo(name, "agent " + agent.name()));
      }
    } catch (RuntimeException e) {
      work.fail(item.id(), "the step's secrets were not sent to agent " + agent.name() + ": " + e.getMessage());
      return Optional.empty();
    }
    return Optional.of(values);
  }
}
