package io.gantry.console;

import java.util.List;

/**
 * The signed-in person's work: the deployments waiting for an approval, a sign-off, a confirmation of a
 * criterion or a decision after a failure that its roles allow it to give, the changes awaiting its
 * approval, the model versions awaiting its agreement and its notices of model versions in force (the unread
 * first). Public for the compiled templates.
 */
public record WorkPage(List<Item> items, List<ChangeItem> changes, List<ProposalItem> proposals,
    List<NoticeItem> notices) {

  public record Item(long deployment, String component, String version, String environment, String state,
      String kind, String target, String step, String instructions) {}

  /** A proposed model version awaiting the person's agreement (as its owner or a reviewer). */
  public record ProposalItem(String model, int version, String author, String reason, String proposedAt) {}

  /** A notice of a model version in force told to the person; {@code readAt} null while unread. */
  public record NoticeItem(long id, String model, int version, String why, String toldAt, String readAt) {}

  /** A change awaiting the person's approval. */
  public record ChangeItem(String key, String title, String type, String requestedBy, String plannedStart) {}
}
