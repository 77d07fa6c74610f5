package io.gantry.deployment;

import io.gantry.catalog.ComponentRef;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A target runs one deployment's steps at a time, whatever the component. One row per target names
 * the deployment that holds it; the database's key on the target keeps two engines (or two servers)
 * from both taking it, and {@code FOR UPDATE} orders those who look at the same row.
 *
 * <p>The holder is a deployment, not an engine: an engine that dies leaves the target to the
 * deployment it was working on, which the next engine resumes once the dead one's lease on it has run
 * out, so no other deployment runs steps on a target whose last step's outcome is not known. A
 * deployment lets go of a target when its steps there end (succeeded or failed; not while it waits for
 * a person or a retry there) and of every target when it ends; one that ended without letting go holds
 * nothing. Each target is taken on its own, never while waiting for another, so two deployments that
 * each need two targets cannot wait for each other for good.
 *
 * <p>A deployment that finds a target held joins its queue ({@code target_waiters}); when the target is
 * let go of, only the first in the queue is woken, so that a target many deployments wait for costs
 * one look per release, not one per waiter. One that takes the target, or ends, leaves the queue.
 */
final class TargetLocks {

  /** The deployment that holds a target. */
  record Holder(long deployment, ComponentRef component) {}

  private final JdbcClient jdbc;
  private final TransactionTemplate tx;

  TargetLocks(JdbcClient jdbc, TransactionTemplate tx) {
    this.jdbc = jdbc;
    this.tx = tx;
  }

  /** Takes {@code target} for {@code deployment}, or finds it already held by it: empty then, else who holds it. */
  Optional<Holder> take(long deployment, String target, Instant now) {
    for (int attempt = 0; ; attempt++) {
      try {
        return tx.execute(s -> takeNow(deployment, target, now));
      } catch (DuplicateKeyException e) {
        // another engine wrote the row between our look and our insert: look again at what it wrote
        if (attempt > 0) {
          throw e;
        }
      }
    }
  }

  private Optional<Holder> takeNow(long deployment, String target, Instant now) {
    Deployments.fence(jdbc, deployment);
    Optional<Holder> busy = heldByAnother(deployment, target, now);
    if (busy.isEmpty()) {
      jdbc.sql("delete from target_waiters where target = :t and deployment_id = :d")
          .param("t", target).param("d", deployment).update();
    } else {
      jdbc.sql("""
          insert into target_waiters (target, deployment_id, since)
          select :t, :d, :now where not exists (
            select 1 from target_waiters where target = :t and deployment_id = :d)
          """).param("t", target).param("d", deployment).param("now", Timestamp.from(now)).update();
    }
    return busy;
  }

  private Optional<Holder> heldByAnother(long deployment, String target, Instant now) {
    Optional<Long> held = jdbc.sql("select deployment_id from target_locks where target = :t for update")
        .param("t", target).query(Long.class).optional();
    if (held.isEmpty()) {
      jdbc.sql("insert into target_locks (target, deployment_id, acquired_at) values (:t, :d, :now)")
          .param("t", target).param("d", deployment).param("now", Timestamp.from(now)).update();
      return Optional.empty();
    }
    if (held.get() == deployment) {
      return Optional.empty();
    }
    Optional<Deployment> holder = jdbc.sql("select * from deployments where id = :id").param("id", held.get())
        .query(Deployments::map).optional();
    if (holder.isEmpty() || holder.get().state().isFinal()) {
      jdbc.sql("update target_locks set deployment_id = :d, acquired_at = :now where target = :t")
          .param("d", deployment).param("now", Timestamp.from(now)).param("t", target).update();
      return Optional.empty();
    }
    return Optional.of(new Holder(holder.get().id(), holder.get().component()));
  }

  /**
   * Lets go of {@code target}, if {@code deployment} holds it, in the caller's commit; those waiting
   * for it are woken in that commit too, just before it is made.
   */
  void release(long deployment, String target, Instant now) {
    Deployments.fence(jdbc, deployment);
    int released = jdbc.sql("delete from target_locks where target = :t and deployment_id = :d")
        .param("t", target).param("d", deployment).update();
    if (released > 0) {
      wakes().add(target, deployment, now);
    }
  }

