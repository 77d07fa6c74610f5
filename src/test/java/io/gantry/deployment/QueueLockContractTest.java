package io.gantry.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.catalog.ComponentRef;
import io.gantry.testing.TestDatabase;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * The lock of a queue of deployments (a component in an environment) that a trigger's firing and planning take:
 * it holds also while the queue is empty, so two servers' triggers firing for one version at once see each other
 * (the second finds the first's deployment and requests none); other queues are not held up. On both databases.
 */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
class QueueLockContractTest {

  private final TestDatabase database;

  QueueLockContractTest(TestDatabase database) {
    this.database = database;
  }

  @Test
  void a_second_look_at_an_empty_queue_waits_until_the_first_one_s_transaction_ends_and_other_queues_do_not()
      throws Exception {
    TestDatabase.Instance db = database.create();
    Deployments deployments = new Deployments(db.jdbc());
    ComponentRef web = new ComponentRef("shop", "web");
    CountDownLatch firstHolds = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicReference<Throwable> failed = new AtomicReference<>();
    Thread first = Thread.ofPlatform().start(() -> run(failed, () -> db.transactions().executeWithoutResult(s -> {
      deployments.lockQueue("qa", web);
      firstHolds.countDown();
      await(release);
    })));
    assertThat(firstHolds.await(30, TimeUnit.SECONDS)).isTrue();

    AtomicLong otherQueueAt = new AtomicLong();
    Thread other = Thread.ofPlatform().start(() -> run(failed, () -> db.transactions().executeWithoutResult(s -> {
      deployments.lockQueue("qa", new ComponentRef("shop", "api"));
      deployments.lockQueue("production", web);
      otherQueueAt.set(System.nanoTime());
    })));
    other.join(TimeUnit.SECONDS.toMillis(30));
    AtomicLong secondAt = new AtomicLong();
    Thread second = Thread.ofPlatform().start(() -> run(failed, () -> db.transactions().executeWithoutResult(s -> {
      deployments.lockQueue("qa", web);
      secondAt.set(System.nanoTime());
    })));
    Thread.sleep(300);
    long secondBeforeRelease = secondAt.get();
    long releasedAt = System.nanoTime();
    release.countDown();
    first.join(TimeUnit.SECONDS.toMillis(30));
    second.join(TimeUnit.SECONDS.toMillis(30));

    assertThat(failed.get()).isNull();
    assertThat(otherQueueAt.get()).as("another component's queue, and the same component's in another environment")
        .isPositive();
    assertThat(secondBeforeRelease).as("the second look still waited 300 ms after it began").isZero();
    assertThat(secondAt.get()).as("the second look went on once the first transaction ended").isGreaterThan(releasedAt);
  }

  private static void run(AtomicReference<Throwable> failed, Runnable work) {
    try {
      work.run();
    } catch (Throwable t) {
      failed.compareAndSet(null, t);
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
