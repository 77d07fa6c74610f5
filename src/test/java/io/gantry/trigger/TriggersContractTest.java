package io.gantry.trigger;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.deployment.Deployment;
import io.gantry.deployment.DeploymentGate;
import io.gantry.deployment.DeploymentState;
import io.gantry.model.Stage;
import io.gantry.testing.MutableClock;
import io.gantry.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Deployment triggers requesting deployments through the same requests as people, once per cause,
 * with the engine carrying them out, on H2 and PostgreSQL. The clock is set by hand: every step in
 * time is explicit.
 */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
class TriggersContractTest {

  static final String MODEL = "in-house-software";
  static final String REGISTERED_TO_DEV = "{type: version-registered, stage: dev}";
  static final String DEV_TO_TEST = "{type: stage-succeeded, after: dev, stage: test}";

  private final TestDatabase database;
  private final MutableClock clock = MutableClock.at("2026-03-02T12:00:00Z");
  private TriggerFixture fx;

  @TempDir
  Path home;

  TriggersContractTest(TestDatabase database) {
    this.database = database;
  }

  @BeforeEach
  void setUp() {
    fx = new TriggerFixture(database.create(), clock, home);
    fx.applyWithTriggers();
    clock.advance(Duration.ofMinutes(1));
  }

  private void later() {
    clock.advance(Duration.ofSeconds(10));
  }

  @Test
  void pushing_a_version_requests_it_in_the_triggered_stage_with_the_trigger_as_requester() {
    fx.applyWithTriggers(REGISTERED_TO_DEV);
    later();
    fx.push("shop/web", "1.2.0");
    fx.push("shop/manual", "1.0.0");
    later();

    fx.server().sweep();

    Deployment d = fx.allDeployments().getFirst();
    assertThat(fx.allDeployments()).hasSize(1);
    assertThat(d.component()).hasToString("shop/web");
    assertThat(d.version()).isEqualTo("1.2.0");
    assertThat(d.environment()).isEqualTo("dev");
    assertThat(d.model()).isEqualTo(MODEL);
    assertThat(d.requestedBy()).isEqualTo("trigger:version-registered(dev) of model in-house-software");
    assertThat(d.reason()).isEqualTo("shop/web@1.2.0 was registered in the library by carol");
    assertThat(fx.firings()).singleElement().satisfies(f -> {
      assertThat(f.status()).isEqualTo(Firing.Status.REQUESTED);
      assertThat(f.deployment()).isEqualTo(d.id());
      assertThat(f.trigger()).isEqualTo("version-registered(dev)");
      assertThat(f.cause()).isEqualTo("shop/web@1.2.0 registered");
    });
    assertThat(fx.run(d).state()).isEqualTo(DeploymentState.SUCCEEDED);
  }

