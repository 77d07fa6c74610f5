package io.gantry.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.deployment.DeploymentEvent.WaitKind;
import io.gantry.deployment.Deployments;
import io.gantry.testing.MutableClock;
import io.gantry.testing.TestDatabase;
import static io.gantry.metrics.Records.transactions;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The Prometheus meters: counts read from the records, durations fed as deployments end; both databases. */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
class DeploymentMetersContractTest {

  private final TestDatabase database;
  private final MutableClock clock = MutableClock.at("2026-04-10T00:00:00Z");
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private TestDatabase.Instance db;
  private Records records;
  private DeploymentMeters meters;
  private Deployments deployments;

  DeploymentMetersContractTest(TestDatabase database) {
    this.database = database;
  }

  @BeforeEach
  void setUp() {
    db = database.create();
    records = new Records(db);
    deployments = new Deployments(db.jdbc());
    meters = new DeploymentMeters(db.jdbc(), new ValueStreams(db.jdbc(), deployments, clock, transactions(db)), clock);
    meters.bindTo(registry);
  }

  private double gauge(String name, String tag, String value) {
    return registry.get(name).tag(tag, value).gauge().value();
  }

  @Test
  void counts_come_from_the_records_and_are_read_again_after_the_refresh_interval() {
    records.succeeded("shop", "production", "2026-04-01 10:00", "2026-04-01 11:00");
    records.failed("shop", "production", "2026-04-02 10:00", "2026-04-02 11:00");
    records.deployment("shop", "web", "1.0", "production", "std", "alice", "2026-04-09 10:00")
        .waitFor(WaitKind.LOCK, "2026-04-09 10:00");
    records.deployment("shop", "web", "1.0", "test", "std", "alice", "2026-04-09 10:00").to("PLANNED", "2026-04-09 10:01")
        .waitFor(WaitKind.MANUAL, "2026-04-09 10:02").step("2026-04-09 10:03"); // the manual wait is over

    assertThat(registry.get("gantry.deployments.ended").tag("outcome", "succeeded").functionCounter().count())
        .isEqualTo(1);
    assertThat(registry.get("gantry.deployments.ended").tag("outcome", "failed").functionCounter().count())
        .isEqualTo(1);
    assertThat(gauge("gantry.deployments.queued", "state", "requested")).isEqualTo(1);
    assertThat(gauge("gantry.deployments.queued", "state", "planned")).isEqualTo(1);
    assertThat(gauge("gantry.deployments.waiting", "kind", "lock")).isEqualTo(1);
    assertThat(gauge("gantry.deployments.waiting", "kind", "manual")).isZero();

    records.succeeded("shop", "production", "2026-04-09 12:00", "2026-04-09 13:00");
    assertThat(registry.get("gantry.deployments.ended").tag("outcome", "succeeded").functionCounter().count())
        .isEqualTo(1);
    clock.advance(DeploymentMeters.REFRESH);
    assertThat(registry.get("gantry.deployments.ended").tag("outcome", "succeeded").functionCounter().count())
        .isEqualTo(2);
  }

  @Test
  void an_ended_deployment_feeds_the_lead_time_wait_and_activity_histograms() {
    long id = records.deployment("shop", "web", "1.0", "production", "std", "alice", "2026-04-01 10:00")
        .waitFor(WaitKind.APPROVAL, "2026-04-01 10:00").runTo("2026-04-01 10:30").to("VERIFYING", "2026-04-01 10:50")
        .to("SUCCEEDED", "2026-04-01 11:00").id;

    meters.finished(deployments.get(id), clock.instant());

    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() ->
        assertThat(registry.get("gantry.deployment.activity.process").tag("activity", "execution").timer().count())
            .isEqualTo(1));
    var lead = registry.get("gantry.deployment.lead.time").tag("outcome", "succeeded")
        .tag("environment", "production").timer();
    assertThat(lead.count()).isEqualTo(1);
    assertThat(lead.totalTime(TimeUnit.SECONDS)).isEqualTo(3600);
    assertThat(registry.get("gantry.deployment.wait").tag("kind", "approval").timer().totalTime(TimeUnit.SECONDS))
        .isEqualTo(1800);
    assertThat(registry.get("gantry.deployment.activity.process").tag("activity", "execution").timer()
        .totalTime(TimeUnit.SECONDS)).isEqualTo(Duration.ofMinutes(20).toSeconds());
    assertThat(meters.check(deployments.get(id), null, clock.instant()))
        .isEqualTo(io.gantry.deployment.DeploymentGate.Verdict.PASS);
  }

  @Test
  void inside_the_transaction_that_ends_a_deployment_its_waits_are_recorded_once_that_commits_and_not_if_it_rolls_back() {
    long id = records.deployment("shop", "web", "1.0", "production", "std", "alice", "2026-04-01 10:00")
        .waitFor(WaitKind.APPROVAL, "2026-04-01 10:00").runTo("2026-04-01 10:30").to("SUCCEEDED", "2026-04-01 11:00").id;
    var tx = db.transactions();

    tx.executeWithoutResult(status -> {
      meters.finished(deployments.get(id), clock.instant());
      status.setRollbackOnly();
    });
    tx.executeWithoutResult(status -> meters.finished(deployments.get(id), clock.instant()));

    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() ->
        assertThat(registry.get("gantry.deployment.wait").tag("kind", "approval").timer().count()).isEqualTo(1));
    assertThat(registry.get("gantry.deployment.lead.time").tag("outcome", "succeeded").timer().count()).isEqualTo(1);
  }
}
