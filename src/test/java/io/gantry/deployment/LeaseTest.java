package io.gantry.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A worker's lease as the node sees it: when it counts as run out, and what losing it stops. */
class LeaseTest {

  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  @Test
  void a_lease_counts_as_run_out_once_its_length_has_passed_by_the_monotonic_clock_since_the_database_confirmed_it() {
    long claimedAt = 1_000 * SECOND;
    Lease lease = new Lease(7, "node/worker-1", 3, Duration.ofSeconds(30), claimedAt);

    assertThat(lease.runOut(claimedAt + 30 * SECOND)).isFalse();
    assertThat(lease.runOut(claimedAt + 31 * SECOND)).isTrue();

    lease.confirmed(claimedAt + 20 * SECOND);
    assertThat(lease.runOut(claimedAt + 31 * SECOND)).as("extended at 20 s").isFalse();
    lease.confirmed(claimedAt + 5 * SECOND);
    assertThat(lease.runOut(claimedAt + 49 * SECOND)).as("an older confirmation changes nothing").isFalse();
    assertThat(lease.runOut(claimedAt + 51 * SECOND)).isTrue();
  }

  @Test
  void losing_a_lease_stops_the_step_running_under_it_and_names_it_and_its_outcome_is_refused() throws Exception {
    Lease lease = new Lease(7, "node/worker-1", 3, Duration.ofSeconds(30), System.nanoTime());
    CountDownLatch running = new CountDownLatch(1);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    Future<String> step = pool.submit(() -> lease.run("t1", "install", () -> {
      running.countDown();
      try {
        Thread.sleep(Duration.ofMinutes(5));
        return "ran to its end";
      } catch (InterruptedException e) {
        return "stopped";
      }
    }));
    running.await();

    assertThat(lease.lose("another engine claimed the deployment")).isTrue();
    assertThat(lease.lose("again")).as("lost once").isFalse();

    assertThatThrownBy(() -> step.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(LeaseLost.class)
        .hasMessageContaining("node/worker-1 lost its lease on deployment #7 (claim 3): another engine claimed");
    assertThat(lease.stopped()).containsExactly("step install on t1");
    assertThatThrownBy(() -> lease.run("t2", "check", () -> "never")).as("no step starts under a lost lease")
        .isInstanceOf(LeaseLost.class);
    assertThat(pool.submit(() -> Thread.currentThread().isInterrupted()).get()).as("the thread goes on uninterrupted")
        .isFalse();
    pool.shutdown();
  }
}
