package io.gantry.execution;

import io.gantry.model.Step;

/**
 * Which steps a kubernetes target takes (experimental): its own {@code kubernetes.apply}, and the steps that
 * need no folder (checks, waits, people's steps). Configuration refuses the others where they would run on
 * one, and the engine fails them before any step acts.
 */
public final class KubernetesSteps {

  /** The step types a kubernetes target takes, as configuration names them. */
  public static final String TAKES = "kubernetes.apply, http-check, wait, manual and approval";

  private KubernetesSteps() {}

  /** Whether a kubernetes target takes the step. */
  public static boolean takes(Step step) {
    return step instanceof Step.KubernetesApply || step instanceof Step.HttpCheck || step instanceof Step.Wait
        || step instanceof Step.Manual || step instanceof Step.Approval;
  }
}