  /**
   * The wakes of this commit, made together just before it: one work item at a time, in the order of
   * their ids, so that two commits that wake the same deployments can never each hold a row the other
   * waits for (the database would undo one, and a step's record with it). Outside a transaction, at once.
   */
  private Wakes wakes() {
    if (!TransactionSynchronizationManager.isSynchronizationActive()) {
      return new Wakes(true);
    }
    Wakes wakes = (Wakes) TransactionSynchronizationManager.getResource(this);
    if (wakes == null) {
      Wakes created = new Wakes(false);
      TransactionSynchronizationManager.bindResource(this, created);
      TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
        @Override
        public void beforeCommit(boolean readOnly) {
          created.wakeAll();
        }

        @Override
        public void afterCompletion(int status) {
          TransactionSynchronizationManager.unbindResourceIfPossible(TargetLocks.this);
        }
      });
      wakes = created;
    }
    return wakes;
  }

  /** The targets let go of in one commit, and those to wake for them. */
  private final class Wakes {
    private final boolean atOnce;
    private final java.util.Set<Long> releasers = new java.util.HashSet<>();
    private final java.util.Set<String> targets = new java.util.TreeSet<>();
    private Instant now;

    Wakes(boolean atOnce) {
      this.atOnce = atOnce;
    }

    void add(String target, long releaser, Instant at) {
      targets.add(target);
      releasers.add(releaser);
      now = now == null || at.isAfter(now) ? at : now;
      if (atOnce) {
        wakeAll();
      }
    }

    void wakeAll() {
      if (targets.isEmpty()) {
        return;
      }
      java.util.SortedSet<Long> waiting = new java.util.TreeSet<>();
      for (String target : targets) {
        firstWaiter(target, releasers).ifPresent(waiting::add);
      }
      for (long deployment : waiting) {
        jdbc.sql("""
            update work_items set due_at = least(due_at, cast(:now as timestamp with time zone)), woken = true
             where deployment_id = :d and (due_at > :now or owner is not null)
            """).param("now", Timestamp.from(now)).param("d", deployment).update();
      }
      targets.clear();
    }
  }

  /**
   * Lets go of every target {@code deployment} holds (it has ended), and takes it out of the queues of
   * the targets it waited for, waking the next in those queues in its place; in the caller's commit.
   */
  void releaseAll(long deployment, Instant now) {
    List<String> held = jdbc.sql("select target from target_locks where deployment_id = :d").param("d", deployment)
        .query(String.class).list();
    for (String target : held) {
      release(deployment, target, now);
    }
    List<String> queued = jdbc.sql("select target from target_waiters where deployment_id = :d")
        .param("d", deployment).query(String.class).list();
    if (!queued.isEmpty()) {
      jdbc.sql("delete from target_waiters where deployment_id = :d").param("d", deployment).update();
      for (String target : queued) {
        wakes().add(target, deployment, now);
      }
    }
  }

  /** Which deployment holds {@code target}, if any (one that has ended holds nothing). */
  Optional<Long> holder(String target) {
    return jdbc.sql("""
        select l.deployment_id from target_locks l join deployments d on d.id = l.deployment_id
         where l.target = :t and d.state not in ('SUCCEEDED', 'FAILED', 'ROLLED_BACK', 'CANCELLED')
        """).param("t", target).query(Long.class).optional();
  }

  /**
   * The deployment that has waited longest for {@code target} and has not ended, other than those that
   * let go of it: woken when it is let go of, as {@link Deployments#wakeWaiting} wakes those waiting to
   * start. Only the first: if another takes the target before it looks, it stays first in the queue.
   */
  private Optional<Long> firstWaiter(String target, java.util.Set<Long> releasers) {
    return jdbc.sql("""
        select w.deployment_id from target_waiters w join deployments d on d.id = w.deployment_id
         where w.target = :target and d.state not in ('SUCCEEDED', 'FAILED', 'ROLLED_BACK', 'CANCELLED')
         order by w.since, w.deployment_id
        """).param("target", target).query(Long.class).list().stream()
        .filter(id -> !releasers.contains(id)).findFirst();
  }
}
