package io.gantry.execution;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A stop asked of the thread running a step, for example by an abort. The thread is interrupted, and
 * the stop is also remembered here until the step ends, because a library waiting for a remote command
 * may swallow an interrupt and wait on: a step that polls {@link #asked()} sees the stop all the same. A step
 * blocked where an interrupt does not reach (a socket's read) leaves what ends the wait with {@link #onStop}.
 */
public final class Cancellation {

  private static final Set<Thread> STOPPED = ConcurrentHashMap.newKeySet();
  private static final java.util.Map<Thread, Runnable> ON_STOP = new ConcurrentHashMap<>();

  private Cancellation() {}

  /** Asks {@code thread} to stop the step it runs. */
  public static void stop(Thread thread) {
    STOPPED.add(thread);
    thread.interrupt();
    Runnable end = ON_STOP.remove(thread);
    if (end != null) {
      end.run();
    }
  }

  /**
   * Runs {@code end} (closing a connection, say) when the current thread is asked to stop before the returned
   * handle is closed, or at once when it was asked already.
   */
  static AutoCloseable onStop(Runnable end) {
    Thread me = Thread.currentThread();
    ON_STOP.put(me, end);
    if (asked() && ON_STOP.remove(me, end)) {
      end.run();
    }
    return () -> ON_STOP.remove(me, end);
  }

  /** The step {@code thread} ran has ended: a later step on it is not stopped by this request. */
  public static void clear(Thread thread) {
    STOPPED.remove(thread);
  }

  /** Whether the current thread was asked to stop. */
  static boolean asked() {
    Thread me = Thread.currentThread();
    return me.isInterrupted() || STOPPED.contains(me);
  }
}
