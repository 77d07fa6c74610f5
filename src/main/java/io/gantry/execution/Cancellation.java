package io.gantry.execution;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A stop asked of the thread running a step, for example by an abort. The thread is interrupted, and
 * the stop is also remembered here until the step ends, because a library waiting for a remote command
 * may swallow an interrupt and wait on: a step that polls {@link #asked()} sees the stop all the same.
 */
public final class Cancellation {

  private static final Set<Thread> STOPPED = ConcurrentHashMap.newKeySet();

  private Cancellation() {}

  /** Asks {@code thread} to stop the step it runs. */
  public static void stop(Thread thread) {
    STOPPED.add(thread);
    thread.interrupt();
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
