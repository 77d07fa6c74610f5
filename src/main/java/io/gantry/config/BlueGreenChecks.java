package io.gantry.config;

import io.gantry.model.Stage;
import io.gantry.model.Step;

/**
 * The checks of a stage's blue-green strategy that a schema cannot make: a blueGreen block on another
 * strategy, a blue-green strategy without its slots, two slots on one port, a switch that cannot
 * switch, and batch settings a blue-green deployment would not act on.
 */
final class BlueGreenChecks {

  private BlueGreenChecks() {}

  static void check(ConfigDocument doc, String at, Stage.Strategy strategy, TriggerChecks.Findings findings) {
    Stage.BlueGreen blueGreen = strategy.blueGreen();
    if (strategy.type() != Stage.Strategy.Type.BLUE_GREEN) {
      if (blueGreen != null) {
        findings.finding(doc, at + ".blueGreen", "blue-green settings belong to a strategy of type blue-green, not "
            + strategy.type().name().toLowerCase().replace('_', '-'));
      }
      return;
    }
    if (strategy.batchSize() != null) {
      findings.finding(doc, at + ".batchSize", "a blue-green deployment installs into the idle slot of every "
          + "target and switches each target once its slot is verified; it has no batches (use maxParallel to "
          + "limit how many targets work at a time)");
    }
    if (strategy.pauseBetweenBatches() != null) {
      findings.finding(doc, at + ".pauseBetweenBatches", "a blue-green deployment has no batches to pause between");
    }
    if (blueGreen == null) {
      findings.finding(doc, at + ".blueGreen", "a blue-green strategy needs its slots: blueGreen.slots.blue.port "
          + "and blueGreen.slots.green.port");
      return;
    }
    Stage.Slots slots = blueGreen.slots();
    if (slots == null) {
      findings.finding(doc, at + ".blueGreen.slots", "a blue-green strategy needs two slots, blue and green, each "
          + "with its port");
    } else {
      Integer blue = port(doc, at + ".blueGreen.slots.blue", slots.blue(), findings);
      Integer green = port(doc, at + ".blueGreen.slots.green", slots.green(), findings);
      if (blue != null && blue.equals(green)) {
        findings.finding(doc, at + ".blueGreen.slots.green.port", "port " + green + " is blue's port too: the two "
            + "slots serve side by side while the idle one is verified, so each needs a port of its own");
      }
    }
    Step switchStep = blueGreen.switchStep();
    if (switchStep != null && !(switchStep instanceof Step.Shell)) {
      findings.finding(doc, at + ".blueGreen.switch.type", "the switch is a shell step (e.g. a command that points "
          + "a proxy at ${port}); a " + type(switchStep) + " step cannot switch");
    } else if (switchStep != null && switchStep.targets() != null && !switchStep.targets().isEmpty()) {
      findings.finding(doc, at + ".blueGreen.switch.targets", "the switch makes the idle slot live on every target "
          + "of the stage; it is not limited to tagged targets");
    }
  }

  private static Integer port(ConfigDocument doc, String at, Stage.Slot slot, TriggerChecks.Findings findings) {
    if (slot == null || slot.port() == null) {
      findings.finding(doc, at + (slot == null ? "" : ".port"), "the slot needs its port (1 to 65535)");
      return null;
    }
    if (slot.port() < 1 || slot.port() > 65535) {
      findings.finding(doc, at + ".port", slot.port() + " is not a port: use 1 to 65535");
      return null;
    }
    return slot.port();
  }

  private static String type(Step step) {
    return switch (step) {
      case Step.ArtifactInstall a -> "artifact.install";
      case Step.ArtifactRemove r -> "artifact.remove";
      case Step.Template t -> "template";
      case Step.Shell s -> "shell";
      case Step.HttpCheck h -> "http-check";
      case Step.Wait w -> "wait";
      case Step.Manual m -> "manual";
      case Step.Approval a -> "approval";
      case Step.KubernetesApply k -> "kubernetes.apply";
    };
  }
}
