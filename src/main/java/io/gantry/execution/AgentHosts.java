package io.gantry.execution;

import java.util.Map;

/**
 * The hosts of targets of kind {@code agent}, as their agents report them: each such target has at most one
 * approved agent, which pulls its work from the server. Implemented by the agents' module.
 */
public interface AgentHosts {

  /** What is known when no agents' module is present: no target has an agent. */
  AgentHosts NONE = new AgentHosts() {
    @Override
    public Reported reported(String target) {
      return null;
    }

    @Override
    public StepOutcome perform(String target, String work, java.time.Duration timeout,
        java.util.function.Consumer<String> log) {
      return new StepOutcome.Failed("no approved agent works for target " + target);
    }
  };

  /** What the agent bound to {@code target} last reported; null when no approved agent is bound to it. */
  Reported reported(String target);

  /**
   * Queues {@code work} ({@link AgentWork}) for the agent bound to {@code target} and waits until it reports
   * how it ended, passing on its log lines; fails when no agent is bound, when it is lost or revoked, or when
   * it does not report within {@code timeout} and the grace period.
   */
  StepOutcome perform(String target, String work, java.time.Duration timeout, java.util.function.Consumer<String> log);

  /**
   * The agent bound to a target and what it last reported.
   *
   * @param agent the agent's name
   * @param facts the host's facts as the agent last reported them (os.name, disk.free-mb, tools...)
   * @param lost why the agent counts as lost (no heartbeat within the grace period), null while it is heard
   */
  record Reported(String agent, Map<String, String> facts, String lost) {

    public Reported {
      facts = facts == null ? Map.of() : Map.copyOf(facts);
    }
  }
}
