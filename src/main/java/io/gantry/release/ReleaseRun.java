package io.gantry.release;

import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * One deployment of a release into an environment: its members (one deployment per version, in
 * dependency order) and, once it is rolled back, the deployments that roll the members back.
 *
 * @param cancelRequested the reason a person gave for cancelling it, while its members stop; null if
 *     nobody did
 */
public record ReleaseRun(long id, long releaseId, String release, String environment, State state,
    String requestedBy, Instant requestedAt, String reason, String cancelRequested, Instant endedAt, String outcome,
    long rowVersion) {

  /** Where a run stands. */
  public enum State {
    /** Its members are being deployed, one after the other. */
    RUNNING,
    /** Every member was deployed. */
    SUCCEEDED,
    /** A member failed and the members deployed before it are being rolled back. */
    ROLLING_BACK,
    /** A member failed and every member deployed before it runs its previous version again. */
    ROLLED_BACK,
    /** A member failed and the rest did not run (the failure policy stops), or a rollback was incomplete. */
    FAILED,
    /** A person cancelled it; members deployed before that stay. */
    CANCELLED;

    public boolean isFinal() {
      return this != RUNNING && this != ROLLING_BACK;
    }

    public String id() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  /** Why a deployment belongs to the run. */
  public enum Purpose { DEPLOY, ROLLBACK }

  /**
   * A deployment of the run: a member ({@code DEPLOY}) or the rollback of one ({@code ROLLBACK},
   * {@code rollsBack} naming the member). {@code deployment} is null for a rollback that could not be
   * requested; {@code note} says why.
   */
  public record Member(int position, Purpose purpose, Long deployment, Long rollsBack, String note) {}

  /** An entry of the run's append-only history. */
  public record Entry(long id, Instant at, String actor, State state, String message) {}

  /** The members of a run, with the release's name, for the gates. */
  public record Members(ReleaseRun run, List<Member> members) {

    public List<Member> of(Purpose purpose) {
      return members.stream().filter(m -> m.purpose() == purpose).toList();
    }

    /** Every deployment of the run, members and rollbacks. */
    public java.util.Set<Long> deployments() {
      return members.stream().map(Member::deployment).filter(java.util.Objects::nonNull)
          .collect(java.util.stream.Collectors.toSet());
    }
  }
}
