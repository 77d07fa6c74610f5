package io.gantry.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.model.Step;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which steps run again when a crash left their outcome unknown. */
class StepIdempotencyTest {

  private static Step.HttpCheck check(Boolean idempotent) {
    return new Step.HttpCheck("health", null, idempotent, List.of(), "http://127.0.0.1:1/health", 200, null, 3,
        null, null);
  }

  private static Step.Shell shell(Boolean idempotent) {
    return new Step.Shell("restart", null, idempotent, List.of(), "./restart.sh", null, null, null);
  }

  @Test
  void checks_and_waits_run_again_unless_declared_otherwise() {
    assertThat(Engine.idempotent(check(null))).isTrue();
    assertThat(Engine.idempotent(new Step.Wait("settle", null, null, List.of(), null))).isTrue();
    assertThat(Engine.idempotent(check(false))).isFalse();
  }

  @Test
  void steps_that_change_a_target_run_again_only_when_declared_idempotent() {
    assertThat(Engine.idempotent(shell(null))).isFalse();
    assertThat(Engine.idempotent(new Step.ArtifactInstall("install", null, null, List.of(), "releases", null, null)))
        .isFalse();
    assertThat(Engine.idempotent(shell(true))).isTrue();
  }

  @Test
  void a_kubernetes_apply_runs_again_unless_declared_otherwise_since_it_declares_the_same_objects_again() {
    assertThat(Engine.idempotent(new Step.KubernetesApply("apply", null, null, List.of(), null))).isTrue();
    assertThat(Engine.idempotent(new Step.KubernetesApply("apply", null, false, List.of(), null))).isFalse();
  }
}