  @Test
  void a_success_in_dev_requests_the_same_version_into_test() {
    fx.applyWithTriggers(REGISTERED_TO_DEV, DEV_TO_TEST);
    later();
    fx.push("shop/web", "1.2.0");
    later();
    fx.server().sweep();
    Deployment dev = fx.run(fx.deploymentsTo("dev").getFirst());
    assertThat(dev.state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(fx.deploymentsTo("test")).isEmpty();
    later();

    fx.server().sweep();

    Deployment test = fx.deploymentsTo("test").getFirst();
    assertThat(fx.deploymentsTo("test")).hasSize(1);
    assertThat(test.version()).isEqualTo("1.2.0");
    assertThat(test.requestedBy()).isEqualTo("trigger:stage-succeeded(dev->test) of model in-house-software");
    assertThat(test.reason()).isEqualTo("shop/web@1.2.0 succeeded in dev (deployment #" + dev.id() + ")");
    assertThat(fx.run(test).state()).isEqualTo(DeploymentState.SUCCEEDED);
    later();
    fx.server().sweep();
    assertThat(fx.allDeployments()).hasSize(2);
  }

  @Test
  void a_failure_in_dev_requests_nothing_in_test() {
    fx.applyWithTriggers(REGISTERED_TO_DEV, DEV_TO_TEST);
    later();
    fx.push("shop/web", "1.2.0");
    later();
    fx.server().sweep();
    fx.gates.add(new FailingGate());
    assertThat(fx.run(fx.deploymentsTo("dev").getFirst()).state()).isEqualTo(DeploymentState.FAILED);
    later();

    fx.server().sweep();

    assertThat(fx.deploymentsTo("test")).isEmpty();
  }

  @Test
  void approving_a_version_requests_it_where_the_version_approved_trigger_says() {
    fx.push("shop/web", "1.2.0");
    later();
    fx.applyWithTriggers("{type: version-approved, stage: live}");
    later();
    fx.server().sweep();
    assertThat(fx.allDeployments()).isEmpty();

    fx.approve("shop/web", "1.2.0");
    later();
    fx.server().sweep();

    assertThat(fx.deploymentsTo("live")).singleElement().satisfies(d -> {
      assertThat(d.requestedBy()).isEqualTo("trigger:version-approved(live) of model in-house-software");
      assertThat(d.reason()).isEqualTo("shop/web@1.2.0 was approved by dave (passed review)");
    });
  }

  @Test
  void two_triggers_of_a_stage_whose_causes_are_swept_together_request_the_version_there_once() {
    fx.applyWithTriggers(REGISTERED_TO_DEV, DEV_TO_TEST, "{type: version-approved, stage: test}");
    later();
    fx.push("shop/web", "1.2.0");
    later();
    fx.server().sweep();
    assertThat(fx.run(fx.deploymentsTo("dev").getFirst()).state()).isEqualTo(DeploymentState.SUCCEEDED);
    // approved before any sweep saw the success in dev: both of test's triggers have a cause now
    fx.approve("shop/web", "1.2.0");
    later();

    fx.server().sweep();

    Deployment test = fx.deploymentsTo("test").getFirst();
    assertThat(fx.deploymentsTo("test")).hasSize(1);
    assertThat(fx.firings()).filteredOn(f -> f.environment().equals("test")).hasSize(2)
        .anySatisfy(f -> {
          assertThat(f.status()).isEqualTo(Firing.Status.REQUESTED);
          assertThat(f.deployment()).isEqualTo(test.id());
        })
        .anySatisfy(f -> {
          assertThat(f.status()).isEqualTo(Firing.Status.REFUSED);
          assertThat(f.refusal()).isEqualTo("deployment #" + test.id() + " of shop/web@1.2.0 to test is requested "
              + "already (by " + test.requestedBy() + ") and has not ended; a second one is not requested");
        });
    assertThat(fx.run(test).state()).isEqualTo(DeploymentState.SUCCEEDED);
    later();
    fx.server().sweep();
    assertThat(fx.deploymentsTo("test")).hasSize(1);
  }

  @Test
  void two_servers_sweeping_one_database_fire_each_cause_once() throws Exception {
    fx.applyWithTriggers(REGISTERED_TO_DEV);
    later();
    fx.push("shop/web", "1.2.0");
    fx.push("shop/web", "1.3.0");
    later();
    TriggerSweep first = fx.server();
    TriggerSweep second = fx.server();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Callable<Integer> one = () -> {
        start.await();
        return first.sweep();
      };
      Callable<Integer> two = () -> {
        start.await();
        return second.sweep();
      };
      List<Future<Integer>> sweeps = List.of(pool.submit(one), pool.submit(two));
      start.countDown();
      for (Future<Integer> f : sweeps) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    later();
    first.sweep();
    second.sweep();

    assertThat(fx.deploymentsTo("dev")).extracting(Deployment::version).containsExactly("1.2.0", "1.3.0");
    assertThat(fx.firings()).hasSize(2);
  }

  @Test
  void a_sweep_after_a_restart_does_not_fire_again() {
    fx.applyWithTriggers(REGISTERED_TO_DEV);
    later();
    fx.push("shop/web", "1.2.0");
    later();
    fx.server().sweep();
    assertThat(fx.allDeployments()).hasSize(1);

    clock.advance(Duration.ofMinutes(2));
    fx.server().sweep();
    clock.advance(Duration.ofHours(3));
    fx.server().sweep();

    assertThat(fx.allDeployments()).hasSize(1);
    assertThat(fx.firings()).hasSize(1);
  }

  @Test
  void a_version_registered_before_the_trigger_was_applied_does_not_fire() {
    fx.push("shop/web", "1.0.0");
    later();
    fx.applyWithTriggers(REGISTERED_TO_DEV);
    later();
    fx.server().sweep();
    assertThat(fx.allDeployments()).isEmpty();

    fx.push("shop/web", "1.1.0");
    later();
    fx.server().sweep();

    assertThat(fx.allDeployments()).extracting(Deployment::version).containsExactly("1.1.0");
  }

  @Test
  void a_trigger_kept_through_later_model_versions_still_counts_from_when_it_was_first_declared() {
    fx.applyWithTriggers(REGISTERED_TO_DEV);
    later();
    fx.push("shop/web", "1.0.0");
    later();
    fx.applyWithTriggers(REGISTERED_TO_DEV, DEV_TO_TEST);
    later();

    fx.server().sweep();

    assertThat(fx.deploymentsTo("dev")).extracting(Deployment::version).containsExactly("1.0.0");
  }

  @Test
  void schedule_firings_missed_while_no_server_ran_fire_once() {
    fx.applyWithTriggers("{type: schedule, stage: test, cron: \"0 2 * * *\", timeZone: Europe/London}");
    later();
    fx.push("shop/web", "1.0.0");
    fx.push("shop/web", "1.1.0");
    clock.set(Instant.parse("2026-03-05T09:00:00Z"));

    fx.server().sweep();
    fx.server().sweep();

    assertThat(fx.deploymentsTo("test")).singleElement().satisfies(d -> {
      assertThat(d.version()).isEqualTo("1.1.0");
      assertThat(d.requestedBy()).isEqualTo("trigger:schedule(test) of model in-house-software");
      assertThat(d.reason()).isEqualTo("the schedule \"0 2 * * *\" (Europe/London) fired at 2026-03-05T02:00:00Z: "
          + "shop/web@1.1.0 is the newest version and test does not run shop/web");
    });
    assertThat(fx.firings()).singleElement().extracting(Firing::cause)
        .isEqualTo("2026-03-05T02:00:00Z shop/web");
  }

  @Test
  void a_schedule_requests_nothing_when_the_newest_version_already_runs_there() {
    fx.applyWithTriggers("{type: schedule, stage: test, cron: \"0 2 * * *\", timeZone: UTC}");
    later();
    fx.push("shop/web", "1.0.0");
    clock.set(Instant.parse("2026-03-03T02:30:00Z"));
    fx.server().sweep();
    assertThat(fx.run(fx.deploymentsTo("test").getFirst()).state()).isEqualTo(DeploymentState.SUCCEEDED);

    clock.set(Instant.parse("2026-03-04T02:30:00Z"));
    fx.server().sweep();
    assertThat(fx.deploymentsTo("test")).hasSize(1);

    fx.push("shop/web", "1.1.0");
    clock.set(Instant.parse("2026-03-05T02:30:00Z"));
    fx.server().sweep();
    assertThat(fx.deploymentsTo("test")).extracting(Deployment::version).containsExactly("1.0.0", "1.1.0");
  }

  @Test
  void a_refused_request_is_recorded_as_refused_and_is_not_a_failed_deployment() {
    fx.applyWithTriggers("{type: version-registered, stage: live}");
    later();
    fx.push("shop/web", "1.2.0");
    later();

    fx.server().sweep();
    later();
    fx.server().sweep();

    assertThat(fx.allDeployments()).isEmpty();
    assertThat(fx.firings()).singleElement().satisfies(f -> {
      assertThat(f.status()).isEqualTo(Firing.Status.REFUSED);
      assertThat(f.deployment()).isNull();
      assertThat(f.refusal()).contains("live is a controlled environment and accepts only approved versions; "
          + "shop/web@1.2.0 is registered").contains("gantry version approve shop/web@1.2.0");
    });
  }

  @Test
  void a_request_refused_by_a_gate_is_recorded_with_the_gate_s_reason() {
    fx.applyWithTriggers(REGISTERED_TO_DEV);
    later();
    fx.gates.add(new DeploymentGate() {
      @Override
      public Verdict check(Deployment deployment, Stage stage, Instant now) {
        return Verdict.PASS;
      }

      @Override
      public void requested(Deployment deployment, Stage stage, Instant now) {
        throw new io.gantry.shared.ConflictException("dev is frozen for the audit");
      }
    });
    fx.push("shop/web", "1.2.0");
    later();

    fx.server().sweep();

    assertThat(fx.allDeployments()).isEmpty();
    assertThat(fx.firings()).singleElement().satisfies(f -> {
      assertThat(f.status()).isEqualTo(Firing.Status.REFUSED);
      assertThat(f.refusal()).isEqualTo("dev is frozen for the audit");
    });
  }

  @Test
  void a_server_killed_while_a_trigger_fires_leaves_nothing_behind_and_the_next_sweep_fires_once() {
    fx.applyWithTriggers(REGISTERED_TO_DEV);
    later();
    Crash crash = new Crash(fx);
    fx.gates.add(crash);
    fx.push("shop/web", "1.2.0");
    later();

    fx.server().sweep();
    assertThat(crash.firingsSeen).isEqualTo(1);
    assertThat(fx.allDeployments()).isEmpty();
    assertThat(fx.firings()).isEmpty();

    fx.gates.remove(crash);
    clock.advance(Duration.ofMinutes(1));
    fx.server().sweep();
    fx.server().sweep();

    assertThat(fx.allDeployments()).singleElement().extracting(Deployment::version).isEqualTo("1.2.0");
    assertThat(fx.firings()).singleElement().extracting(Firing::status).isEqualTo(Firing.Status.REQUESTED);
  }

  /**
   * Dies in the middle of a firing: after the firing and the deployment were written in its
   * transaction, before it commits, as a server killed then would.
   */
  private static final class Crash implements DeploymentGate {
    private final TriggerFixture fx;
    int firingsSeen;

    Crash(TriggerFixture fx) {
      this.fx = fx;
    }

    @Override
    public Verdict check(Deployment deployment, Stage stage, Instant now) {
      return Verdict.PASS;
    }

    @Override
    public void requested(Deployment deployment, Stage stage, Instant now) {
      firingsSeen = fx.db.jdbc().sql("select count(*) from trigger_firings").query(Integer.class).single();
      throw new IllegalStateException("killed");
    }
  }

  /** Fails every deployment it is asked about. */
  private static final class FailingGate implements DeploymentGate {
    @Override
    public Verdict check(Deployment deployment, Stage stage, Instant now) {
      return new Verdict.Fail("the dev database is down");
    }
  }
}
