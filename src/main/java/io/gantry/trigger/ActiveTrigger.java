package io.gantry.trigger;

import io.gantry.model.DeploymentModel;
import io.gantry.model.Stage;
import io.gantry.model.Trigger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;

/**
 * A trigger of a model's current version, with the stage it starts and the instant since which it has
 * been declared without a break: only causes after that instant fire it.
 */
record ActiveTrigger(DeploymentModel model, Trigger trigger, Stage stage, Instant since) {

  /** Requesters are kept to the width every record of a deployment gives its actor. */
  private static final int REQUESTER_WIDTH = 63;
  private static final int KEY_WIDTH = 400;

  String environment() {
    return stage.environment();
  }

  /**
   * The trigger as it is named in its firings, e.g. {@code stage-succeeded(dev->test)} or {@code
   * schedule(test at "0 2 * * 1-5" UTC)}: two triggers of one model never share a name.
   */
  String identity() {
    return bounded(switch (trigger) {
      case Trigger.Schedule s -> "schedule(" + s.stage() + " at \"" + s.cron() + "\" "
          + (s.timeZone() == null ? "UTC" : s.timeZone()) + ")";
      default -> shortName();
    });
  }

  /** The requester of its deployments, e.g. {@code trigger:stage-succeeded(dev->test) of model in-house-software}. */
  String requester() {
    String full = "trigger:" + shortName() + " of model " + model.name();
    if (full.length() <= REQUESTER_WIDTH) {
      return full;
    }
    String shorter = "trigger:" + shortName() + " of " + model.name();
    return shorter.length() <= REQUESTER_WIDTH ? shorter : shorter.substring(0, REQUESTER_WIDTH - 3) + "...";
  }

  private String shortName() {
    return switch (trigger) {
      case Trigger.VersionRegistered r -> "version-registered(" + r.stage() + ")";
      case Trigger.VersionApproved a -> "version-approved(" + a.stage() + ")";
      case Trigger.StageSucceeded s -> "stage-succeeded(" + s.after() + "->" + s.stage() + ")";
      case Trigger.Schedule s -> "schedule(" + s.stage() + ")";
    };
  }

  /** A key within the width of its column: long ones end in a digest of the whole, so they stay distinct. */
  static String bounded(String key) {
    if (key.length() <= KEY_WIDTH) {
      return key;
    }
    try {
      byte[] sha = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      return key.substring(0, KEY_WIDTH - 18) + "~" + HexFormat.of().formatHex(sha, 0, 8) + ")";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
