package io.gantry.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.catalog.ComponentRef;
import io.gantry.testing.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The engine's units of work: claimed with a lease, released with the time to look again, and woken
 * early when a deployment that others may wait for ends.
 */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
class WorkItemsContractTest {

  private static final Instant NOW = Instant.parse("2026-03-02T12:00:00Z");
  private static final Duration LEASE = Duration.ofSeconds(30);
  private final TestDatabase database;
  private Deployments deployments;

  WorkItemsContractTest(TestDatabase database) {
    this.database = database;
  }

  @BeforeEach
  void setUp() {
    deployments = new Deployments(database.create().jdbc());
  }

  private Deployment requested(String component) {
    return deployments.create(new Deployments.NewDeployment(new ComponentRef("shop", component), "1.0.0", "qa", "m", 1,
        "qa", "bob", "test"), NOW);
  }

  @Test
  void a_deployment_waiting_for_its_usual_interval_is_woken_when_one_in_its_environment_ends() {
    Deployment waiting = requested("web");
    var claim = deployments.claim("engine-a", NOW, LEASE).orElseThrow();
    deployments.release(claim, "engine-a", NOW.plusSeconds(5), NOW);
    assertThat(deployments.claim("engine-a", NOW.plusSeconds(1), LEASE)).isEmpty();

    deployments.wakeWaiting("qa", NOW.plusSeconds(1));

    assertThat(deployments.claim("engine-a", NOW.plusSeconds(1), LEASE))
        .hasValueSatisfying(c -> assertThat(c.deployment()).isEqualTo(waiting.id()));
  }

  @Test
  void a_deployment_held_by_an_engine_when_one_it_waits_for_ends_is_looked_at_again_at_once_not_at_its_interval() {
    Deployment waiting = requested("web");
    var claim = deployments.claim("engine-a", NOW, LEASE).orElseThrow();
    assertThat(claim.deployment()).isEqualTo(waiting.id());

    // while engine-a finds that it must wait, the deployment it waits for ends
    deployments.wakeWaiting("qa", NOW.plusSeconds(1));
    deployments.release(claim, "engine-a", NOW.plus(Duration.ofMinutes(5)), NOW.plusSeconds(2));

    assertThat(deployments.claim("engine-b", NOW.plusSeconds(2), LEASE))
        .as("due again at once, not in five minutes")
        .hasValueSatisfying(c -> assertThat(c.deployment()).isEqualTo(waiting.id()));
  }

  @Test
  void a_deployment_planned_for_later_is_not_woken_before_its_planned_start() {
    Deployment later = deployments.create(new Deployments.NewDeployment(new ComponentRef("shop", "web"), "1.0.0", "qa",
        "m", 1, "qa", "bob", "test", Deployment.Kind.DEPLOY, NOW.plusSeconds(3600), null, 0), NOW);

    deployments.wakeWaiting("qa", NOW.plusSeconds(1));

    assertThat(deployments.claim("engine-a", NOW.plusSeconds(1), LEASE)).isEmpty();
    assertThat(deployments.claim("engine-a", NOW.plusSeconds(3600), LEASE))
        .hasValueSatisfying(c -> assertThat(c.deployment()).isEqualTo(later.id()));
  }
}
