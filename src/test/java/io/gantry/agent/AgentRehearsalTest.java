package io.gantry.agent;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AgentRehearsalTest {

  @Test
  void the_agent_s_training_run_does_one_piece_of_work_of_each_kind_against_its_loopback_server_and_ends()
      throws Exception {
    // install (download, SHA-256, switch), template, command, health check: each reported succeeded
    assertThat(AgentRehearsal.run()).isEqualTo(4);
  }
}
