package io.gantry.deployment;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Writes held back to share the next commit. A step that succeeded is recorded as such in the commit
 * that starts the next step (or ends its target, or the deployment): its end is written before
 * anything else acts, with one commit per step instead of two. Until then it reads as running, so a
 * crash in between is the crash of a running step (run again only if idempotent).
 *
 * <p>The targets of one deployment verification hand theirs over from several threads at once.
 */
final class PendingWrites {

  private final TransactionTemplate tx;
  private final List<Runnable> writes = new ArrayList<>();

  PendingWrites(TransactionTemplate tx) {
    this.tx = tx;
  }

  /** Holds {@code write} back for the next commit. */
  synchronized void add(Runnable write) {
    writes.add(write);
  }

  /** Takes over what {@code other} holds back, to be written after what this holds. */
  void add(PendingWrites other) {
    List<Runnable> taken;
    synchronized (other) {
      taken = List.copyOf(other.writes);
      other.writes.clear();
    }
    synchronized (this) {
      writes.addAll(taken);
    }
  }

  /** Writes what is held back and then {@code last}, in one commit. */
  void writeWith(Runnable last) {
    writeWith(() -> {
      last.run();
      return null;
    });
  }

  /** Writes what is held back and then {@code last}, in one commit; answers what {@code last} answers. */
  <T> T writeWith(Supplier<T> last) {
    List<Runnable> now;
    synchronized (this) {
      now = List.copyOf(writes);
    }
    T result = tx.execute(s -> {
      now.forEach(Runnable::run);
      return last.get();
    });
    synchronized (this) {
      writes.subList(0, now.size()).clear();
    }
    return result;
  }

  /** Writes what is held back in a commit of its own; no commit when nothing is. */
  void flush() {
    if (!isEmpty()) {
      writeWith(() -> {});
    }
  }

  synchronized boolean isEmpty() {
    return writes.isEmpty();
  }
}
