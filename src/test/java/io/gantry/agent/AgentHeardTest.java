package io.gantry.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** When an agent counts as lost, given that the time it was heard is written at most every tenth of the grace. */
class AgentHeardTest {

  static final Instant HEARD = Instant.parse("2026-12-05T10:00:00Z");

  static Agent heardAt(Instant when) {
    return new Agent(1, "far-host-1", AgentState.APPROVED, "gta_abcdef", "far-1", Map.of(), HEARD, "127.0.0.1",
        HEARD, "admin", null, null, when, 1);
  }

  static AgentRegistry at(Instant now, Duration grace) {
    return new AgentRegistry(null, null, Clock.fixed(now, ZoneOffset.UTC), grace, null, new WorkSignals());
  }

  @Test
  void an_agent_silent_for_less_than_the_grace_and_the_tenth_of_it_its_time_may_be_behind_is_not_lost() {
    Duration grace = Duration.ofSeconds(60);
    assertThat(at(HEARD.plus(grace), grace).lost(heardAt(HEARD))).isNull();
    assertThat(at(HEARD.plusSeconds(66), grace).lost(heardAt(HEARD))).isNull();
    assertThat(at(HEARD.plusMillis(66_001), grace).lost(heardAt(HEARD)))
        .isEqualTo("agent far-host-1 lost: last heard at " + HEARD);
  }

  @Test
  void with_a_short_grace_only_a_tenth_of_it_is_added() {
    Duration grace = Duration.ofSeconds(4);
    assertThat(at(HEARD.plusMillis(4400), grace).lost(heardAt(HEARD))).isNull();
    assertThat(at(HEARD.plusMillis(4401), grace).lost(heardAt(HEARD))).startsWith("agent far-host-1 lost");
  }
}
