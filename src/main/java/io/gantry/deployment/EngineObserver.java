package io.gantry.deployment;

import java.util.concurrent.ExecutorService;

/**
 * Hears of the work the engine does in this process as it does it: each activity it runs for a
 * deployment, the steps of each phase on each target, and each attempt of a step. Traces are built on
 * it (io.gantry.observability). The engine opens a {@link Work} before the work and closes it after, on
 * the same thread; an implementation is cheap, and never throws.
 */
public interface EngineObserver {

  /** One pass of the activity that the deployment's state calls for (planning while REQUESTED, ...). */
  Work activity(Deployment deployment);

  /** The steps of one phase ({@code execute}, {@code verify}, {@code rollback}...) on one target. */
  Work target(Deployment deployment, String target, String phase);

  /** One attempt of one step on one target. */
  Work step(Deployment deployment, String target, String phase, String step, String type, int attempt);

  /** The engine's worker threads: tasks run within the work that was open where they were submitted. */
  ExecutorService carrying(ExecutorService executor);

  /** Work under way; closed once it is over. */
  interface Work extends AutoCloseable {

    /** The work failed, for this reason. */
    void failed(String reason);

    /** The work stopped to wait for this (a person, a retry, a target held by another deployment). */
    void waiting(String what);

    @Override
    void close();
  }

  /** Hears nothing: the engine without tracing. */
  EngineObserver NONE = new EngineObserver() {
    private static final Work NOTHING = new Work() {
      @Override
      public void failed(String reason) {}

      @Override
      public void waiting(String what) {}

      @Override
      public void close() {}
    };

    @Override
    public Work activity(Deployment deployment) {
      return NOTHING;
    }

    @Override
    public Work target(Deployment deployment, String target, String phase) {
      return NOTHING;
    }

    @Override
    public Work step(Deployment deployment, String target, String phase, String step, String type, int attempt) {
      return NOTHING;
    }

    @Override
    public ExecutorService carrying(ExecutorService executor) {
      return executor;
    }
  };
}
