package io.gantry.console;

import java.util.List;

/**
 * What the page of one deployment shows: its header, its lifecycle activities with their waits, the progress
 * of each step on each target (in {@link DeploymentLive}, which the page polls while it runs), the actions the
 * person signed in may take now, its conflicts, the changes that authorize it and its evidence files.
 * Public for the compiled templates only.
 */
public record DeploymentPage(Header header, List<Activity> activities, String waitingNow, DeploymentLive live,
    List<Action> actions, boolean mayCancel, boolean mayAbort, List<Conflict> conflicts, List<ChangeLink> changes,
    List<EvidenceFile> evidence) {

  public record Header(long id, String kind, String service, String component, String version, String environment,
      String model, int modelVersion, String stage, String state, boolean finished, String requestedBy,
      String requestedAt, String reason, String plannedStart, String plannedEnd, String startedAt, String finishedAt,
      String duration, String outcome) {}

  /**
   * One lifecycle activity (planning, verification of components, verification of the environment, execution,
   * verification of the deployment, and rollback when there was one): its process time and its waits.
   */
  public record Activity(String id, String label, String process, String waiting, boolean current,
      List<Wait> waits) {}

  /** One wait inside an activity: for what kind of thing, what exactly, since when and how long. */
  public record Wait(String kind, String what, String from, String duration, boolean open) {}

  /**
   * One thing the deployment waits for that the person signed in may do now: {@code kind} is signoff,
   * approval, confirmation, failure-decision or resume.
   */
  public record Action(String kind, String target, String step, String instructions, List<String> checklist,
      boolean evidenceRequired, String roles) {}

  public record Conflict(String at, String message) {}

  public record ChangeLink(String key, String title, String state) {}

  public record EvidenceFile(long id, String target, String step, String fileName, long size, String sha256,
      String uploadedBy, String at) {}
}
