package io.gantry.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WorkSignalsTest {

  final WorkSignals signals = new WorkSignals();

  @Test
  void work_queued_between_looking_in_the_database_and_waiting_is_not_missed() throws Exception {
    WorkSignals.Signal queue = signals.agent("far-host-1");
    long seen = queue.seen();
    // the queue is looked at here and found empty; then work is queued before the wait begins
    signals.agentChanged("far-host-1");
    queue.await(seen, Duration.ofHours(1));
    assertThat(queue.seen()).isEqualTo(seen + 1);
  }

  @Test
  void a_waiting_long_poll_is_woken_by_work_queued_for_its_agent_and_not_by_another_agents() throws Exception {
    WorkSignals.Signal queue = signals.agent("far-host-1");
    long seen = queue.seen();
    CompletableFuture<Void> waiting = waitOn(queue, seen);
    WorkSignals.Signal other = signals.agent("far-host-2");
    signals.agentChanged("far-host-2");
    assertThat(other.seen()).isEqualTo(1);
    assertThat(queue.seen()).as("another agent's work is not this one's").isEqualTo(seen);
    signals.agentChanged("far-host-1");
    waiting.get(20, TimeUnit.SECONDS);
  }

  @Test
  void the_engine_waiting_on_a_piece_is_woken_by_its_report_and_a_forgotten_piece_counts_nothing()
      throws Exception {
    WorkSignals.Signal piece = signals.work(7);
    long seen = piece.seen();
    CompletableFuture<Void> waiting = waitOn(piece, seen);
    signals.workChanged(7);
    waiting.get(20, TimeUnit.SECONDS);

    signals.forget(7);
    signals.workChanged(7);
    assertThat(signals.work(7).seen()).as("a report after the wait ended is not kept for anyone").isZero();
  }

  /** Waits on a thread of its own (a daemon: one left waiting by a failed test ends with the run). */
  static CompletableFuture<Void> waitOn(WorkSignals.Signal signal, long seen) {
    CompletableFuture<Void> woken = new CompletableFuture<>();
    Thread.ofPlatform().daemon().start(() -> {
      try {
        signal.await(seen, Duration.ofHours(1));
        woken.complete(null);
      } catch (InterruptedException e) {
        woken.completeExceptionally(e);
      }
    });
    return woken;
  }

  @Test
  void a_wait_with_no_change_ends_at_its_timeout() throws Exception {
    WorkSignals.Signal queue = signals.agent("far-host-1");
    long seen = queue.seen();
    queue.await(seen, Duration.ofMillis(50));
    assertThat(queue.seen()).isEqualTo(seen);
  }
}
